-- As PostgreSQL's 0006_sync_reach: how far back each repository's history has been walked
-- (reach_since, or reach_all for all history; neither: nothing known), and the last committed
-- page of an interrupted walk, fetched again when it resumes. Instants as integer microseconds.

ALTER TABLE repo_sync_state ADD COLUMN reach_since INTEGER;
ALTER TABLE repo_sync_state ADD COLUMN reach_all INTEGER NOT NULL DEFAULT 0
    CHECK (reach_all IN (0, 1) AND NOT (reach_all = 1 AND reach_since IS NOT NULL));
ALTER TABLE repo_sync_state ADD COLUMN resume_page_url TEXT
    CHECK (resume_page_url IS NULL OR resume_next_url IS NOT NULL);

-- States recorded before: reached at least the oldest stored update (see the PostgreSQL file).
UPDATE repo_sync_state
SET reach_since = (SELECT min(p.updated_at) FROM pull_requests p
                   WHERE p.repository = repo_sync_state.repository);
