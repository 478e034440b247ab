//! The attribution rule on SQLite, applied in Rust with `domain::attribute` (the rule lives
//! once): for the PRs in scope, the rows the rule gives are compared with the stored ones and
//! only the difference is deleted and inserted, in the caller's transaction — the same contract
//! as the PostgreSQL backend's set-based SQL, with the same row counts.

use super::teams::load_config;
use super::{Sqlite, instant, micros};
use crate::error::StoreError;
use crate::model::Scope;
use domain::{PrAuthor, TeamConfig};
use rusqlite::{Connection, TransactionBehavior, params};
use std::collections::{BTreeMap, HashMap};

/// One attribution row, its floats compared by bits (as PostgreSQL compares them with `=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Row {
    membership_id: i64,
    weight_bits: u64,
    merged_at: i64,
    cycle_time_bits: u64,
}

/// What the rule needs of a stored PR.
struct StoredPr {
    id: i64,
    login: Option<String>,
    user_type: Option<String>,
    created_at: i64,
    merged_at: Option<i64>,
}

const PR_COLUMNS: &str = "id, author_login, author_type, created_at, merged_at";

/// Makes the attributions of the PRs in `scope` what the rule gives; returns rows deleted plus
/// rows inserted (a changed row counts twice).
pub(super) fn recompute(tx: &Connection, scope: Scope<'_>) -> Result<u64, StoreError> {
    let prs = prs_in_scope(tx, scope)?;
    if prs.is_empty() {
        return Ok(0);
    }
    let config = load_config(tx)?;
    let membership_ids = membership_ids(tx)?;
    let mut written = 0;
    let what = "recomputing attributions";
    for pr in &prs {
        let desired = desired_rows(pr, &config, &membership_ids)?;
        let stored = stored_rows(tx, pr.id)?;
        for (team, row) in &stored {
            if desired.get(team) != Some(row) {
                tx.prepare_cached("DELETE FROM pr_attributions WHERE pr_id = ?1 AND team_id = ?2")
                    .and_then(|mut s| s.execute(params![pr.id, team]))
                    .map_err(StoreError::sqlite(what))?;
                written += 1;
            }
        }
        for (team, row) in &desired {
            if stored.get(team) != Some(row) {
                tx.prepare_cached(
                    "INSERT INTO pr_attributions
                         (pr_id, team_id, membership_id, weight, merged_at, cycle_time_hours)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        pr.id,
                        team,
                        row.membership_id,
                        f64::from_bits(row.weight_bits),
                        row.merged_at,
                        f64::from_bits(row.cycle_time_bits)
                    ])
                })
                .map_err(StoreError::sqlite(what))?;
                written += 1;
            }
        }
    }
    Ok(written)
}

fn prs_in_scope(tx: &Connection, scope: Scope<'_>) -> Result<Vec<StoredPr>, StoreError> {
    let what = "reading pull requests to attribute";
    let read =
        |sql: &str, param: Option<&dyn rusqlite::ToSql>| -> Result<Vec<StoredPr>, StoreError> {
            let mut statement = tx.prepare_cached(sql).map_err(StoreError::sqlite(what))?;
            let map = |row: &rusqlite::Row<'_>| {
                Ok(StoredPr {
                    id: row.get(0)?,
                    login: row.get(1)?,
                    user_type: row.get(2)?,
                    created_at: row.get(3)?,
                    merged_at: row.get(4)?,
                })
            };
            let rows = match param {
                Some(p) => statement.query_map([p], map),
                None => statement.query_map([], map),
            }
            .map_err(StoreError::sqlite(what))?;
            rows.collect::<Result<_, _>>()
                .map_err(StoreError::sqlite(what))
        };
    match scope {
        Scope::All => read(
            &format!("SELECT {PR_COLUMNS} FROM pull_requests ORDER BY id"),
            None,
        ),
        Scope::Logins(logins) => {
            let sql = format!(
                "SELECT {PR_COLUMNS} FROM pull_requests WHERE lower(author_login) = ?1 ORDER BY id"
            );
            let mut all = Vec::new();
            for login in logins {
                all.extend(read(&sql, Some(&login.to_ascii_lowercase()))?);
            }
            Ok(all)
        }
        Scope::Prs(ids) => {
            let sql = format!("SELECT {PR_COLUMNS} FROM pull_requests WHERE id = ?1");
            let mut all = Vec::new();
            for id in ids {
                all.extend(read(&sql, Some(id))?);
            }
            Ok(all)
        }
    }
}

