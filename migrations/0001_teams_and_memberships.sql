-- Teams and their dated, weighted memberships: the team config as synced by `dorameter teams sync`.
-- The domain crate validates a config before anything is written; these constraints back that
-- validation so no other writer can store what the domain would refuse.

-- The EXCLUDE constraint below compares text with `=` and ranges with `&&` in one GiST index.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE teams (
    -- A URL slug (domain::TeamId): lowercase ASCII letters and digits joined by single - or _.
    -- COLLATE "C": ids sort byte-wise, exactly as Rust sorts them.
    id           text COLLATE "C" PRIMARY KEY
                 CONSTRAINT teams_id_is_slug
                 CHECK (id ~ '^[a-z0-9]+([-_][a-z0-9]+)*$' AND length(id) <= 64),
    name         text NOT NULL CONSTRAINT teams_name_not_empty CHECK (name <> ''),
    description  text,
    -- Whether PRs by bot accounts count for this team (the attribution rule reads it).
    include_bots boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- Changes only when name, description or include_bots change.
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE team_memberships (
    id         bigserial PRIMARY KEY,
    team_id    text COLLATE "C" NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    -- GitHub logins are case-insensitive: stored lowercased, and the attribution rule joins on
    -- lower(pull_requests.author_login). COLLATE "C" makes lower() ASCII-only, like the domain's
    -- to_ascii_lowercase, and sorting byte-wise.
    login      text COLLATE "C" NOT NULL
               CONSTRAINT team_memberships_login_is_lowercase CHECK (login = lower(login)),
    -- Share of the person's output credited to this team (NaN fails the check too).
    weight     double precision NOT NULL
               CONSTRAINT team_memberships_weight_in_unit_range CHECK (weight BETWEEN 0 AND 1),
    -- The membership covers joined_at <= t < left_at (left_at NULL: still a member).
    joined_at  timestamptz NOT NULL,
    left_at    timestamptz
               CONSTRAINT team_memberships_left_after_joined CHECK (left_at > joined_at),
    created_at timestamptz NOT NULL DEFAULT now(),
    -- Changes only when weight or left_at change.
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- A membership's identity (the key of domain::diff_team_configs): a sync updates weight and
    -- left_at in place and never rewrites an unchanged row.
    CONSTRAINT team_memberships_identity UNIQUE (team_id, login, joined_at),
    -- Spans of one login in one team never overlap, so at most one membership per team is active
    -- at any instant: the attribution rule relies on it for pr_attributions' primary key.
    -- tstzrange(joined_at, NULL) is unbounded above, matching an open membership.
    CONSTRAINT team_memberships_spans_do_not_overlap
        EXCLUDE USING gist (team_id WITH =, login WITH =, tstzrange(joined_at, left_at) WITH &&)
);
-- Cross-team overallocation (a login's weights summing above 1.0 at some instant) is validated
-- by the domain crate only: the config may deliberately allow it (allow_overallocation).

-- Attribution recompute looks memberships up by login.
CREATE INDEX team_memberships_login ON team_memberships (login, joined_at);
