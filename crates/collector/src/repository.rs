//! The walk of one repository: pages of closed PRs, newest update first, down to the floor
//! (`watermark - overlap`, or the backfill start), each page committed with the progress that
//! covers it.
//!
//! Pages are numbered positions in a list that moves: a PR that leaves the `state=closed` list
//! (a closed-unmerged PR reopened, a PR deleted) moves every later PR up one place, so the first
//! PR of the next page ends up on the page already fetched. The walk therefore fetches the last
//! committed page again when it resumes in a later run, and whenever a page came long after the
//! previous one (a rate-limit wait, retries): that page's end then holds what shifted up. What
//! remains is a PR leaving the list in the moment between two page requests of one walk.

use crate::summary::{FailureKind, RepositoryOutcome, RepositoryStatus};
use crate::{Backfill, SyncSettings};
use chrono::{DateTime, Utc};
use domain::PullRequest;
use github::{GithubClient, GithubError, PageOutcome, PageRequest};
use std::time::Instant;
use store::{RepoSyncState, ResumePoint, Store, StoreError, SyncReach};

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

/// What the last finished walk recorded, kept until this walk finishes.
#[derive(Debug, Clone, Default, PartialEq)]
struct Finished {
    watermark: Option<DateTime<Utc>>,
    etag: Option<String>,
    reach: SyncReach,
}

/// Where this walk goes and what it will record when it reaches its floor.
#[derive(Debug, Clone, PartialEq)]
struct Walk {
    /// PRs updated before this are already stored (or out of the backfill's reach); `None`:
    /// walk all history.
    floor: Option<DateTime<Utc>>,
    /// The watermark to record once the walk reaches `floor`: the newest `updated_at` seen on
    /// the walk's first page (or first page with PRs).
    target_watermark: Option<DateTime<Utc>>,
    /// The first page's ETag, recorded with the watermark.
    target_etag: Option<String>,
    previous: Finished,
}

/// The first request of a walk.
#[derive(Debug, Clone, PartialEq)]
enum Start {
    /// The first page, conditional on the last finished walk's ETag when given.
    First { etag: Option<String> },
    /// An interrupted walk's stored URL: its last committed page (`refetch`), or, for resume
    /// points recorded before that was stored, the next page.
    Resume { url: String, refetch: bool },
}

/// A page already fetched by this walk, to fetch again if the next one comes much later.
struct Fetched {
    url: String,
    answered: Instant,
}

