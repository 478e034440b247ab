//! The collector's progress per repository on SQLite: [`crate::Store::commit_page`] stores a
//! page of PRs and the repository's sync state in one transaction;
//! [`crate::Store::repo_sync_state`] reads it back.

use super::pull_requests::upsert_in;
use super::{Sqlite, instant, micros, optional_instant};
use crate::error::StoreError;
use crate::model::{RepoSyncState, SYNC_STATE_COLUMNS, SyncStateRow, UpsertCounts};
use domain::PullRequest;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

impl Sqlite {
    /// See [`crate::Store::commit_page`].
    pub(crate) async fn commit_page(
        &self,
        prs: &[PullRequest],
        state: &RepoSyncState,
    ) -> Result<UpsertCounts, StoreError> {
        let prs = prs.to_vec();
        let state = state.clone();
        self.run("committing a page", move |c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::sqlite("starting the page transaction"))?;
            let counts = upsert_in(&tx, &prs)?;
            let resume = state.resume.as_ref();
            let (reach_since, reach_all) = state.reach.columns();
            tx.prepare_cached(
                "INSERT INTO repo_sync_state (repository, watermark, etag, resume_next_url,
                     resume_floor, resume_target_watermark, resume_target_etag, updated_at,
                     reach_since, reach_all, resume_page_url)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT (repository) DO UPDATE SET
                     watermark = excluded.watermark, etag = excluded.etag,
                     reach_since = excluded.reach_since, reach_all = excluded.reach_all,
                     resume_page_url = excluded.resume_page_url,
                     resume_next_url = excluded.resume_next_url,
                     resume_floor = excluded.resume_floor,
                     resume_target_watermark = excluded.resume_target_watermark,
                     resume_target_etag = excluded.resume_target_etag,
                     updated_at = excluded.updated_at",
            )
            .and_then(|mut s| {
                s.execute(params![
                    state.repository,
                    state.watermark.map(micros),
                    state.etag,
                    resume.map(|r| r.next_url.as_str()),
                    resume.and_then(|r| r.floor).map(micros),
                    resume.map(|r| micros(r.target_watermark)),
                    resume.and_then(|r| r.target_etag.as_deref()),
                    micros(state.updated_at),
                    reach_since.map(micros),
                    reach_all,
                    resume.and_then(|r| r.page_url.as_deref())
                ])
            })
            .map_err(StoreError::sqlite("recording the repository sync state"))?;
            tx.commit()
                .map_err(StoreError::sqlite("committing the page"))?;
            Ok(counts)
        })
        .await
    }

    /// See [`crate::Store::repo_sync_state`].
    pub(crate) async fn repo_sync_state(
        &self,
        repository: &str,
    ) -> Result<Option<RepoSyncState>, StoreError> {
        let what = "reading the repository sync state";
        let repository = repository.to_owned();
        self.run(what, move |c| {
            let row = c
                .query_row(
                    &format!(
                        "SELECT {SYNC_STATE_COLUMNS} FROM repo_sync_state WHERE repository = ?1"
                    ),
                    [&repository],
                    |r| {
                        Ok((
                            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
                            (r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?),
                            (r.get(8)?, r.get(9)?, r.get(10)?),
                        ))
                    },
                )
                .optional()
                .map_err(StoreError::sqlite(what))?;
            row.map(|(head, resume, tail)| {
                let (repository, watermark, etag, updated_at): (String, _, _, i64) = head;
                let (next_url, floor, target_watermark, target_etag) = resume;
                let (reach_since, reach_all, page_url) = tail;
                Ok(SyncStateRow {
                    repository,
                    watermark: optional_instant(watermark)?,
                    etag,
                    updated_at: instant(updated_at)?,
                    next_url,
                    floor: optional_instant(floor)?,
                    target_watermark: optional_instant(target_watermark)?,
                    target_etag,
                    reach_since: optional_instant(reach_since)?,
                    reach_all,
                    page_url,
                }
                .into_state())
            })
            .transpose()
        })
        .await
    }
}
