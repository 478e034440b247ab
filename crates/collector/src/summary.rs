//! What a run did: per repository and in total, printed as one JSON line.

use domain::TeamChanges;
use github::{GithubStats, SkippedItem};
use serde::Serialize;
use std::time::Duration;

/// Why a repository failed, as far as a caller needs to react (the Lambda marks its error
/// retryable or not, and re-reads a rotated token).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// GitHub rejected the token (401): revoked, expired or rotated.
    TokenRejected,
    /// GitHub or the database may succeed later with nothing changed (5xx, timeouts, lost
    /// connections).
    Transient,
    /// Retrying will not help: permissions, a missing repository, malformed data.
    Permanent,
}

/// Count, sum, minimum and maximum of a set of durations in milliseconds: a CloudWatch
/// statistic set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct DurationStats {
    pub count: u64,
    pub sum_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
}

impl DurationStats {
    /// Adds one duration.
    pub fn record(&mut self, duration: Duration) {
        let ms = duration.as_secs_f64() * 1000.0;
        self.merge(&DurationStats {
            count: 1,
            sum_ms: ms,
            min_ms: ms,
            max_ms: ms,
        });
    }

    /// Adds every duration of `other`.
    pub fn merge(&mut self, other: &DurationStats) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *other;
            return;
        }
        self.count += other.count;
        self.sum_ms += other.sum_ms;
        self.min_ms = self.min_ms.min(other.min_ms);
        self.max_ms = self.max_ms.max(other.max_ms);
    }
}

/// How a repository's walk ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepositoryStatus {
    /// Walked down to what was already stored (or a 304 said nothing changed).
    Complete,
    /// The run's time budget ran out (between pages, or a wait would have passed it); the next
    /// run resumes. `reason` says what stopped it.
    OutOfBudget { reason: String },
    /// GitHub or the database failed for this repository; the message says why.
    Failed { message: String, kind: FailureKind },
}

/// One repository's part of a run.
#[derive(Debug, Clone, Serialize)]
pub struct RepositoryOutcome {
    pub repository: String,
    /// `complete`, `incomplete` or `failed`.
    pub status: &'static str,
    /// Why the repository failed or is incomplete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Set when `status` is `failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<FailureKind>,
    /// Pages fetched, those fetched again included.
    pub pages: u64,
    /// Pages fetched a second time: a resumed walk's last committed page, or a page followed
    /// by one that came long after it (PRs that left the list may have shifted onto it).
    pub pages_refetched: u64,
    pub not_modified: bool,
    /// PRs on the fetched pages that were newer than the floor.
    pub prs_seen: u64,
    pub prs_inserted: u64,
    pub prs_updated: u64,
    /// PRs compared with the stored copy and left as they were.
    pub prs_unchanged: u64,
    /// PRs kept whose `merged_at` lies before their `created_at` (impossible data GitHub sent).
    pub prs_merged_before_created: u64,
    /// Items GitHub sent that could not be read: skipped, retried by the next run.
    pub items_skipped: u64,
    /// The first of them: its URL and what is wrong with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_skipped_item: Option<SkippedItem>,
    /// The repository's new `owner/name` when GitHub redirected to a renamed or transferred
    /// repository: put it in `REPOSITORIES`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
    #[serde(skip)]
    pub(crate) state: RepositoryStatus,
    /// Time spent in store calls (each one statement or transaction).
    #[serde(skip)]
    pub(crate) db: DurationStats,
}

impl RepositoryOutcome {
    pub(crate) fn new(repository: String) -> Self {
        Self {
            repository,
            status: "complete",
            error: None,
            failure: None,
            pages: 0,
            pages_refetched: 0,
            not_modified: false,
            prs_seen: 0,
            prs_inserted: 0,
            prs_updated: 0,
            prs_unchanged: 0,
            prs_merged_before_created: 0,
            items_skipped: 0,
            first_skipped_item: None,
            moved_to: None,
            state: RepositoryStatus::Complete,
            db: DurationStats::default(),
        }
    }

    pub(crate) fn finish(&mut self, status: RepositoryStatus) {
        (self.status, self.error, self.failure) = match &status {
            RepositoryStatus::Complete => ("complete", None, None),
            RepositoryStatus::OutOfBudget { reason } => ("incomplete", Some(reason.clone()), None),
            RepositoryStatus::Failed { message, kind } => {
                ("failed", Some(message.clone()), Some(*kind))
            }
        };
        self.state = status;
    }
}

