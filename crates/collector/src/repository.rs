//! The walk of one repository: pages of closed PRs, newest update first, down to the floor
//! (`watermark - overlap`, or the backfill start), each page committed with the progress that
//! covers it.

use crate::summary::{FailureKind, RepositoryOutcome, RepositoryStatus};
use crate::{Backfill, SyncSettings};
use chrono::{DateTime, Utc};
use github::{GithubClient, GithubError, PageOutcome, PageRequest};
use std::time::Instant;
use store::{RepoSyncState, ResumePoint, Store, StoreError};

/// Why a walk stopped with an error.
struct Failure {
    message: String,
    kind: FailureKind,
}

impl Failure {
    fn store(doing: &str, error: StoreError) -> Self {
        let kind = if error.is_transient() {
            FailureKind::Transient
        } else {
            FailureKind::Permanent
        };
        Self {
            message: format!("{doing}: {error}"),
            kind,
        }
    }

    fn github(error: GithubError) -> Self {
        let kind = match &error {
            GithubError::Unauthorized { .. } => FailureKind::TokenRejected,
            e if e.is_transient() => FailureKind::Transient,
            _ => FailureKind::Permanent,
        };
        Self {
            message: error.to_string(),
            kind,
        }
    }
}

/// Where this walk starts and what it will record when it reaches its floor.
struct Walk {
    /// PRs updated before this are already stored (or out of the backfill's reach).
    floor: Option<DateTime<Utc>>,
    /// The watermark to record once the walk reaches `floor`: the newest `updated_at` seen on
    /// the walk's first page.
    target_watermark: Option<DateTime<Utc>>,
    /// The first page's ETag, recorded with the watermark.
    target_etag: Option<String>,
    /// What the last finished walk recorded, kept until this one finishes.
    previous_watermark: Option<DateTime<Utc>>,
    previous_etag: Option<String>,
}

/// Syncs one repository; never fails the run, the outcome says what happened.
pub async fn sync_repository(
    store: &Store,
    github: &GithubClient,
    repository: String,
    settings: &SyncSettings,
    deadline: Instant,
) -> RepositoryOutcome {
    let mut outcome = RepositoryOutcome::new(repository.clone());
    let status = match walk(store, github, &repository, settings, deadline, &mut outcome).await {
        Ok(status) => status,
        Err(Failure { message, kind }) => {
            tracing::error!(error = %message, ?kind, "repository failed");
            RepositoryStatus::Failed { message, kind }
        }
    };
    outcome.finish(status);
    outcome
}

async fn walk(
    store: &Store,
    github: &GithubClient,
    repository: &str,
    settings: &SyncSettings,
    deadline: Instant,
    outcome: &mut RepositoryOutcome,
) -> Result<RepositoryStatus, Failure> {
    let timer = Instant::now();
    let state = store.repo_sync_state(repository).await;
    outcome.db.record(timer.elapsed());
    let state = state.map_err(|e| Failure::store("reading sync state", e))?;
    let watermark = state.as_ref().and_then(|s| s.watermark);
    let previous_etag = state.as_ref().and_then(|s| s.etag.clone());
    let backfill_floor = match settings.backfill {
        Backfill::Since(t) => Some(t),
        Backfill::Full => None,
    };
    let (mut walk, mut next_url) = match state.as_ref().and_then(|s| s.resume.clone()) {
        // An earlier run stopped mid-walk: carry on from the page after its last commit.
        Some(resume) => {
            tracing::info!(next = %resume.next_url, "resuming an interrupted walk");
            let walk = Walk {
                floor: resume.floor,
                target_watermark: Some(resume.target_watermark),
                target_etag: resume.target_etag,
                previous_watermark: watermark,
                previous_etag: previous_etag.clone(),
            };
            (walk, Some(resume.next_url))
        }
        None => {
            let floor = watermark.map(|w| w - settings.overlap).or(backfill_floor);
            let walk = Walk {
                floor,
                target_watermark: None,
                target_etag: None,
                previous_watermark: watermark,
                previous_etag: previous_etag.clone(),
            };
            (walk, None)
        }
    };
    // Conditional only when the last walk finished: a 304 then means nothing changed since.
    let first_etag = if next_url.is_none() {
        previous_etag.clone()
    } else {
        None
    };
    let mut first = next_url.is_none();
    loop {
        let request = match (&next_url, first) {
            (None, true) => PageRequest::First {
                repository,
                etag: first_etag.as_deref(),
            },
            (Some(url), _) => PageRequest::Next {
                repository,
                url: url.as_str(),
            },
            (None, false) => return Ok(RepositoryStatus::Complete),
        };
        let page = match github.pulls_page(request, deadline).await {
            Ok(page) => page,
            Err(e) if e.is_out_of_budget() => {
                tracing::warn!(error = %e, "time budget exhausted; stopping between pages");
                return Ok(RepositoryStatus::OutOfBudget);
            }
            Err(e) => return Err(Failure::github(e)),
        };
        let (pulls, next, etag) = match page {
            PageOutcome::NotModified => {
                outcome.not_modified = true;
                return Ok(RepositoryStatus::Complete);
            }
            PageOutcome::Page { pulls, next, etag } => (pulls, next, etag),
        };
        outcome.pages += 1;
        if first {
            walk.target_watermark = pulls.iter().map(|p| p.updated_at).max().or(watermark);
            walk.target_etag = etag;
            first = false;
        }
        // Sorted by `updated_at` descending: once a PR is below the floor, so is the rest.
        let reached_floor = walk
            .floor
            .is_some_and(|floor| pulls.iter().any(|p| p.updated_at < floor));
        let fresh: Vec<_> = pulls
            .into_iter()
            .filter(|p| walk.floor.is_none_or(|floor| p.updated_at >= floor))
            .collect();
        let done = reached_floor || next.is_none();
        let state = progress(repository, &walk, if done { None } else { next.clone() });
        outcome.prs_seen += fresh.len() as u64;
        if !settings.dry_run {
            let timer = Instant::now();
            let counts = store.commit_page(&fresh, &state).await;
            outcome.db.record(timer.elapsed());
            let counts = counts.map_err(|e| Failure::store("storing a page", e))?;
            outcome.prs_inserted += counts.inserted;
            outcome.prs_updated += counts.updated;
        }
        if done {
            return Ok(RepositoryStatus::Complete);
        }
        next_url = next;
        if Instant::now() >= deadline {
            tracing::warn!("time budget exhausted; stopping between pages");
            return Ok(RepositoryStatus::OutOfBudget);
        }
    }
}

/// The state to commit with a page: the finished watermark when the walk is done (`next` is
/// `None`), else the point to resume from.
fn progress(repository: &str, walk: &Walk, next: Option<String>) -> RepoSyncState {
    let now = Utc::now();
    match (next, walk.target_watermark) {
        (Some(next_url), Some(target_watermark)) => RepoSyncState {
            repository: repository.to_owned(),
            watermark: walk.previous_watermark,
            etag: walk.previous_etag.clone(),
            reach: store::SyncReach::Nothing,
            resume: Some(ResumePoint {
                page_url: None,
                next_url,
                floor: walk.floor,
                target_watermark,
                target_etag: walk.target_etag.clone(),
            }),
            updated_at: now,
        },
        _ => RepoSyncState {
            repository: repository.to_owned(),
            watermark: walk.target_watermark,
            etag: walk.target_etag.clone(),
            reach: store::SyncReach::Nothing,
            resume: None,
            updated_at: now,
        },
    }
}
