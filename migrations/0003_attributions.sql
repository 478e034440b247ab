-- Attributions: which teams each merged PR counts for, and with which weight. Derived data,
-- recomputed set-based by the store whenever PRs or memberships change, in the writer's
-- transaction (DELETE of the rows that differ from the rule's result + INSERT ... SELECT of the
-- missing ones), so editing membership history applies retroactively.
--
-- The rule, the same as domain::attribute: a PR with merged_at and author_login set gets one row
-- per team in which a membership with login = lower(author_login) has
-- joined_at <= merged_at AND (left_at IS NULL OR merged_at < left_at), with that membership's
-- weight; bot PRs (author_is_bot) only for teams with include_bots.

CREATE TABLE pr_attributions (
    pr_id            bigint NOT NULL REFERENCES pull_requests (id) ON DELETE CASCADE,
    team_id          text COLLATE "C" NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    -- Removing a membership removes what it attributed.
    membership_id    bigint NOT NULL REFERENCES team_memberships (id) ON DELETE CASCADE,
    weight           double precision NOT NULL,
    -- Copied from the PR so the metrics read this table alone.
    merged_at        timestamptz NOT NULL,
    -- merged_at - created_at in hours, computed in double precision from exact microseconds so
    -- it is bit-equal to domain::cycle_time_hours.
    cycle_time_hours double precision NOT NULL,
    -- One row per PR and team: memberships of one login in one team never overlap
    -- (team_memberships_spans_do_not_overlap), so at most one is active at merged_at.
    PRIMARY KEY (pr_id, team_id)
);

-- The API's range query (one team, merged_at in [start, end)) is an index-only scan.
CREATE INDEX pr_attributions_team_merged_at
    ON pr_attributions (team_id, merged_at) INCLUDE (weight, cycle_time_hours);
-- ON DELETE CASCADE from team_memberships looks attributions up by membership.
CREATE INDEX pr_attributions_membership ON pr_attributions (membership_id);
