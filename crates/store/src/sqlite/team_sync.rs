//! Syncing the team config on SQLite: diff the stored config against the desired one with
//! `domain::diff_team_configs`, write only what changed, and recompute the attributions of the
//! affected logins, all in one IMMEDIATE transaction.

use super::attribution::recompute;
use super::teams::load_config;
use super::{Sqlite, micros, now_micros};
use crate::error::StoreError;
use crate::model::Scope;
use domain::{TeamChanges, TeamConfig};
use rusqlite::{Connection, TransactionBehavior, params};

impl Sqlite {
    /// See [`crate::Store::sync_teams`].
    pub(crate) async fn sync_teams(&self, desired: &TeamConfig) -> Result<TeamChanges, StoreError> {
        let desired = desired.clone();
        self.run("syncing teams", move |c| sync_blocking(c, &desired))
            .await
    }
}

fn sync_blocking(
    connection: &mut Connection,
    desired: &TeamConfig,
) -> Result<TeamChanges, StoreError> {
    let tx = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(StoreError::sqlite("starting the team sync transaction"))?;
    let current = load_config(&tx)?;
    let changes = domain::diff_team_configs(&current, desired);
    if changes.is_empty() {
        return Ok(changes);
    }
    apply(&tx, &changes, desired)?;
    let logins: Vec<String> = changes
        .affected_logins(&current, desired)
        .into_iter()
        .collect();
    recompute(&tx, Scope::Logins(&logins))?;
    tx.commit()
        .map_err(StoreError::sqlite("committing the team sync"))?;
    Ok(changes)
}

/// Writes `changes`: removals first (they cascade to attributions), then team edits and
/// additions, then membership edits and additions.
fn apply(tx: &Connection, changes: &TeamChanges, desired: &TeamConfig) -> Result<(), StoreError> {
    let now = now_micros();
    let execute = |sql: &str, params: &[&dyn rusqlite::ToSql], what: &'static str| {
        tx.prepare_cached(sql)
            .and_then(|mut statement| statement.execute(params))
            .map_err(StoreError::sqlite(what))
    };
    for m in &changes.members_removed {
        execute(
            "DELETE FROM team_memberships WHERE team_id = ?1 AND login = ?2 AND joined_at = ?3",
            params![m.team_id, m.login, micros(m.joined_at)],
            "removing memberships",
        )?;
    }
    for id in &changes.teams_removed {
        execute(
            "DELETE FROM teams WHERE id = ?1",
            params![id],
            "removing teams",
        )?;
    }
    for (ids, sql, what) in [
        (
            &changes.teams_changed,
            "UPDATE teams SET name = ?2, description = ?3, include_bots = ?4, updated_at = ?5
             WHERE id = ?1",
            "updating teams",
        ),
        (
            &changes.teams_added,
            "INSERT INTO teams (id, name, description, include_bots, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            "adding teams",
        ),
    ] {
        for team in ids.iter().filter_map(|id| desired.team(id)) {
            execute(
                sql,
                params![
                    team.id.as_str(),
                    team.name,
                    team.description,
                    team.include_bots,
                    now
                ],
                what,
            )?;
        }
    }
    for (list, sql, what) in [
        (
            &changes.members_changed,
            "UPDATE team_memberships SET weight = ?4, left_at = ?5, updated_at = ?6
             WHERE team_id = ?1 AND login = ?2 AND joined_at = ?3",
            "updating memberships",
        ),
        (
            &changes.members_added,
            "INSERT INTO team_memberships
                 (team_id, login, joined_at, weight, left_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            "adding memberships",
        ),
    ] {
        for (change, m) in list.iter().filter_map(|c| c.after.as_ref().map(|m| (c, m))) {
            execute(
                sql,
                params![
                    change.team_id,
                    change.login,
                    micros(change.joined_at),
                    m.weight,
                    m.left_at.map(micros),
                    now
                ],
                what,
            )?;
        }
    }
    Ok(())
}
