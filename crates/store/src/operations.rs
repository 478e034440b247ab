//! The public operations of [`Store`], each handed to the backend the store was opened on.
//! Both backends implement the same contract, stated here once. Instants are rounded to whole
//! microseconds here, the same way for both (see [`crate::instants`]).

use crate::error::StoreError;
use crate::instants::{
    ceil_micros, config_in_micros, floor_micros, prs_in_micros, sync_state_in_micros,
};
use crate::{Backend, RepoSyncState, Store, TeamSummary, UpsertCounts};
use chrono::{DateTime, Utc};
use domain::{AttributedPr, PullRequest, TeamChanges, TeamConfig};

impl Store {
    /// Applies the embedded migrations not yet applied (`migrations/*.sql` on PostgreSQL,
    /// `migrations/sqlite/*.sql` on SQLite), in order, and returns their names
    /// (`0001_teams_and_memberships`, …). Idempotent and safe to run concurrently. Refuses with
    /// [`StoreError::MigrationChanged`] if an applied file has been edited since.
    pub async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        dispatch!(self.migrate())
    }

    /// The stored team config (`allow_overallocation` is not stored and reads as `false`).
    /// Teams sorted by id, members by (login, joined_at), byte-wise.
    pub async fn load_team_config(&self) -> Result<TeamConfig, StoreError> {
        dispatch!(self.load_team_config())
    }

    /// Whether a team with this id is stored.
    pub async fn team_exists(&self, team_id: &str) -> Result<bool, StoreError> {
        dispatch!(self.team_exists(team_id))
    }

    /// Every team (sorted by id) with its memberships active at `at`
    /// (`joined_at <= at < left_at`), members sorted by (login, joined_at).
    pub async fn teams_with_members_at(
        &self,
        at: DateTime<Utc>,
    ) -> Result<Vec<TeamSummary>, StoreError> {
        let at = floor_micros(at);
        dispatch!(self.teams_with_members_at(at))
    }

    /// Makes the stored teams and memberships equal to `desired` (instants truncated to
    /// microseconds) and returns what changed. Unchanged rows are not rewritten. Attributions of
    /// every affected login are recomputed in the same transaction; on any error nothing is
    /// written.
    pub async fn sync_teams(&self, desired: &TeamConfig) -> Result<TeamChanges, StoreError> {
        let desired = config_in_micros(desired);
        dispatch!(self.sync_teams(&desired))
    }

    /// Recomputes attributions in one transaction: of the PRs authored by `logins` (matched
    /// case-insensitively), or of every PR when `None`. Only rows that differ from the rule's
    /// result are written; returns rows deleted plus rows inserted (0 when all was right).
    pub async fn recompute_attributions(
        &self,
        logins: Option<&[String]>,
    ) -> Result<u64, StoreError> {
        dispatch!(self.recompute_attributions(logins))
    }

    /// Stores `prs` (one row per `(repository, number)`: new ones inserted, changed ones
    /// updated, identical or older ones not rewritten) and recomputes the attributions of the
    /// inserted and updated ones, all in one transaction. Instants are stored floored to whole
    /// microseconds.
    pub async fn upsert_pull_requests(
        &self,
        prs: &[PullRequest],
    ) -> Result<UpsertCounts, StoreError> {
        let prs = prs_in_micros(prs);
        dispatch!(self.upsert_pull_requests(&prs))
    }

    /// The collector's unit of progress: upserts one page of PRs (as
    /// [`Store::upsert_pull_requests`]) and records `state` for its repository in the same
    /// transaction, so the watermark never runs ahead of what is stored. The state's instants
    /// too are stored floored to whole microseconds.
    pub async fn commit_page(
        &self,
        prs: &[PullRequest],
        state: &RepoSyncState,
    ) -> Result<UpsertCounts, StoreError> {
        let prs = prs_in_micros(prs);
        let state = sync_state_in_micros(state);
        dispatch!(self.commit_page(&prs, &state))
    }

    /// The last committed sync state of `repository`, if it was ever synced.
    pub async fn repo_sync_state(
        &self,
        repository: &str,
    ) -> Result<Option<RepoSyncState>, StoreError> {
        dispatch!(self.repo_sync_state(repository))
    }

    /// The attributions of `team_id` with `merged_at` in `[start, end)`, oldest first. An
    /// unknown team yields no rows (use [`Store::team_exists`] to tell the two apart).
    pub async fn attributed_prs(
        &self,
        team_id: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<AttributedPr>, StoreError> {
        // Stored instants are whole microseconds: `t >= start` is `t >= ceil(start)`, and
        // `t < end` is `t < ceil(end)`.
        let (start, end) = (ceil_micros(start), ceil_micros(end));
        dispatch!(self.attributed_prs(team_id, start, end))
    }
}
