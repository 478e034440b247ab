//! The walk of one repository: pages of closed PRs, newest update first, down to the floor
//! (`watermark - overlap`, or the backfill start), each page committed with the progress that
//! covers it. This is the I/O loop; where to go next is the [`Cursor`]'s, how deep and what to
//! record is [`plan`]'s.

use crate::cursor::Cursor;
use crate::plan::{Walk, plan, progress};
use crate::summary::{FailureKind, RepositoryOutcome, RepositoryStatus};
use crate::{Backfill, SyncSettings};
use domain::PullRequest;
use github::{GithubClient, GithubError, PageOutcome, PageRequest, SkippedItem};
use std::time::Instant;
use store::{RepoSyncState, Store, StoreError};

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

/// What the requests for one cursor position brought: the page, and the previous page asked
/// again after it (see [`Cursor::to_recheck`]).
struct Step {
    page: Result<PageOutcome, GithubError>,
    recheck: Option<Result<PageOutcome, GithubError>>,
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

/// The stored state; in a dry run, a database without the store's schema has none.
async fn read_state(
    store: &Store,
    repository: &str,
    dry_run: bool,
    outcome: &mut RepositoryOutcome,
) -> Result<Option<RepoSyncState>, Failure> {
    let timer = Instant::now();
    let state = store.repo_sync_state(repository).await;
    outcome.db.record(timer.elapsed());
    match state {
        Ok(state) => Ok(state),
        Err(e) if dry_run && e.is_missing_schema() => {
            tracing::warn!(
                error = %e,
                "the database is not migrated: the dry run treats the repository as never synced"
            );
            Ok(None)
        }
        Err(e) => Err(Failure::store("reading sync state", e)),
    }
}

/// Whether a failed request for a stored URL should drop it for a fresh walk: it will never
/// work (the API base changed, the repository moved, GitHub refuses the URL), as opposed to
/// GitHub being down or the token being rejected.
fn stored_url_is_dead(error: &GithubError) -> bool {
    !error.is_transient()
        && !matches!(
            error,
            GithubError::Unauthorized { .. } | GithubError::MalformedPayload { .. }
        )
}

/// The requests for `cursor`: its page, then (once that is answered) the page before it,
/// conditionally on that page's ETag. `None` when the walk is over.
async fn fetch_step(
    github: &GithubClient,
    repository: &str,
    cursor: &Cursor,
    deadline: Instant,
) -> Option<Step> {
    let request = match cursor {
        Cursor::First { etag } => PageRequest::First {
            repository,
            etag: etag.as_deref(),
        },
        Cursor::Resume { url, .. } | Cursor::Next { url, .. } => PageRequest::Next {
            repository,
            url: url.as_str(),
        },
        Cursor::Done(_) => return None,
    };
    let page = github.pulls_page(request, deadline).await;
    let recheck = match (&page, cursor.to_recheck()) {
        (Ok(_), Some(previous)) => {
            let request = PageRequest::Again {
                repository,
                url: &previous.url,
                etag: previous.etag.as_deref(),
            };
            Some(github.pulls_page(request, deadline).await)
        }
        _ => None,
    };
    Some(Step { page, recheck })
}

async fn walk(
    store: &Store,
    github: &GithubClient,
    repository: &str,
    settings: &SyncSettings,
    deadline: Instant,
    outcome: &mut RepositoryOutcome,
) -> Result<RepositoryStatus, Failure> {
    let state = read_state(store, repository, settings.dry_run, outcome).await?;
    let wanted = match settings.backfill {
        Backfill::Since(t) => Some(t),
        Backfill::Full => None,
    };
    let (mut walk, mut cursor) = plan(state, wanted, settings.overlap);
    if let Cursor::Resume { url, refetch } = &cursor {
        tracing::info!(url = %url, refetch, "resuming an interrupted walk");
    }
    // The next position's requests, sent while the current page was being committed.
    let mut prefetched: Option<Step> = None;
    // Bounded by the deadline: every request either ends before it or stops the walk.
    loop {
        let step = match prefetched.take() {
            Some(step) => step,
            None => match fetch_step(github, repository, &cursor, deadline).await {
                Some(step) => step,
                None => return Ok(RepositoryStatus::Complete),
            },
        };
        let page = match step.page {
            Ok(page) => page,
            Err(e) if e.is_out_of_budget() => return Ok(out_of_budget(&e)),
            Err(e) if cursor.resuming() && stored_url_is_dead(&e) => {
                // Every later run would fail the same way: walk afresh down to the same floor.
                tracing::warn!(
                    error = %e,
                    "the interrupted walk's stored page cannot be fetched; starting a fresh walk"
                );
                walk.restart();
                cursor = cursor.stored_url_dead();
                continue;
            }
            Err(e) => return Err(Failure::github(e)),
        };
        let (url, mut pulls, next, etag, skipped, moved_to) = match page {
            PageOutcome::NotModified | PageOutcome::Unchanged => {
                outcome.not_modified = true;
                cursor = cursor.not_modified();
                continue;
            }
            PageOutcome::Page {
                url,
                pulls,
                next,
                etag,
                skipped,
                moved_to,
            } => (url, pulls, next, etag, skipped, moved_to),
        };
        outcome.pages += 1;
        if cursor.refetching() {
            outcome.pages_refetched += 1;
        }
        if moved_to.is_some() {
            outcome.moved_to = moved_to;
        }
        walk.page_read(
            cursor.at_first_page(),
            pulls.iter().map(|p| p.updated_at).max(),
            etag.clone(),
        );
        note_skipped(&mut walk, outcome, &skipped, &pulls);
        match step.recheck {
            None | Some(Ok(PageOutcome::Unchanged | PageOutcome::NotModified)) => {}
            Some(Ok(PageOutcome::Page {
                pulls: again,
                skipped,
                ..
            })) => {
                tracing::info!(
                    "the previous page changed while the walk moved on; its PRs are added"
                );
                outcome.pages += 1;
                outcome.pages_refetched += 1;
                note_skipped(&mut walk, outcome, &skipped, &again);
                merge_into(&mut pulls, again);
            }
            Some(Err(e)) if e.is_out_of_budget() => return Ok(out_of_budget(&e)),
            Some(Err(e)) => return Err(Failure::github(e)),
        }
        // Sorted by `updated_at` descending: once a PR is below the floor, so is the rest.
        let reached_floor = walk
            .floor
            .is_some_and(|floor| pulls.iter().any(|p| p.updated_at < floor));
        let fresh: Vec<PullRequest> = pulls
            .into_iter()
            .filter(|p| walk.floor.is_none_or(|floor| p.updated_at >= floor))
            .collect();
        let next = next.filter(|_| !reached_floor);
        let state = progress(repository, &walk, &url, next.as_deref(), chrono::Utc::now());
        outcome.prs_seen += fresh.len() as u64;
        outcome.prs_merged_before_created += fresh
            .iter()
            .filter(|p| p.merged_at.is_some_and(|m| m < p.created_at))
            .count() as u64;
        cursor = cursor.page_answered(url, etag, next);
        if !settings.dry_run {
            // GitHub answers the next requests while the database commits this page: still one
            // request at a time for the repository, and the store never waits on the network.
            let commit = async {
                let timer = Instant::now();
                let counts = store.commit_page(&fresh, &state).await;
                (counts, timer.elapsed())
            };
            let fetch_next = fetch_step(github, repository, &cursor, deadline);
            let ((counts, took), fetched) = tokio::join!(commit, fetch_next);
            outcome.db.record(took);
            let counts = counts.map_err(|e| Failure::store("storing a page", e))?;
            outcome.prs_inserted += counts.inserted;
            outcome.prs_updated += counts.updated;
            outcome.prs_unchanged += counts.unchanged;
            prefetched = fetched;
        }
        if let Cursor::Done(ending) = cursor {
            tracing::debug!(?ending, "walk finished");
            return Ok(RepositoryStatus::Complete);
        }
        if Instant::now() >= deadline {
            tracing::warn!("time budget exhausted; stopping between pages");
            return Ok(RepositoryStatus::OutOfBudget {
                reason: "the run's time budget ran out between two pages".to_owned(),
            });
        }
    }
}

/// Counts the items of a page that could not be read and keeps the recorded watermark from
/// passing them (`pulls`: the page's readable PRs).
fn note_skipped(
    walk: &mut Walk,
    outcome: &mut RepositoryOutcome,
    skipped: &[SkippedItem],
    pulls: &[PullRequest],
) {
    if skipped.is_empty() {
        return;
    }
    walk.items_skipped(pulls.iter().map(|p| p.updated_at).min());
    outcome.items_skipped += skipped.len() as u64;
    if outcome.first_skipped_item.is_none() {
        outcome.first_skipped_item = skipped.first().cloned();
    }
}

/// Adds the PRs of a page asked again to this page's: a PR on both (it moved between the two
/// requests) is kept once, in its newer version, as one statement cannot write a row twice.
fn merge_into(pulls: &mut Vec<PullRequest>, again: Vec<PullRequest>) {
    let mut index: std::collections::HashMap<i64, usize> = pulls
        .iter()
        .enumerate()
        .map(|(i, p)| (p.number, i))
        .collect();
    for pull in again {
        match index.get(&pull.number) {
            Some(&i) if pulls[i].updated_at < pull.updated_at => pulls[i] = pull,
            Some(_) => {}
            None => {
                index.insert(pull.number, pulls.len());
                pulls.push(pull);
            }
        }
    }
}

fn out_of_budget(error: &GithubError) -> RepositoryStatus {
    tracing::warn!(error = %error, "time budget exhausted; stopping between pages");
    RepositoryStatus::OutOfBudget {
        reason: error.to_string(),
    }
}
