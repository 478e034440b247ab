//! The attribution rule applied set-based in SQL: the rows of `pr_attributions` that
//! `pull_requests` × `team_memberships` × `teams` should give are compared with the stored ones,
//! and only the difference is deleted and inserted, in the caller's transaction. The rule is `domain::attribute`'s, stated in
//! `migrations/0003_attributions.sql`; the store's tests check the two agree on generated data.

use super::{LockMode, Postgres, lock_attributions};
use crate::error::StoreError;
use crate::model::Scope;
use deadpool_postgres::Transaction;
use tokio_postgres::types::ToSql;

/// The attributions the rule gives every PR of `{source}` (`pull_requests`, or rows with its
/// `id`, `author_login`, `author_is_bot`, `created_at` and `merged_at`) matching `{prs}` (a
/// condition on `p`). Cycle time is computed from exact microseconds in double precision, so it
/// is bit-equal to `domain::cycle_time_hours`.
const DESIRED: &str = "
    SELECT p.id AS pr_id, m.team_id, m.id AS membership_id, m.weight, p.merged_at,
           (extract(epoch FROM p.merged_at - p.created_at) * 1000000)::float8
               / 3600000000::float8 AS cycle_time_hours
    FROM {source} p
    JOIN team_memberships m
      ON m.login = lower(p.author_login)
     AND m.joined_at <= p.merged_at
     AND (m.left_at IS NULL OR p.merged_at < m.left_at)
    JOIN teams t ON t.id = m.team_id
    WHERE p.merged_at IS NOT NULL
      AND p.author_login IS NOT NULL
      AND (NOT p.author_is_bot OR t.include_bots)
      AND {prs}";

/// Deletes the stored attributions in scope (`{attributions}`, a condition on `a`) that the rule
/// no longer gives exactly: stale rows and rows whose weight, membership or times changed.
const DELETE_STALE: &str = "
    DELETE FROM pr_attributions a
    WHERE {attributions}
      AND NOT EXISTS (
          SELECT 1 FROM ({desired}) d
          WHERE d.pr_id = a.pr_id AND d.team_id = a.team_id
            AND d.membership_id = a.membership_id AND d.weight = a.weight
            AND d.merged_at = a.merged_at AND d.cycle_time_hours = a.cycle_time_hours)";

/// Inserts the attributions the rule gives that are missing. After [`DELETE_STALE`], a stored
/// row with the same key is exactly the desired one, so a conflict means "already right".
/// (`ON CONFLICT` rather than an anti-join: the planner, with a freshly grown table's stale
/// statistics, picked a team-wide index scan for the anti-join and made each page ~100x slower.)
const INSERT_MISSING: &str = "
    INSERT INTO pr_attributions (pr_id, team_id, membership_id, weight, merged_at, cycle_time_hours)
    SELECT d.pr_id, d.team_id, d.membership_id, d.weight, d.merged_at, d.cycle_time_hours
    FROM ({desired}) d
    ON CONFLICT (pr_id, team_id) DO NOTHING";

/// Makes the attributions of the PRs in `scope` what the rule gives, within `tx`: a set-based
/// DELETE of the rows that differ, then an INSERT ... SELECT of the missing ones. Rows that are
/// already right are not rewritten, so a recompute after a small membership edit writes little
/// even at full scope. Returns rows deleted plus rows inserted (a changed row counts twice).
/// The caller holds the attribution lock.
pub(crate) async fn recompute(tx: &Transaction<'_>, scope: Scope<'_>) -> Result<u64, StoreError> {
    let logins: Vec<String>;
    let pr_ids: &[i64];
    let (prs, attributions, params): (&str, &str, Vec<&(dyn ToSql + Sync)>) = match scope {
        Scope::Logins([]) | Scope::Prs([]) => return Ok(0),
        Scope::All => ("true", "true", vec![]),
        Scope::Logins(given) => {
            logins = given.iter().map(|l| l.to_ascii_lowercase()).collect();
            (
                "lower(p.author_login) = ANY($1::text[])",
                "a.pr_id IN (SELECT id FROM pull_requests WHERE lower(author_login) = ANY($1::text[]))",
                vec![&logins],
            )
        }
        Scope::Prs(given) => {
            pr_ids = given;
            (
                "p.id = ANY($1::int8[])",
                "a.pr_id = ANY($1::int8[])",
                vec![&pr_ids],
            )
        }
    };
    let desired = desired("pull_requests", prs);
    let delete = DELETE_STALE
        .replace("{attributions}", attributions)
        .replace("{desired}", &desired);
    let insert = INSERT_MISSING.replace("{desired}", &desired);
    // Cached per connection: a collector page runs these every time, planning them once.
    let deleted = execute_cached(tx, &delete, &params, "deleting stale attributions").await?;
    let inserted = execute_cached(tx, &insert, &params, "inserting attributions").await?;
    Ok(deleted + inserted)
}

/// The rule's attributions of the PRs of `source` matching `prs` (see [`DESIRED`]).
fn desired(source: &str, prs: &str) -> String {
    DESIRED.replace("{source}", source).replace("{prs}", prs)
}

/// An `INSERT` of the rule's attributions of the rows of `source` (a CTE of the caller's
/// statement shaped like `pull_requests`) matching `prs`, for PRs that have none yet: the page
/// upsert inserts new PRs and their attributions in one statement, with no stale rows to delete.
pub(crate) fn insert_for_new_prs(source: &str, prs: &str) -> String {
    INSERT_MISSING.replace("{desired}", &desired(source, prs))
}

async fn execute_cached(
    tx: &Transaction<'_>,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
    what: &'static str,
) -> Result<u64, StoreError> {
    let statement = tx
        .prepare_cached(sql)
        .await
        .map_err(StoreError::query(what))?;
    tx.execute(&statement, params)
        .await
        .map_err(StoreError::query(what))
}

impl Postgres {
    /// Recomputes attributions set-based, in one transaction: of the PRs authored by `logins`
    /// (matched case-insensitively), or of every PR when `None`. Only rows that differ from the
    /// rule's result are written; returns rows deleted plus rows inserted (0 when all was right).
    pub(crate) async fn recompute_attributions(
        &self,
        logins: Option<&[String]>,
    ) -> Result<u64, StoreError> {
        let mut client = self.client().await?;
        let tx = client
            .transaction()
            .await
            .map_err(StoreError::query("starting the recompute transaction"))?;
        lock_attributions(&tx, LockMode::Exclusive).await?;
        let scope = logins.map_or(Scope::All, Scope::Logins);
        let written = recompute(&tx, scope).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("committing the recompute"))?;
        Ok(written)
    }
}