/// A repository GitHub reported under a new name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenamedRepository {
    /// As configured in `REPOSITORIES`.
    pub repository: String,
    /// Its name now, to put in `REPOSITORIES`.
    pub moved_to: String,
}

/// The run's summary: the JSON line `dorameter sync` prints and the Lambda returns.
#[derive(Debug, Clone, Serialize)]
pub struct SyncSummary {
    pub run_id: String,
    pub repositories: usize,
    /// Pages fetched, those fetched again included.
    pub pages: u64,
    /// Pages fetched a second time (see [`RepositoryOutcome::pages_refetched`]).
    pub pages_refetched: u64,
    /// HTTP requests to GitHub, retries included.
    pub requests: u64,
    /// `304 Not Modified` answers (free under GitHub's rate limit).
    pub not_modified: u64,
    /// PRs fetched that were newer than each repository's floor.
    pub prs_fetched: u64,
    /// PRs inserted or changed.
    pub prs_upserted: u64,
    /// PRs compared with the stored copy and left as they were (never those a failed page or a
    /// dry run did not write).
    pub prs_unchanged: u64,
    /// PRs kept whose `merged_at` lies before their `created_at`.
    pub prs_merged_before_created: u64,
    /// Items GitHub sent that could not be read, skipped (each repository goes on; the next
    /// run tries them again).
    pub items_skipped: u64,
    /// The first skipped item of the run: its URL and what is wrong with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_skipped_item: Option<SkippedItem>,
    pub retries: u64,
    pub github_api_errors: u64,
    /// Rate-limit pauses (primary limit, reserve, or secondary limit) that held requests back:
    /// one per pause, however many requests waited for it.
    pub rate_limit_waits: u64,
    /// Wall-clock seconds requests were held back by those pauses.
    pub rate_limit_wait_seconds: f64,
    pub duration_seconds: f64,
    /// Every repository walked to the end.
    pub complete: bool,
    pub dry_run: bool,
    /// Why the run stopped before syncing any repository (the team config could not be read
    /// or written); absent when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Repositories that failed, with the reason.
    pub failed: Vec<String>,
    /// Repositories stopped by the time budget (resumed by the next run); each detail says why.
    pub incomplete: Vec<String>,
    /// Repositories GitHub redirected to a new name: update `REPOSITORIES`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub renamed: Vec<RenamedRepository>,
    /// Team config changes written at the start of the run.
    pub team_changes: usize,
    /// Durations of the run's store calls (team sync, sync-state reads, page commits).
    pub db_duration_ms: DurationStats,
    pub details: Vec<RepositoryOutcome>,
}

