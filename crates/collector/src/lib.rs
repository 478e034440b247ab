//! One collector run, the same function behind `dorameter sync` and the scheduled Lambda:
//! write the team config, then walk every repository's closed PRs from GitHub (newest update
//! first) down to what an earlier run already stored, committing each page with the
//! repository's progress in one transaction.
//!
//! Nothing is lost or stored twice whatever stops a run: PR upserts are idempotent, a page and
//! the progress that covers it commit together, the watermark moves only when a walk reaches
//! it, and an interrupted walk resumes by fetching its last committed page again (PRs that left
//! the list since moved the later ones up) and continuing from there. A run that asks for more
//! history than earlier runs reached (`--full`, an earlier `--since`) walks down to it. After
//! each next page, the page before it is asked again conditionally (a `304` when nothing
//! moved), so a PR that leaves the list between two requests never hides another one.
//!
//! One odd item never blocks a repository: GitHub's client skips an item it cannot read, the
//! walk counts it and keeps the recorded watermark below it, so the next run tries it again.

mod cursor;
mod plan;
mod reach;
mod repository;
pub mod settings;
mod summary;

pub use github::SkippedItem;
pub use store::SyncReach;
pub use summary::{DurationStats, FailureKind, RenamedRepository, RepositoryOutcome, SyncSummary};

use chrono::{DateTime, Duration as Span, Utc};
use futures_util::StreamExt;
use github::GithubClient;
use std::time::{Duration, Instant};
use store::Store;
use thiserror::Error;

/// Why a run could not even start.
#[derive(Debug, Error)]
pub enum CollectorError {
    /// The team config could not be written.
    #[error("while writing the team config: {0}")]
    TeamSync(#[source] store::StoreError),
    /// A repository name is not `owner/name`.
    #[error("invalid repository {0:?} in REPOSITORIES: expected owner/name")]
    InvalidRepository(String),
}

impl CollectorError {
    /// Whether trying the run again later may succeed with nothing changed (the database was
    /// down); `false` for configuration problems.
    pub fn is_transient(&self) -> bool {
        match self {
            CollectorError::TeamSync(e) => e.is_transient(),
            CollectorError::InvalidRepository(_) => false,
        }
    }
}

/// How far back the first run of a repository reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backfill {
    /// PRs updated since this instant.
    Since(DateTime<Utc>),
    /// All history.
    Full,
}

/// What one run does.
#[derive(Debug, Clone)]
pub struct SyncSettings {
    /// `owner/name` of each repository (case-insensitive).
    pub repositories: Vec<String>,
    /// Reach of a repository's first run.
    pub backfill: Backfill,
    /// Later runs walk down to `watermark - overlap`, so a PR updated while a run was paging
    /// is not missed.
    pub overlap: Span,
    /// Wall-clock budget of the run; it stops between pages when this runs out.
    pub budget: Duration,
    /// Repositories synced at once (one page chain each).
    pub concurrency: usize,
    /// Fetch and count, write nothing.
    pub dry_run: bool,
}

impl SyncSettings {
    /// Defaults: 365 days of backfill, 1 hour overlap, 10 minutes, 4 repositories at once.
    pub fn new(repositories: Vec<String>, now: DateTime<Utc>) -> Self {
        Self {
            repositories,
            backfill: Backfill::Since(now - Span::days(365)),
            overlap: Span::hours(1),
            budget: Duration::from_secs(600),
            concurrency: 4,
            dry_run: false,
        }
    }
}

/// Lowercases and checks `owner/name`.
pub fn normalize_repository(name: &str) -> Result<String, CollectorError> {
    let trimmed = name.trim();
    let valid_part = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    match trimmed.split_once('/') {
        Some((owner, repo)) if valid_part(owner) && valid_part(repo) => {
            Ok(trimmed.to_ascii_lowercase())
        }
        _ => Err(CollectorError::InvalidRepository(name.to_owned())),
    }
}

/// One full run: team config, then every repository. Repository failures are reported in the
/// summary (the others still complete); only a failure to start is an `Err`, which
/// [`SyncSummary::not_started`] turns into a summary.
pub async fn run_sync(
    store: &Store,
    github: &GithubClient,
    teams: &domain::TeamConfig,
    settings: &SyncSettings,
) -> Result<SyncSummary, SyncError> {
    let run_id = uuid::Uuid::new_v4().to_string();
    let span = tracing::info_span!("sync", run_id = %run_id, dry_run = settings.dry_run);
    tracing::Instrument::instrument(run(store, github, teams, settings, run_id.clone()), span)
        .await
        .map_err(|error| SyncError { run_id, error })
}

/// A run that could not start, with the id its logs carry.
#[derive(Debug, Error)]
#[error("sync run {run_id} could not start")]
pub struct SyncError {
    /// The run's id, as in its log lines.
    pub run_id: String,
    /// Why it could not start.
    #[source]
    pub error: CollectorError,
}

async fn run(
    store: &Store,
    github: &GithubClient,
    teams: &domain::TeamConfig,
    settings: &SyncSettings,
    run_id: String,
) -> Result<SyncSummary, CollectorError> {
    let started = Instant::now();
    // A budget too large for the clock is no budget at all: a century will do.
    let deadline = started
        .checked_add(settings.budget)
        .or_else(|| started.checked_add(Duration::from_secs(100 * 365 * 24 * 3600)))
        .unwrap_or(started);
    let repositories = settings
        .repositories
        .iter()
        .map(|r| normalize_repository(r))
        .collect::<Result<Vec<_>, _>>()?;
    let mut team_sync_db = summary::DurationStats::default();
    let team_changes = if settings.dry_run {
        None
    } else {
        let timer = Instant::now();
        let changes = store.sync_teams(teams).await;
        team_sync_db.record(timer.elapsed());
        Some(changes.map_err(|e| {
            tracing::error!(error = %e, "writing the team config failed; no repository synced");
            CollectorError::TeamSync(e)
        })?)
    };
    let stats_before = github.stats();
    let outcomes: Vec<RepositoryOutcome> = futures_util::stream::iter(repositories)
        .map(|repository| {
            let span = tracing::info_span!("repository", repository = %repository);
            let walk = repository::sync_repository(store, github, repository, settings, deadline);
            tracing::Instrument::instrument(walk, span)
        })
        .buffer_unordered(settings.concurrency.max(1))
        .collect()
        .await;
    let summary = SyncSummary::new(
        run_id,
        outcomes,
        team_changes.as_ref(),
        team_sync_db,
        &stats_before,
        &github.stats(),
        started.elapsed(),
        settings.dry_run,
    );
    tracing::info!(
        complete = summary.complete,
        prs_upserted = summary.prs_upserted,
        requests = summary.requests,
        "sync finished"
    );
    Ok(summary)
}