/// Decides how the walk of a repository in `state` goes for a run wanting PRs updated since
/// `wanted` (`None`: all history).
fn plan(
    state: Option<RepoSyncState>,
    wanted: Option<DateTime<Utc>>,
    overlap: chrono::Duration,
) -> (Walk, Start) {
    let (previous, resume) = match state {
        Some(s) => (
            Finished {
                watermark: s.watermark,
                etag: s.etag,
                reach: s.reach,
            },
            s.resume,
        ),
        None => (Finished::default(), None),
    };
    if let Some(resume) = resume {
        // An earlier run stopped mid-walk: carry on from its last committed page. A run asking
        // for more history than that walk would reach lowers its floor: the walk goes on down.
        let floor = if previous.reach.extended_to(resume.floor).covers(wanted) {
            resume.floor
        } else {
            wanted
        };
        let walk = Walk {
            floor,
            target_watermark: Some(resume.target_watermark),
            target_etag: resume.target_etag,
            previous,
        };
        let start = match resume.page_url {
            Some(url) => Start::Resume { url, refetch: true },
            None => Start::Resume {
                url: resume.next_url,
                refetch: false,
            },
        };
        return (walk, start);
    }
    match previous.watermark {
        // What is wanted was stored before: walk down to the watermark only, and a 304 on the
        // first page means nothing changed since.
        Some(watermark) if previous.reach.covers(wanted) => {
            let etag = previous.etag.clone();
            let walk = Walk {
                floor: Some(watermark - overlap),
                target_watermark: None,
                target_etag: None,
                previous,
            };
            (walk, Start::First { etag })
        }
        // First run, or more history wanted than was reached: walk down to the wanted floor,
        // unconditionally (the first page may be unchanged while older pages were never read).
        watermark => {
            let floor = match (wanted, watermark) {
                (Some(wanted), Some(w)) => Some(wanted.min(w - overlap)),
                (wanted, _) => wanted,
            };
            let walk = Walk {
                floor,
                target_watermark: None,
                target_etag: None,
                previous,
            };
            (walk, Start::First { etag: None })
        }
    }
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
    let (mut walk, start) = plan(state, wanted, settings.overlap);
    let (mut next_url, mut first_etag, mut resuming, mut refetching) = match start {
        Start::First { etag } => (None, etag, false, false),
        Start::Resume { url, refetch } => {
            tracing::info!(url = %url, refetch, "resuming an interrupted walk");
            (Some(url), None, true, refetch)
        }
    };
    let mut first = !resuming;
    let mut previous_page: Option<Fetched> = None;
    // The next page, requested while the current one was being committed.
    let mut prefetched: Option<(Result<PageOutcome, GithubError>, Instant)> = None;
    // Bounded by the deadline: every request either ends before it or stops the walk.
    loop {
        let (page, answered) = match prefetched.take() {
            Some(done) => done,
            None => {
                let request = match &next_url {
                    None => PageRequest::First {
                        repository,
                        etag: first_etag.as_deref(),
                    },
                    Some(url) => PageRequest::Next {
                        repository,
                        url: url.as_str(),
                    },
                };
                let page = github.pulls_page(request, deadline).await;
                (page, Instant::now())
            }
        };
        let page = match page {
            Ok(page) => page,
            Err(e) if e.is_out_of_budget() => return Ok(out_of_budget(&e)),
            Err(e) if resuming && stored_url_is_dead(&e) => {
                // Every later run would fail the same way: walk afresh down to the same floor.
                tracing::warn!(
                    error = %e,
                    "the interrupted walk's stored page cannot be fetched; starting a fresh walk"
                );
                (walk.target_watermark, walk.target_etag) = (None, None);
                (next_url, first_etag, first) = (None, None, true);
                (resuming, refetching) = (false, false);
                continue;
            }
            Err(e) => return Err(Failure::github(e)),
        };
        if refetching {
            outcome.pages_refetched += 1;
        }
        (resuming, refetching) = (false, false);
        let (url, mut pulls, next, etag) = match page {
            PageOutcome::NotModified => {
                outcome.not_modified = true;
                return Ok(RepositoryStatus::Complete);
            }
            PageOutcome::Page {
                url,
                pulls,
                next,
                etag,
            } => (url, pulls, next, etag),
        };
        outcome.pages += 1;
        let newest = pulls.iter().map(|p| p.updated_at).max();
        if first {
            walk.target_watermark = newest.or(walk.previous.watermark);
            walk.target_etag = etag;
            first = false;
        } else if walk.target_watermark.is_none() {
            // The first page was empty: the first PRs seen are the newest there are.
            walk.target_watermark = newest;
        }
        if let Some(previous) = previous_page.take()
            && answered.duration_since(previous.answered) > settings.refetch_after
        {
            match refetch(github, repository, &previous.url, deadline, outcome).await {
                Ok(again) => pulls.extend(again),
                Err(e) if e.is_out_of_budget() => return Ok(out_of_budget(&e)),
                Err(e) => return Err(Failure::github(e)),
            }
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
        let state = progress(repository, &walk, &url, next.as_deref());
        outcome.prs_seen += fresh.len() as u64;
        if !settings.dry_run {
            // GitHub answers the next page while PostgreSQL commits this one: still one request
            // at a time for the repository, and the store never waits on the network.
            let commit = async {
                let timer = Instant::now();
                let counts = store.commit_page(&fresh, &state).await;
                (counts, timer.elapsed())
            };
            let fetch_next = async {
                let url = next.as_deref()?;
                let request = PageRequest::Next { repository, url };
                let page = github.pulls_page(request, deadline).await;
                Some((page, Instant::now()))
            };
            let ((counts, took), fetched) = tokio::join!(commit, fetch_next);
            outcome.db.record(took);
            let counts = counts.map_err(|e| Failure::store("storing a page", e))?;
            outcome.prs_inserted += counts.inserted;
            outcome.prs_updated += counts.updated;
            prefetched = fetched;
        }
        let Some(next) = next else {
            return Ok(RepositoryStatus::Complete);
        };
        next_url = Some(next);
        previous_page = Some(Fetched { url, answered });
        if Instant::now() >= deadline {
            tracing::warn!("time budget exhausted; stopping between pages");
            return Ok(RepositoryStatus::OutOfBudget);
        }
    }
}

fn out_of_budget(error: &GithubError) -> RepositoryStatus {
    tracing::warn!(error = %error, "time budget exhausted; stopping between pages");
    RepositoryStatus::OutOfBudget
}

/// Fetches the previous page again, after the next one came long after it: PRs that left the
/// list in between moved the next page's first PRs to its end.
async fn refetch(
    github: &GithubClient,
    repository: &str,
    url: &str,
    deadline: Instant,
    outcome: &mut RepositoryOutcome,
) -> Result<Vec<PullRequest>, GithubError> {
    tracing::info!(
        url,
        "a page came long after the previous one; fetching that one again"
    );
    let request = PageRequest::Next { repository, url };
    match github.pulls_page(request, deadline).await? {
        PageOutcome::Page { pulls, .. } => {
            outcome.pages += 1;
            outcome.pages_refetched += 1;
            Ok(pulls)
        }
        // Not asked conditionally, so not expected; nothing to add then.
        PageOutcome::NotModified => Ok(Vec::new()),
    }
}

/// The state to commit with the page fetched from `url`: the point to resume from while there
/// is a `next` page, else the finished walk's watermark, first-page ETag and reach.
fn progress(repository: &str, walk: &Walk, url: &str, next: Option<&str>) -> RepoSyncState {
    let now = Utc::now();
    match next {
        Some(next_url) => RepoSyncState {
            repository: repository.to_owned(),
            watermark: walk.previous.watermark,
            etag: walk.previous.etag.clone(),
            reach: walk.previous.reach,
            resume: Some(ResumePoint {
                page_url: Some(url.to_owned()),
                next_url: next_url.to_owned(),
                floor: walk.floor,
                // No PR seen yet and none stored before: the floor (or the start of time) is
                // a watermark that can only make the next walk go further down.
                target_watermark: walk
                    .target_watermark
                    .or(walk.floor)
                    .unwrap_or(DateTime::UNIX_EPOCH),
                target_etag: walk.target_etag.clone(),
            }),
            updated_at: now,
        },
        None => RepoSyncState {
            repository: repository.to_owned(),
            watermark: walk.target_watermark.or(walk.previous.watermark),
            etag: walk.target_etag.clone(),
            reach: walk.previous.reach.extended_to(walk.floor),
            resume: None,
            updated_at: now,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, d, 0, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn finished(watermark: u32, reach: SyncReach) -> RepoSyncState {
        RepoSyncState {
            repository: "acme/app".into(),
            watermark: Some(day(watermark)),
            etag: Some("\"e\"".into()),
            reach,
            resume: None,
            updated_at: day(watermark),
        }
    }

    #[track_caller]
    fn check(
        state: Option<RepoSyncState>,
        wanted: Option<DateTime<Utc>>,
        floor: Option<DateTime<Utc>>,
        start: Start,
    ) {
        let (walk, got) = plan(state, wanted, Duration::days(1));
        assert_eq!((walk.floor, got), (floor, start));
    }

    #[test]
    fn a_walk_goes_down_to_the_watermark_unless_more_history_is_wanted_than_was_reached() {
        let first = || Start::First { etag: None };
        let conditional = || Start::First {
            etag: Some("\"e\"".into()),
        };
        // First run: the backfill floor.
        check(None, Some(day(1)), Some(day(1)), first());
        check(None, None, None, first());
        // Later runs wanting no more than was reached: the watermark minus the overlap.
        let reached = SyncReach::Since(day(5));
        check(
            Some(finished(20, reached)),
            Some(day(6)),
            Some(day(19)),
            conditional(),
        );
        check(
            Some(finished(20, SyncReach::All)),
            None,
            Some(day(19)),
            conditional(),
        );
        // More wanted (an earlier --since, --full, nothing known): down to it, unconditionally.
        check(
            Some(finished(20, reached)),
            Some(day(2)),
            Some(day(2)),
            first(),
        );
        check(Some(finished(20, reached)), None, None, first());
        check(
            Some(finished(20, SyncReach::Nothing)),
            Some(day(25)),
            Some(day(19)),
            first(),
        );
    }

    #[test]
    fn a_resumed_walk_starts_at_its_last_committed_page_and_goes_deeper_when_asked() {
        let interrupted = |page_url: Option<&str>| RepoSyncState {
            resume: Some(ResumePoint {
                page_url: page_url.map(str::to_owned),
                next_url: "https://x/repositories/1/pulls?page=4".into(),
                floor: Some(day(10)),
                target_watermark: day(25),
                target_etag: None,
            }),
            ..finished(20, SyncReach::Since(day(3)))
        };
        let page_3 = || Start::Resume {
            url: "https://x/repositories/1/pulls?page=3".into(),
            refetch: true,
        };
        let state = Some(interrupted(Some("https://x/repositories/1/pulls?page=3")));
        check(state.clone(), Some(day(4)), Some(day(10)), page_3());
        check(state.clone(), Some(day(2)), Some(day(2)), page_3());
        check(state, None, None, page_3());
        // Recorded before the page URL was stored: the next page.
        check(
            Some(interrupted(None)),
            Some(day(4)),
            Some(day(10)),
            Start::Resume {
                url: "https://x/repositories/1/pulls?page=4".into(),
                refetch: false,
            },
        );
    }

    #[test]
    fn an_empty_first_page_with_a_next_link_records_a_resume_point() {
        let walk = Walk {
            floor: Some(day(1)),
            target_watermark: None,
            target_etag: Some("\"empty\"".into()),
            previous: Finished::default(),
        };
        let state = progress(
            "acme/app",
            &walk,
            "https://x/p?page=1",
            Some("https://x/p?page=2"),
        );
        let resume = state
            .resume
            .expect("a resume point while there is a next page");
        assert_eq!(resume.next_url, "https://x/p?page=2");
        assert_eq!(resume.page_url.as_deref(), Some("https://x/p?page=1"));
        assert_eq!(resume.target_watermark, day(1));
        assert_eq!(state.watermark, None);
        let done = progress("acme/app", &walk, "https://x/p?page=9", None);
        assert_eq!((done.resume, done.reach), (None, SyncReach::Since(day(1))));
    }
}
