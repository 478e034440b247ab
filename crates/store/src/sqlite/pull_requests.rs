//! Pull requests on SQLite: the upsert keyed by `(repository, number)` (same rules as
//! PostgreSQL's: identical or older copies are not rewritten), the collector's page commit with
//! its sync state, and the metrics read.

use super::attribution::{Scope, recompute};
use super::{Sqlite, instant, micros, now_micros, optional_instant};
use crate::error::StoreError;
use crate::pull_requests::{UpsertCounts, latest_per_key};
use crate::sync_state::{RepoSyncState, ResumePoint, SyncReach};
use chrono::{DateTime, Utc};
use domain::{AttributedPr, PullRequest};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params, params_from_iter};

/// The compared columns, in the order of [`values`]; `updated_at` is the 9th.
const COLUMNS: [&str; 15] = [
    "github_id",
    "title",
    "state",
    "draft",
    "author_login",
    "author_id",
    "author_type",
    "created_at",
    "updated_at",
    "closed_at",
    "merged_at",
    "merge_commit_sha",
    "base_ref",
    "head_ref",
    "html_url",
];
const UPDATED_AT: usize = 8;

/// `pr`'s stored values for [`COLUMNS`].
fn values(pr: &PullRequest) -> Vec<Value> {
    let text = |s: Option<&str>| s.map_or(Value::Null, |s| Value::Text(s.to_owned()));
    let time = |t: Option<DateTime<Utc>>| t.map_or(Value::Null, |t| Value::Integer(micros(t)));
    let author = pr.author.as_ref();
    vec![
        Value::Integer(pr.github_id),
        Value::Text(pr.title.clone()),
        Value::Text(pr.state.clone()),
        Value::Integer(i64::from(pr.draft)),
        text(author.map(|a| a.login.as_str())),
        author.map_or(Value::Null, |a| Value::Integer(a.id)),
        text(author.map(|a| a.user_type.as_str())),
        time(Some(pr.created_at)),
        time(Some(pr.updated_at)),
        time(pr.closed_at),
        time(pr.merged_at),
        text(pr.merge_commit_sha.as_deref()),
        Value::Text(pr.base_ref.clone()),
        text(pr.head_ref.as_deref()),
        text(pr.html_url.as_deref()),
    ]
}

