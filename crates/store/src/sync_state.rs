//! The collector's progress per repository: [`Store::commit_page`] stores a page of PRs and the
//! repository's sync state in one transaction, so the recorded progress never runs ahead of what
//! is stored; [`Store::repo_sync_state`] reads it back.

use crate::error::StoreError;
use crate::pull_requests::{UpsertCounts, upsert_in};
use crate::{LockMode, Postgres, column, lock_attributions};
use chrono::{DateTime, Utc};
use domain::PullRequest;

/// How far the collector has synced one repository; committed atomically with a page of PRs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoSyncState {
    /// `owner/name`, lowercased, as in [`PullRequest::repository`].
    pub repository: String,
    /// The highest PR `updated_at` fully committed: the next run asks for PRs updated since.
    pub watermark: Option<DateTime<Utc>>,
    /// ETag of the first page last fetched, for conditional requests.
    pub etag: Option<String>,
    /// How far back finished walks have stored the repository's history.
    pub reach: SyncReach,
    /// Where an interrupted walk picks up; `None` when the last walk finished.
    pub resume: Option<ResumePoint>,
    /// When the collector committed this state (the caller's clock, stored as given).
    pub updated_at: DateTime<Utc>,
}

/// How far back a repository's history has been walked by finished walks: a later run that asks
/// for more walks down again (that policy is the collector's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncReach {
    /// Nothing is known to be stored.
    #[default]
    Nothing,
    /// Every PR updated at or after this instant was stored.
    Since(DateTime<Utc>),
    /// All history was walked.
    All,
}

impl SyncReach {
    /// As stored: (`reach_since`, `reach_all`).
    pub(crate) fn columns(self) -> (Option<DateTime<Utc>>, bool) {
        match self {
            SyncReach::Nothing => (None, false),
            SyncReach::Since(t) => (Some(t), false),
            SyncReach::All => (None, true),
        }
    }

    /// From the stored (`reach_since`, `reach_all`).
    pub(crate) fn from_columns(since: Option<DateTime<Utc>>, all: bool) -> Self {
        match (since, all) {
            (_, true) => SyncReach::All,
            (Some(t), false) => SyncReach::Since(t),
            (None, false) => SyncReach::Nothing,
        }
    }
}

/// Where the collector resumes a walk over a repository's PRs that ran out of time between pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumePoint {
    /// The page committed last, fetched again before continuing to its `next` (PRs that left
    /// the list since shift the later pages up). `None` in resume points recorded before this
    /// was stored; they continue at `next_url`.
    pub page_url: Option<String>,
    /// The next page to fetch.
    pub next_url: String,
    /// PRs updated before this were already stored when the walk started.
    pub floor: Option<DateTime<Utc>>,
    /// The watermark to record once the walk finishes.
    pub target_watermark: DateTime<Utc>,
    /// The first page's ETag, recorded with that watermark.
    pub target_etag: Option<String>,
}

impl Postgres {
    /// The collector's unit of progress: upserts one page of PRs (as
    /// [`Store::upsert_pull_requests`]) and records `state` for its repository in the same
    /// transaction, so the watermark never runs ahead of what is stored.
    pub async fn commit_page(
        &self,
        prs: &[PullRequest],
        state: &RepoSyncState,
    ) -> Result<UpsertCounts, StoreError> {
        let mut client = self.client().await?;
        let tx = client
            .transaction()
            .await
            .map_err(StoreError::query("starting the page transaction"))?;
        lock_attributions(&tx, LockMode::Shared).await?;
        // GitHub is the source of truth and the page commits atomically with the progress that
        // covers it: if the server crashes before this commit reaches disk, both are lost
        // together and the next run fetches the page again. So the page need not wait for the
        // WAL flush, which is most of a small commit's cost.
        tx.batch_execute("SET LOCAL synchronous_commit TO off")
            .await
            .map_err(StoreError::query("relaxing commit durability for a page"))?;
        let counts = upsert_in(&tx, prs).await?;
        let resume = state.resume.as_ref();
        let what = "recording the repository sync state";
        let statement = tx
            .prepare_cached(
                "INSERT INTO repo_sync_state (repository, watermark, etag, resume_next_url,
                 resume_floor, resume_target_watermark, resume_target_etag, updated_at,
                 reach_since, reach_all, resume_page_url)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (repository) DO UPDATE SET
                 watermark = EXCLUDED.watermark, etag = EXCLUDED.etag,
                 reach_since = EXCLUDED.reach_since, reach_all = EXCLUDED.reach_all,
                 resume_page_url = EXCLUDED.resume_page_url,
                 resume_next_url = EXCLUDED.resume_next_url,
                 resume_floor = EXCLUDED.resume_floor,
                 resume_target_watermark = EXCLUDED.resume_target_watermark,
                 resume_target_etag = EXCLUDED.resume_target_etag,
                 updated_at = EXCLUDED.updated_at",
            )
            .await
            .map_err(StoreError::query(what))?;
        let (reach_since, reach_all) = state.reach.columns();
        tx.execute(
            &statement,
            &[
                &state.repository,
                &state.watermark,
                &state.etag,
                &resume.map(|r| r.next_url.as_str()),
                &resume.and_then(|r| r.floor),
                &resume.map(|r| r.target_watermark),
                &resume.and_then(|r| r.target_etag.as_deref()),
                &state.updated_at,
                &reach_since,
                &reach_all,
                &resume.and_then(|r| r.page_url.as_deref()),
            ],
        )
        .await
        .map_err(StoreError::query(what))?;
        tx.commit()
            .await
            .map_err(StoreError::query("committing the page"))?;
        Ok(counts)
    }

    /// The last committed sync state of `repository`, if it was ever synced.
    pub async fn repo_sync_state(
        &self,
        repository: &str,
    ) -> Result<Option<RepoSyncState>, StoreError> {
        let what = "reading the repository sync state";
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT repository, watermark, etag, updated_at, resume_next_url, resume_floor,
                        resume_target_watermark, resume_target_etag, reach_since, reach_all,
                        resume_page_url
                 FROM repo_sync_state WHERE repository = $1",
                &[&repository],
            )
            .await
            .map_err(StoreError::query(what))?;
        row.map(|row| {
            let next_url: Option<String> = column(&row, 4, what)?;
            let target_watermark: Option<DateTime<Utc>> = column(&row, 6, what)?;
            let resume = match (next_url, target_watermark) {
                (Some(next_url), Some(target_watermark)) => Some(ResumePoint {
                    page_url: column(&row, 10, what)?,
                    next_url,
                    floor: column(&row, 5, what)?,
                    target_watermark,
                    target_etag: column(&row, 7, what)?,
                }),
                _ => None,
            };
            Ok(RepoSyncState {
                repository: column(&row, 0, what)?,
                watermark: column(&row, 1, what)?,
                etag: column(&row, 2, what)?,
                reach: SyncReach::from_columns(column(&row, 8, what)?, column(&row, 9, what)?),
                resume,
                updated_at: column(&row, 3, what)?,
            })
        })
        .transpose()
    }
}