impl SyncSummary {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        run_id: String,
        mut details: Vec<RepositoryOutcome>,
        team_changes: Option<&TeamChanges>,
        team_sync_db: DurationStats,
        before: &GithubStats,
        after: &GithubStats,
        duration: Duration,
        dry_run: bool,
    ) -> Self {
        details.sort_by(|a, b| a.repository.cmp(&b.repository));
        let by_state = |wanted: fn(&RepositoryStatus) -> bool| -> Vec<String> {
            details
                .iter()
                .filter(|d| wanted(&d.state))
                .map(|d| d.repository.clone())
                .collect()
        };
        let failed = by_state(|s| matches!(s, RepositoryStatus::Failed { .. }));
        let incomplete = by_state(|s| matches!(s, RepositoryStatus::OutOfBudget { .. }));
        let renamed = details
            .iter()
            .filter_map(|d| {
                Some(RenamedRepository {
                    repository: d.repository.clone(),
                    moved_to: d.moved_to.clone()?,
                })
            })
            .collect();
        let mut db_duration_ms = team_sync_db;
        for detail in &details {
            db_duration_ms.merge(&detail.db);
        }
        let prs_upserted: u64 = details.iter().map(|d| d.prs_inserted + d.prs_updated).sum();
        let prs_seen: u64 = details.iter().map(|d| d.prs_seen).sum();
        let team_changes = team_changes.map_or(0, |c| {
            c.teams_added.len()
                + c.teams_removed.len()
                + c.teams_changed.len()
                + c.members_added.len()
                + c.members_removed.len()
                + c.members_changed.len()
        });
        Self {
            run_id,
            repositories: details.len(),
            pages: details.iter().map(|d| d.pages).sum(),
            pages_refetched: details.iter().map(|d| d.pages_refetched).sum(),
            requests: after.requests.saturating_sub(before.requests),
            not_modified: after.not_modified.saturating_sub(before.not_modified),
            prs_fetched: prs_seen,
            prs_upserted,
            prs_unchanged: details.iter().map(|d| d.prs_unchanged).sum(),
            prs_merged_before_created: details.iter().map(|d| d.prs_merged_before_created).sum(),
            items_skipped: details.iter().map(|d| d.items_skipped).sum(),
            first_skipped_item: details.iter().find_map(|d| d.first_skipped_item.clone()),
            retries: after.retries.saturating_sub(before.retries),
            github_api_errors: after.api_errors.saturating_sub(before.api_errors),
            rate_limit_waits: after
                .rate_limit_waits
                .saturating_sub(before.rate_limit_waits),
            rate_limit_wait_seconds: (after.rate_limit_wait_seconds
                - before.rate_limit_wait_seconds)
                .max(0.0),
            duration_seconds: duration.as_secs_f64(),
            complete: failed.is_empty() && incomplete.is_empty(),
            dry_run,
            error: None,
            failed,
            incomplete,
            renamed,
            team_changes,
            db_duration_ms,
            details,
        }
    }

    /// The summary of a run that stopped before any repository: `complete` false, `error`
    /// saying why, nothing fetched or written. `run_id` is the run's (from
    /// [`crate::SyncError`]), or a new one when the run never began.
    pub fn not_started(
        run_id: Option<String>,
        repositories: usize,
        dry_run: bool,
        error: impl Into<String>,
    ) -> Self {
        Self {
            run_id: run_id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            repositories,
            pages: 0,
            pages_refetched: 0,
            requests: 0,
            not_modified: 0,
            prs_fetched: 0,
            prs_upserted: 0,
            prs_unchanged: 0,
            prs_merged_before_created: 0,
            items_skipped: 0,
            first_skipped_item: None,
            retries: 0,
            github_api_errors: 0,
            rate_limit_waits: 0,
            rate_limit_wait_seconds: 0.0,
            duration_seconds: 0.0,
            complete: false,
            dry_run,
            error: Some(error.into()),
            failed: Vec::new(),
            incomplete: Vec::new(),
            renamed: Vec::new(),
            team_changes: 0,
            db_duration_ms: DurationStats::default(),
            details: Vec::new(),
        }
    }

    /// Whether GitHub rejected the token for some repository (it may have been rotated).
    pub fn token_rejected(&self) -> bool {
        self.details
            .iter()
            .any(|d| d.failure == Some(FailureKind::TokenRejected))
    }

    /// Whether every failed repository failed for a reason that may go away by itself (so a
    /// retry of the run can help). `false` when nothing failed.
    pub fn failures_are_transient(&self) -> bool {
        let mut failures = self.details.iter().filter_map(|d| d.failure).peekable();
        failures.peek().is_some() && failures.all(|kind| kind == FailureKind::Transient)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prs_unchanged_counts_only_what_was_compared_with_the_stored_copy() {
        // 100 PRs fetched, the page's commit failed: nothing was compared.
        let mut failed = RepositoryOutcome::new("acme/app".into());
        failed.prs_seen = 100;
        failed.finish(RepositoryStatus::Failed {
            message: "storing a page: …".into(),
            kind: FailureKind::Transient,
        });
        let mut synced = RepositoryOutcome::new("acme/lib".into());
        (synced.prs_seen, synced.prs_inserted, synced.prs_unchanged) = (50, 10, 40);
        synced.finish(RepositoryStatus::OutOfBudget {
            reason: "the run's time budget ran out between two pages".into(),
        });
        let stats = GithubStats::default();
        let summary = SyncSummary::new(
            "run".into(),
            vec![failed, synced],
            None,
            DurationStats::default(),
            &stats,
            &stats,
            Duration::ZERO,
            false,
        );
        assert_eq!((summary.prs_fetched, summary.prs_unchanged), (150, 40));
        assert_eq!(summary.incomplete, ["acme/lib"]);
        let reason = summary.details[1].error.as_deref();
        assert_eq!(
            reason,
            Some("the run's time budget ran out between two pages")
        );
    }
}