/// Stores `prs` and recomputes the attributions of those inserted or updated, within `tx`.
fn upsert_in(tx: &Connection, prs: &[PullRequest]) -> Result<UpsertCounts, StoreError> {
    let what = "upserting pull requests";
    let mut counts = UpsertCounts::default();
    let mut changed_ids = Vec::new();
    let select = format!(
        "SELECT id, {} FROM pull_requests WHERE repository = ?1 AND number = ?2",
        COLUMNS.join(", ")
    );
    let update = format!(
        "UPDATE pull_requests SET {}, last_changed_at = ?16 WHERE id = ?17",
        COLUMNS
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ?{}", i + 1))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let insert = format!(
        "INSERT INTO pull_requests (repository, number, first_seen_at, last_changed_at, {})
         VALUES (?1, ?2, ?3, ?3, {}) RETURNING id",
        COLUMNS.join(", "),
        (4..4 + COLUMNS.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let now = now_micros();
    for pr in latest_per_key(prs) {
        let new = values(pr);
        let stored: Option<(i64, Vec<Value>)> = tx
            .prepare_cached(&select)
            .and_then(|mut s| {
                s.query_row(params![pr.repository, pr.number], |row| {
                    let values = (1..=COLUMNS.len())
                        .map(|i| row.get::<_, Value>(i))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok((row.get(0)?, values))
                })
                .optional()
            })
            .map_err(StoreError::sqlite(what))?;
        match stored {
            None => {
                let head = [
                    Value::Text(pr.repository.clone()),
                    Value::Integer(pr.number),
                    Value::Integer(now),
                ];
                let id: i64 = tx
                    .prepare_cached(&insert)
                    .and_then(|mut s| {
                        s.query_row(params_from_iter(head.iter().chain(&new)), |row| row.get(0))
                    })
                    .map_err(StoreError::sqlite(what))?;
                counts.inserted += 1;
                changed_ids.push(id);
            }
            Some((id, old)) if is_newer_or_same(&new, &old) && old != new => {
                let tail = [Value::Integer(now), Value::Integer(id)];
                tx.prepare_cached(&update)
                    .and_then(|mut s| s.execute(params_from_iter(new.iter().chain(&tail))))
                    .map_err(StoreError::sqlite(what))?;
                counts.updated += 1;
                changed_ids.push(id);
            }
            Some(_) => counts.unchanged += 1,
        }
    }
    recompute(tx, Scope::Prs(&changed_ids))?;
    Ok(counts)
}

/// Whether the new copy's `updated_at` is not older than the stored one's.
fn is_newer_or_same(new: &[Value], old: &[Value]) -> bool {
    match (&new[UPDATED_AT], &old[UPDATED_AT]) {
        (Value::Integer(new), Value::Integer(old)) => new >= old,
        _ => true,
    }
}

impl Sqlite {
    /// See [`crate::Store::upsert_pull_requests`].
    pub(crate) async fn upsert_pull_requests(
        &self,
        prs: &[PullRequest],
    ) -> Result<UpsertCounts, StoreError> {
        let prs = prs.to_vec();
        self.run("upserting pull requests", move |c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::sqlite("starting the upsert transaction"))?;
            let counts = upsert_in(&tx, &prs)?;
            tx.commit()
                .map_err(StoreError::sqlite("committing the pull request upsert"))?;
            Ok(counts)
        })
        .await
    }

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
            struct Raw {
                repository: String,
                watermark: Option<i64>,
                etag: Option<String>,
                updated_at: i64,
                next: Option<String>,
                floor: Option<i64>,
                target: Option<i64>,
                target_etag: Option<String>,
                reach_since: Option<i64>,
                reach_all: bool,
                page_url: Option<String>,
            }
            let raw: Option<Raw> = c
                .query_row(
                    "SELECT repository, watermark, etag, updated_at, resume_next_url, resume_floor,
                            resume_target_watermark, resume_target_etag, reach_since, reach_all,
                            resume_page_url
                     FROM repo_sync_state WHERE repository = ?1",
                    [&repository],
                    |r| {
                        Ok(Raw {
                            repository: r.get(0)?,
                            watermark: r.get(1)?,
                            etag: r.get(2)?,
                            updated_at: r.get(3)?,
                            next: r.get(4)?,
                            floor: r.get(5)?,
                            target: r.get(6)?,
                            target_etag: r.get(7)?,
                            reach_since: r.get(8)?,
                            reach_all: r.get(9)?,
                            page_url: r.get(10)?,
                        })
                    },
                )
                .optional()
                .map_err(StoreError::sqlite(what))?;
            raw.map(|raw| {
                let resume = match (raw.next, raw.target) {
                    (Some(next_url), Some(target_watermark)) => Some(ResumePoint {
                        page_url: raw.page_url,
                        next_url,
                        floor: optional_instant(raw.floor)?,
                        target_watermark: instant(target_watermark)?,
                        target_etag: raw.target_etag,
                    }),
                    _ => None,
                };
                Ok(RepoSyncState {
                    repository: raw.repository,
                    watermark: optional_instant(raw.watermark)?,
                    etag: raw.etag,
                    reach: SyncReach::from_columns(
                        optional_instant(raw.reach_since)?,
                        raw.reach_all,
                    ),
                    resume,
                    updated_at: instant(raw.updated_at)?,
                })
            })
            .transpose()
        })
        .await
    }

    /// See [`crate::Store::attributed_prs`].
    pub(crate) async fn attributed_prs(
        &self,
        team_id: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<AttributedPr>, StoreError> {
        let what = "reading attributed pull requests";
        let team_id = team_id.to_owned();
        self.run(what, move |c| {
            let mut statement = c
                .prepare_cached(
                    "SELECT merged_at, weight, cycle_time_hours FROM pr_attributions
                     WHERE team_id = ?1 AND merged_at >= ?2 AND merged_at < ?3
                     ORDER BY merged_at, weight, cycle_time_hours",
                )
                .map_err(StoreError::sqlite(what))?;
            let rows = statement
                .query_map(params![team_id, micros(start), micros(end)], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get(1)?, row.get(2)?))
                })
                .map_err(StoreError::sqlite(what))?;
            let mut prs = Vec::new();
            for row in rows {
                let (merged_at, weight, cycle_time_hours) =
                    row.map_err(StoreError::sqlite(what))?;
                prs.push(AttributedPr {
                    merged_at: instant(merged_at)?,
                    weight,
                    cycle_time_hours,
                });
            }
            Ok(prs)
        })
        .await
    }
}
