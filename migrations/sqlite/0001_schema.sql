-- The SQLite schema of dorameter: the same tables as the PostgreSQL migrations 0001-0005, for the
-- embedded backend (local use and `dorameter demo`).
--
-- Instants are INTEGER microseconds since 1970-01-01 UTC (PostgreSQL's precision), so ordering
-- and range queries compare integers and read back exactly what PostgreSQL would. Booleans are
-- 0/1. Text compares byte-wise (SQLite's BINARY collation), like PostgreSQL's COLLATE "C".
-- The attribution rule is applied in Rust with domain::attribute (store/src/sqlite/attribution.rs);
-- the no-overlap rule of memberships is validated by the domain before a sync writes.

CREATE TABLE teams (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL CHECK (name <> ''),
    description  TEXT,
    include_bots INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE TABLE team_memberships (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id    TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    -- Stored lowercased (logins are case-insensitive on GitHub).
    login      TEXT NOT NULL CHECK (login = lower(login)),
    weight     REAL NOT NULL CHECK (weight BETWEEN 0 AND 1),
    -- The membership covers joined_at <= t < left_at (left_at NULL: still a member).
    joined_at  INTEGER NOT NULL,
    left_at    INTEGER CHECK (left_at > joined_at),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    -- The key of domain::diff_team_configs.
    UNIQUE (team_id, login, joined_at)
);
CREATE INDEX team_memberships_login ON team_memberships (login, joined_at);

CREATE TABLE pull_requests (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    repository       TEXT NOT NULL,
    number           INTEGER NOT NULL,
    github_id        INTEGER,
    title            TEXT NOT NULL,
    state            TEXT NOT NULL,
    draft            INTEGER NOT NULL,
    author_login     TEXT,
    author_id        INTEGER,
    author_type      TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    closed_at        INTEGER,
    merged_at        INTEGER,
    merge_commit_sha TEXT,
    base_ref         TEXT NOT NULL,
    head_ref         TEXT,
    html_url         TEXT,
    first_seen_at    INTEGER NOT NULL,
    last_changed_at  INTEGER NOT NULL,
    -- The key of the collector's upsert.
    UNIQUE (repository, number)
);
-- Recompute for a set of logins finds their PRs by the lowercased login (SQLite's lower() is
-- ASCII-only, like the domain's to_ascii_lowercase).
CREATE INDEX pull_requests_author_login_lower ON pull_requests (lower(author_login));

CREATE TABLE pr_attributions (
    pr_id            INTEGER NOT NULL REFERENCES pull_requests (id) ON DELETE CASCADE,
    team_id          TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    membership_id    INTEGER NOT NULL REFERENCES team_memberships (id) ON DELETE CASCADE,
    weight           REAL NOT NULL,
    merged_at        INTEGER NOT NULL,
    -- domain::cycle_time_hours(created_at, merged_at), bit-equal to PostgreSQL's column.
    cycle_time_hours REAL NOT NULL,
    PRIMARY KEY (pr_id, team_id)
);
CREATE INDEX pr_attributions_team_merged_at
    ON pr_attributions (team_id, merged_at, weight, cycle_time_hours);
CREATE INDEX pr_attributions_membership ON pr_attributions (membership_id);

CREATE TABLE repo_sync_state (
    repository              TEXT PRIMARY KEY,
    watermark               INTEGER,
    etag                    TEXT,
    resume_next_url         TEXT,
    resume_floor            INTEGER,
    resume_target_watermark INTEGER,
    resume_target_etag      TEXT,
    updated_at              INTEGER NOT NULL,
    CHECK ((resume_next_url IS NULL) = (resume_target_watermark IS NULL))
);

-- Reporting views, as PostgreSQL's 0005 (weeks start Monday 00:00 UTC). SQLite has no
-- percentile_cont: the store registers percentile_cont(value, fraction) as an aggregate function
-- on its connection (store/src/sqlite/functions.rs), with domain::percentile_cont's definition.
-- Sums and averages here follow row order, so their last bits may differ from the domain's
-- sorted sums; the API reads the table, not these views.
CREATE VIEW view_team_velocity AS
SELECT team_id,
       date(merged_at / 1000000, 'unixepoch', '-6 days', 'weekday 1') AS week_start,
       count(*) AS prs_merged,
       sum(weight) AS weighted_prs_merged,
       avg(cycle_time_hours) AS avg_cycle_time_hours
FROM pr_attributions
GROUP BY team_id, week_start;

CREATE VIEW view_dora_lead_time AS
SELECT team_id,
       strftime('%Y-%m', merged_at / 1000000, 'unixepoch') AS month,
       count(*) AS prs_merged,
       percentile_cont(cycle_time_hours, 0.5) AS median_lead_time_hours,
       percentile_cont(cycle_time_hours, 0.95) AS p95_lead_time_hours
FROM pr_attributions
GROUP BY team_id, month;
