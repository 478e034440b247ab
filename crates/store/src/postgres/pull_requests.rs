//! Pull requests: the batched upsert keyed by `(repository, number)`, shared by
//! [`crate::Store::upsert_pull_requests`] and the collector's
//! [`crate::Store::commit_page`].

use super::attribution;
use super::{LockMode, Postgres, column, lock_attributions};
use crate::error::StoreError;
use crate::model::{Scope, UpsertCounts, latest_per_key};
use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use domain::PullRequest;
use std::sync::LazyLock;

/// Rows per upsert statement: a collector page (100) is one statement; bulk loads are chunked
/// to keep parameter arrays small.
const UPSERT_CHUNK: usize = 5_000;

/// Inserts new PRs and updates changed ones. The WHERE clause skips rows where nothing differs
/// (so they are not rewritten) and rows older than the stored copy (a stale page never undoes a
/// newer one). `xmax = 0` tells an inserted row from an updated one.
const UPSERT: &str = "
    INSERT INTO pull_requests AS p (
        repository, number, github_id, title, state, draft, author_login, author_id, author_type,
        created_at, updated_at, closed_at, merged_at, merge_commit_sha, base_ref, head_ref, html_url)
    SELECT * FROM UNNEST(
        $1::text[], $2::int8[], $3::int8[], $4::text[], $5::text[], $6::bool[], $7::text[],
        $8::int8[], $9::text[], $10::timestamptz[], $11::timestamptz[], $12::timestamptz[],
        $13::timestamptz[], $14::text[], $15::text[], $16::text[], $17::text[])
    ON CONFLICT ON CONSTRAINT pull_requests_repository_number DO UPDATE SET
        github_id = EXCLUDED.github_id, title = EXCLUDED.title, state = EXCLUDED.state,
        draft = EXCLUDED.draft, author_login = EXCLUDED.author_login,
        author_id = EXCLUDED.author_id, author_type = EXCLUDED.author_type,
        created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
        closed_at = EXCLUDED.closed_at, merged_at = EXCLUDED.merged_at,
        merge_commit_sha = EXCLUDED.merge_commit_sha, base_ref = EXCLUDED.base_ref,
        head_ref = EXCLUDED.head_ref, html_url = EXCLUDED.html_url, last_changed_at = now()
    WHERE EXCLUDED.updated_at >= p.updated_at
      AND (p.github_id, p.title, p.state, p.draft, p.author_login, p.author_id, p.author_type,
           p.created_at, p.updated_at, p.closed_at, p.merged_at, p.merge_commit_sha, p.base_ref,
           p.head_ref, p.html_url)
          IS DISTINCT FROM
          (EXCLUDED.github_id, EXCLUDED.title, EXCLUDED.state, EXCLUDED.draft,
           EXCLUDED.author_login, EXCLUDED.author_id, EXCLUDED.author_type, EXCLUDED.created_at,
           EXCLUDED.updated_at, EXCLUDED.closed_at, EXCLUDED.merged_at,
           EXCLUDED.merge_commit_sha, EXCLUDED.base_ref, EXCLUDED.head_ref, EXCLUDED.html_url)
    RETURNING p.id, (p.xmax = 0) AS inserted, p.author_login, p.author_is_bot, p.created_at,
              p.merged_at";

/// [`UPSERT`] and, in the same statement, the attributions of the PRs it inserted (a new PR has
/// no stale attributions to delete, so it needs only the rule's INSERT, and reads its own row
/// from the statement instead of the table). Changed PRs are recomputed after it.
static UPSERT_AND_ATTRIBUTE_NEW: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH upserted AS ({UPSERT}), attributed AS ({}) SELECT id, inserted FROM upserted",
        attribution::insert_for_new_prs("upserted", "p.inserted")
    )
});