/// `(team_id, login, joined_at µs)` → `team_memberships.id`.
fn membership_ids(tx: &Connection) -> Result<HashMap<(String, String, i64), i64>, StoreError> {
    let what = "reading membership ids";
    let mut statement = tx
        .prepare_cached("SELECT team_id, login, joined_at, id FROM team_memberships")
        .map_err(StoreError::sqlite(what))?;
    let rows = statement
        .query_map([], |row| {
            Ok(((row.get(0)?, row.get(1)?, row.get(2)?), row.get(3)?))
        })
        .map_err(StoreError::sqlite(what))?;
    rows.collect::<Result<_, _>>()
        .map_err(StoreError::sqlite(what))
}

/// The rows `domain::attribute` gives `pr`, keyed by team.
fn desired_rows(
    pr: &StoredPr,
    config: &TeamConfig,
    membership_ids: &HashMap<(String, String, i64), i64>,
) -> Result<BTreeMap<String, Row>, StoreError> {
    let mut rows = BTreeMap::new();
    let (Some(login), Some(merged_us)) = (pr.login.as_deref(), pr.merged_at) else {
        return Ok(rows);
    };
    let merged_at = instant(merged_us)?;
    let cycle_time_hours = domain::cycle_time_hours(instant(pr.created_at)?, merged_at);
    let author = PrAuthor {
        login: Some(login),
        user_type: pr.user_type.as_deref(),
        merged_at: Some(merged_at),
    };
    let login = login.to_ascii_lowercase();
    for attribution in domain::attribute(author, config) {
        let team = attribution.team_id.as_str();
        let key = (
            team.to_owned(),
            login.clone(),
            micros(attribution.joined_at),
        );
        let membership = membership_ids
            .get(&key)
            .ok_or_else(|| StoreError::Corrupt {
                what: format!("no stored membership of {login} in {team} at {merged_at}"),
            })?;
        rows.insert(
            team.to_owned(),
            Row {
                membership_id: *membership,
                weight_bits: attribution.weight.to_bits(),
                merged_at: merged_us,
                cycle_time_bits: cycle_time_hours.to_bits(),
            },
        );
    }
    Ok(rows)
}

fn stored_rows(tx: &Connection, pr_id: i64) -> Result<BTreeMap<String, Row>, StoreError> {
    let what = "reading stored attributions";
    let mut statement = tx
        .prepare_cached(
            "SELECT team_id, membership_id, weight, merged_at, cycle_time_hours
             FROM pr_attributions WHERE pr_id = ?1",
        )
        .map_err(StoreError::sqlite(what))?;
    let rows = statement
        .query_map([pr_id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                Row {
                    membership_id: row.get(1)?,
                    weight_bits: row.get::<_, f64>(2)?.to_bits(),
                    merged_at: row.get(3)?,
                    cycle_time_bits: row.get::<_, f64>(4)?.to_bits(),
                },
            ))
        })
        .map_err(StoreError::sqlite(what))?;
    rows.collect::<Result<_, _>>()
        .map_err(StoreError::sqlite(what))
}

impl Sqlite {
    /// See [`crate::Store::recompute_attributions`].
    pub(crate) async fn recompute_attributions(
        &self,
        logins: Option<&[String]>,
    ) -> Result<u64, StoreError> {
        let logins: Option<Vec<String>> = logins.map(<[String]>::to_vec);
        self.run("recomputing attributions", move |c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::sqlite("starting the recompute transaction"))?;
            let scope = logins.as_deref().map_or(Scope::All, Scope::Logins);
            let written = recompute(&tx, scope)?;
            tx.commit()
                .map_err(StoreError::sqlite("committing the recompute"))?;
            Ok(written)
        })
        .await
    }
}
