-- The constraints of PostgreSQL's schema that 0001_schema.sql lacks, so SQLite too refuses what
-- domain validation refuses, whoever writes. SQLite cannot add a CHECK to an existing table, and
-- has no EXCLUDE constraint, so these are triggers. RAISE(ABORT, ...) fails the statement with
-- SQLITE_CONSTRAINT (the store's StoreError::is_constraint_violation, as PostgreSQL's SQLSTATE
-- 23xxx) and the store rolls the whole transaction back. Each message is the name of the
-- PostgreSQL constraint it mirrors. Rows already stored were validated by the domain before
-- they were written, so they satisfy these rules.

-- teams_id_is_slug: lowercase ASCII letters and digits joined by single - or _, at most 64
-- characters (PostgreSQL: id ~ '^[a-z0-9]+([-_][a-z0-9]+)*$' AND length(id) <= 64). GLOB is
-- case-sensitive; a '-' just before ']' is a literal. A NULL id is refused too (SQLite lets a
-- non-integer PRIMARY KEY be NULL; PostgreSQL does not).
CREATE TRIGGER teams_id_is_slug_on_insert
BEFORE INSERT ON teams
WHEN NEW.id IS NULL
  OR length(NEW.id) NOT BETWEEN 1 AND 64
  OR NEW.id GLOB '*[^a-z0-9_-]*'
  OR NEW.id GLOB '[-_]*'
  OR NEW.id GLOB '*[-_]'
  OR NEW.id GLOB '*[-_][-_]*'
BEGIN
    SELECT RAISE(ABORT, 'teams_id_is_slug');
END;

CREATE TRIGGER teams_id_is_slug_on_update
BEFORE UPDATE OF id ON teams
WHEN NEW.id IS NULL
  OR length(NEW.id) NOT BETWEEN 1 AND 64
  OR NEW.id GLOB '*[^a-z0-9_-]*'
  OR NEW.id GLOB '[-_]*'
  OR NEW.id GLOB '*[-_]'
  OR NEW.id GLOB '*[-_][-_]*'
BEGIN
    SELECT RAISE(ABORT, 'teams_id_is_slug');
END;

-- team_memberships_spans_do_not_overlap: spans [joined_at, left_at) of one login in one team
-- never overlap (a NULL left_at is open-ended), so at most one membership per team is active at
-- any instant: the attribution rule relies on it for pr_attributions' primary key. Two spans
-- overlap when each starts before the other ends (PostgreSQL: tstzrange && tstzrange).
CREATE TRIGGER team_memberships_spans_do_not_overlap_on_insert
BEFORE INSERT ON team_memberships
WHEN EXISTS (
    SELECT 1 FROM team_memberships m
    WHERE m.team_id = NEW.team_id
      AND m.login = NEW.login
      AND (NEW.left_at IS NULL OR m.joined_at < NEW.left_at)
      AND (m.left_at IS NULL OR NEW.joined_at < m.left_at))
BEGIN
    SELECT RAISE(ABORT, 'team_memberships_spans_do_not_overlap');
END;

-- The row being updated is compared with every other span of its (team, login): OLD.id still
-- names it while the trigger runs.
CREATE TRIGGER team_memberships_spans_do_not_overlap_on_update
BEFORE UPDATE OF team_id, login, joined_at, left_at ON team_memberships
WHEN EXISTS (
    SELECT 1 FROM team_memberships m
    WHERE m.id <> OLD.id
      AND m.team_id = NEW.team_id
      AND m.login = NEW.login
      AND (NEW.left_at IS NULL OR m.joined_at < NEW.left_at)
      AND (m.left_at IS NULL OR NEW.joined_at < m.left_at))
BEGIN
    SELECT RAISE(ABORT, 'team_memberships_spans_do_not_overlap');
END;

-- repo_sync_state_resume_complete, the half 0001_schema.sql lacks: without a page to resume
-- from there is no floor and no target ETag either.
CREATE TRIGGER repo_sync_state_resume_complete_on_insert
BEFORE INSERT ON repo_sync_state
WHEN NEW.resume_next_url IS NULL
 AND (NEW.resume_floor IS NOT NULL OR NEW.resume_target_etag IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'repo_sync_state_resume_complete');
END;

CREATE TRIGGER repo_sync_state_resume_complete_on_update
BEFORE UPDATE ON repo_sync_state
WHEN NEW.resume_next_url IS NULL
 AND (NEW.resume_floor IS NOT NULL OR NEW.resume_target_etag IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'repo_sync_state_resume_complete');
END;
