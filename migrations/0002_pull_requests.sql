-- Pull requests, stored once per (repository, number) with every field a later metric may need,
-- nulls kept as GitHub sends them.

CREATE TABLE pull_requests (
    id               bigserial PRIMARY KEY,
    -- owner/name, lowercased by the collector.
    repository       text NOT NULL,
    number           bigint NOT NULL,
    github_id        bigint,
    title            text NOT NULL,
    -- 'open' or 'closed' (merged PRs are 'closed' with merged_at set).
    state            text NOT NULL,
    draft            boolean NOT NULL,
    -- NULL for a deleted account ("ghost"): stored, attributed to nobody.
    -- COLLATE "C": lower() is ASCII-only, as the domain's to_ascii_lowercase.
    author_login     text COLLATE "C",
    author_id        bigint,
    -- 'User', 'Bot' or 'Organization'.
    author_type      text COLLATE "C",
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    closed_at        timestamptz,
    -- NULL for a PR closed without merging: attributed to nobody.
    merged_at        timestamptz,
    merge_commit_sha text,
    base_ref         text NOT NULL,
    head_ref         text,
    html_url         text,
    -- When dorameter first stored the PR, and last stored a change to it.
    first_seen_at    timestamptz NOT NULL DEFAULT now(),
    last_changed_at  timestamptz NOT NULL DEFAULT now(),
    -- The same rule as domain::is_bot: GitHub says so, or the login has the [bot] suffix of apps.
    author_is_bot    boolean NOT NULL GENERATED ALWAYS AS (
                         coalesce(lower(author_type) = 'bot', false)
                         OR coalesce(right(lower(author_login), 5) = '[bot]', false)
                     ) STORED,
    -- The key of the collector's upsert (INSERT ... ON CONFLICT (repository, number)).
    CONSTRAINT pull_requests_repository_number UNIQUE (repository, number)
);

-- Attribution recompute for a set of logins finds their PRs through the same expression the
-- attribution rule joins on.
CREATE INDEX pull_requests_author_login_lower ON pull_requests (lower(author_login));
