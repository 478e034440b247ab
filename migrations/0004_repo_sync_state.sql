-- Per-repository progress of the GitHub collector, committed in the same transaction as the page
-- of PRs it describes, so a crash never records progress that was not stored.

CREATE TABLE repo_sync_state (
    -- owner/name, lowercased, as pull_requests.repository.
    repository              text PRIMARY KEY,
    -- The highest PR updated_at fully committed: the next run asks GitHub for PRs updated since.
    watermark               timestamptz,
    -- ETag of the first page last fetched, for conditional requests.
    etag                    text,
    -- An interrupted walk (time budget ran out between pages): where to pick it up. All NULL
    -- when the last walk finished.
    -- The next page to fetch.
    resume_next_url         text,
    -- PRs updated before this were already stored when the walk started.
    resume_floor            timestamptz,
    -- The watermark and ETag to record once the walk finishes.
    resume_target_watermark timestamptz,
    resume_target_etag      text,
    -- When the collector committed this state.
    updated_at              timestamptz NOT NULL,
    -- A resume point has both a page to fetch and a watermark to reach, or is absent.
    CONSTRAINT repo_sync_state_resume_complete CHECK (
        (resume_next_url IS NULL) = (resume_target_watermark IS NULL)
        AND (resume_next_url IS NOT NULL OR (resume_floor IS NULL AND resume_target_etag IS NULL))
    )
);
