-- How far back each repository's history has been walked, so a run that asks for more (--full,
-- or an earlier --since than before) walks down again instead of stopping at the watermark; and
-- the page an interrupted walk committed last, fetched again when it resumes (a PR that left
-- the list since shifts the later pages up by one, so the next page's first PR is then at the
-- end of that page).

ALTER TABLE repo_sync_state
    -- Every PR updated at or after this instant was stored by a finished walk. NULL with
    -- reach_all false: nothing is known to be stored.
    ADD COLUMN reach_since     timestamptz,
    -- A walk over all history finished.
    ADD COLUMN reach_all       boolean NOT NULL DEFAULT false,
    -- The URL of the last committed page of an interrupted walk (NULL for resume points
    -- recorded before this column existed).
    ADD COLUMN resume_page_url text,
    ADD CONSTRAINT repo_sync_state_reach_one CHECK (NOT (reach_all AND reach_since IS NOT NULL)),
    ADD CONSTRAINT repo_sync_state_resume_page CHECK (
        resume_page_url IS NULL OR resume_next_url IS NOT NULL
    );

-- States recorded before: the walks that stored a repository's PRs reached at least as far down
-- as its oldest stored update (a walk stores only PRs at or above its floor). Conservative: a
-- run asking for more than this walks down again.
UPDATE repo_sync_state s
SET reach_since = (SELECT min(p.updated_at) FROM pull_requests p WHERE p.repository = s.repository);
