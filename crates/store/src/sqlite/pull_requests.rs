//! Pull requests on SQLite: the upsert keyed by `(repository, number)` (same rules as
//! PostgreSQL's: identical or older copies are not rewritten), shared by
//! [`crate::Store::upsert_pull_requests`] and the collector's [`crate::Store::commit_page`].

use super::attribution::recompute;
use super::{Sqlite, micros, now_micros};
use crate::error::StoreError;
use crate::model::{Scope, UpsertCounts, latest_per_key};
use chrono::{DateTime, Utc};
use domain::PullRequest;
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
pub(super) fn upsert_in(tx: &Connection, prs: &[PullRequest]) -> Result<UpsertCounts, StoreError> {
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
}