/// The one upsert: stores `prs` and recomputes the attributions of those that changed, within
/// `tx`. The caller holds the attribution lock (shared).
pub(crate) async fn upsert_in(
    tx: &Transaction<'_>,
    prs: &[PullRequest],
) -> Result<UpsertCounts, StoreError> {
    let distinct = latest_per_key(prs);
    let mut counts = UpsertCounts::default();
    let mut updated_ids = Vec::new();
    let statement = tx
        .prepare_cached(&UPSERT_AND_ATTRIBUTE_NEW)
        .await
        .map_err(StoreError::query("preparing the pull request upsert"))?;
    for chunk in distinct.chunks(UPSERT_CHUNK) {
        let c = Columns::of(chunk);
        let rows = tx
            .query(
                &statement,
                &[
                    &c.repository,
                    &c.number,
                    &c.github_id,
                    &c.title,
                    &c.state,
                    &c.draft,
                    &c.author_login,
                    &c.author_id,
                    &c.author_type,
                    &c.created_at,
                    &c.updated_at,
                    &c.closed_at,
                    &c.merged_at,
                    &c.merge_commit_sha,
                    &c.base_ref,
                    &c.head_ref,
                    &c.html_url,
                ],
            )
            .await
            .map_err(StoreError::query("upserting pull requests"))?;
        for row in &rows {
            let id = column::<i64>(row, 0, "reading upserted pull requests")?;
            if column::<bool>(row, 1, "reading upserted pull requests")? {
                counts.inserted += 1;
            } else {
                counts.updated += 1;
                updated_ids.push(id);
            }
        }
        counts.unchanged += (chunk.len() - rows.len()) as u64;
    }
    attribution::recompute(tx, Scope::Prs(&updated_ids)).await?;
    Ok(counts)
}

/// The upsert's parameters: one array per column.
struct Columns<'a> {
    repository: Vec<&'a str>,
    number: Vec<i64>,
    github_id: Vec<i64>,
    title: Vec<&'a str>,
    state: Vec<&'a str>,
    draft: Vec<bool>,
    author_login: Vec<Option<&'a str>>,
    author_id: Vec<Option<i64>>,
    author_type: Vec<Option<&'a str>>,
    created_at: Vec<DateTime<Utc>>,
    updated_at: Vec<DateTime<Utc>>,
    closed_at: Vec<Option<DateTime<Utc>>>,
    merged_at: Vec<Option<DateTime<Utc>>>,
    merge_commit_sha: Vec<Option<&'a str>>,
    base_ref: Vec<&'a str>,
    head_ref: Vec<Option<&'a str>>,
    html_url: Vec<Option<&'a str>>,
}

impl<'a> Columns<'a> {
    fn of(prs: &[&'a PullRequest]) -> Self {
        Self {
            repository: prs.iter().map(|pr| pr.repository.as_str()).collect(),
            number: prs.iter().map(|pr| pr.number).collect(),
            github_id: prs.iter().map(|pr| pr.github_id).collect(),
            title: prs.iter().map(|pr| pr.title.as_str()).collect(),
            state: prs.iter().map(|pr| pr.state.as_str()).collect(),
            draft: prs.iter().map(|pr| pr.draft).collect(),
            author_login: prs
                .iter()
                .map(|pr| pr.author.as_ref().map(|a| a.login.as_str()))
                .collect(),
            author_id: prs
                .iter()
                .map(|pr| pr.author.as_ref().map(|a| a.id))
                .collect(),
            author_type: prs
                .iter()
                .map(|pr| pr.author.as_ref().map(|a| a.user_type.as_str()))
                .collect(),
            created_at: prs.iter().map(|pr| pr.created_at).collect(),
            updated_at: prs.iter().map(|pr| pr.updated_at).collect(),
            closed_at: prs.iter().map(|pr| pr.closed_at).collect(),
            merged_at: prs.iter().map(|pr| pr.merged_at).collect(),
            merge_commit_sha: prs
                .iter()
                .map(|pr| pr.merge_commit_sha.as_deref())
                .collect(),
            base_ref: prs.iter().map(|pr| pr.base_ref.as_str()).collect(),
            head_ref: prs.iter().map(|pr| pr.head_ref.as_deref()).collect(),
            html_url: prs.iter().map(|pr| pr.html_url.as_deref()).collect(),
        }
    }
}

impl Postgres {
    /// Stores `prs` (one row per `(repository, number)`: new ones inserted, changed ones
    /// updated, identical ones not rewritten) and recomputes the attributions of the inserted and
    /// updated ones, all in one transaction.
    pub(crate) async fn upsert_pull_requests(
        &self,
        prs: &[PullRequest],
    ) -> Result<UpsertCounts, StoreError> {
        let mut client = self.client().await?;
        let tx = client
            .transaction()
            .await
            .map_err(StoreError::query("starting the upsert transaction"))?;
        lock_attributions(&tx, LockMode::Shared).await?;
        let counts = upsert_in(&tx, prs).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("committing the pull request upsert"))?;
        Ok(counts)
    }
}
