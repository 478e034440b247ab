//! The collector's progress per repository: [`crate::Store::commit_page`] stores a page of PRs and the
//! repository's sync state in one transaction, so the recorded progress never runs ahead of what
//! is stored; [`crate::Store::repo_sync_state`] reads it back.

use super::pull_requests::upsert_in;
use super::{LockMode, Postgres, column, lock_attributions};
use crate::error::StoreError;
use crate::model::{RepoSyncState, SYNC_STATE_COLUMNS, SyncStateRow, UpsertCounts};
use domain::PullRequest;

impl Postgres {
    /// The collector's unit of progress: upserts one page of PRs (as
    /// [`crate::Store::upsert_pull_requests`]) and records `state` for its repository in the same
    /// transaction, so the watermark never runs ahead of what is stored.
    pub(crate) async fn commit_page(
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
    pub(crate) async fn repo_sync_state(
        &self,
        repository: &str,
    ) -> Result<Option<RepoSyncState>, StoreError> {
        let what = "reading the repository sync state";
        let client = self.client().await?;
        let row = client
            .query_opt(
                &format!("SELECT {SYNC_STATE_COLUMNS} FROM repo_sync_state WHERE repository = $1"),
                &[&repository],
            )
            .await
            .map_err(StoreError::query(what))?;
        row.map(|row| {
            Ok(SyncStateRow {
                repository: column(&row, 0, what)?,
                watermark: column(&row, 1, what)?,
                etag: column(&row, 2, what)?,
                updated_at: column(&row, 3, what)?,
                next_url: column(&row, 4, what)?,
                floor: column(&row, 5, what)?,
                target_watermark: column(&row, 6, what)?,
                target_etag: column(&row, 7, what)?,
                reach_since: column(&row, 8, what)?,
                reach_all: column(&row, 9, what)?,
                page_url: column(&row, 10, what)?,
            }
            .into_state())
        })
        .transpose()
    }
}
