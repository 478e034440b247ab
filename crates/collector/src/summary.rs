//! What a run did: per repository and in total, printed as one JSON line.

use domain::TeamChanges;
use github::GithubStats;
use serde::Serialize;
use std::time::Duration;

/// How a repository's walk ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepositoryStatus {
    /// Walked down to what was already stored (or a 304 said nothing changed).
    Complete,
    /// The run's time budget ran out between pages; the next run resumes.
    OutOfBudget,
    /// GitHub or the database failed for this repository; the message says why.
    Failed(String),
}

/// One repository's part of a run.
#[derive(Debug, Clone, Serialize)]
pub struct RepositoryOutcome {
    pub repository: String,
    /// `complete`, `incomplete` or `failed`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub pages: u64,
    pub not_modified: bool,
    /// PRs on the fetched pages that were newer than the floor.
    pub prs_seen: u64,
    pub prs_inserted: u64,
    pub prs_updated: u64,
    #[serde(skip)]
    pub(crate) state: RepositoryStatus,
}

impl RepositoryOutcome {
    pub(crate) fn new(repository: String) -> Self {
        Self {
            repository,
            status: "complete",
            error: None,
            pages: 0,
            not_modified: false,
            prs_seen: 0,
            prs_inserted: 0,
            prs_updated: 0,
            state: RepositoryStatus::Complete,
        }
    }

    pub(crate) fn finish(&mut self, status: RepositoryStatus) {
        (self.status, self.error) = match &status {
            RepositoryStatus::Complete => ("complete", None),
            RepositoryStatus::OutOfBudget => ("incomplete", None),
            RepositoryStatus::Failed(message) => ("failed", Some(message.clone())),
        };
        self.state = status;
    }
}

/// The run's summary: the JSON line `dorameter sync` prints and the Lambda returns.
#[derive(Debug, Clone, Serialize)]
pub struct SyncSummary {
    pub run_id: String,
    pub repositories: usize,
    pub pages: u64,
    /// HTTP requests to GitHub, retries included.
    pub requests: u64,
    /// `304 Not Modified` answers (free under GitHub's rate limit).
    pub not_modified: u64,
    /// PRs fetched that were newer than each repository's floor.
    pub prs_fetched: u64,
    /// PRs inserted or changed.
    pub prs_upserted: u64,
    /// PRs fetched that were already stored as they are.
    pub prs_unchanged: u64,
    pub retries: u64,
    pub github_api_errors: u64,
    pub rate_limit_waits: u64,
    pub rate_limit_wait_seconds: f64,
    pub duration_seconds: f64,
    /// Every repository walked to the end.
    pub complete: bool,
    pub dry_run: bool,
    /// Repositories that failed, with the reason.
    pub failed: Vec<String>,
    /// Repositories stopped by the time budget (resumed by the next run).
    pub incomplete: Vec<String>,
    /// Team config changes written at the start of the run.
    pub team_changes: usize,
    pub details: Vec<RepositoryOutcome>,
}

impl SyncSummary {
    pub(crate) fn new(
        run_id: String,
        mut details: Vec<RepositoryOutcome>,
        team_changes: Option<&TeamChanges>,
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
        let failed = by_state(|s| matches!(s, RepositoryStatus::Failed(_)));
        let incomplete = by_state(|s| matches!(s, RepositoryStatus::OutOfBudget));
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
            requests: after.requests.saturating_sub(before.requests),
            not_modified: after.not_modified.saturating_sub(before.not_modified),
            prs_fetched: prs_seen,
            prs_upserted,
            prs_unchanged: if dry_run {
                0
            } else {
                prs_seen.saturating_sub(prs_upserted)
            },
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
            failed,
            incomplete,
            team_changes,
            details,
        }
    }
}
