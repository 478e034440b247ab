//! Teams and memberships on SQLite: reading the config and its active members, and syncing a
//! desired config (diffed with `domain::diff_team_configs`, only changes written, attributions
//! of the affected logins recomputed in the same transaction).

use super::attribution::{Scope, recompute};
use super::{Sqlite, instant, micros, now_micros, optional_instant};
use crate::error::StoreError;
use crate::teams::TeamSummary;
use chrono::{DateTime, Utc};
use domain::{Membership, Team, TeamChanges, TeamConfig, TeamId};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::collections::BTreeMap;

/// Reads `(team_id, Membership)` rows of `sql` (selecting team_id, login, weight, joined_at,
/// left_at), grouped by team.
fn memberships(
    connection: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    what: &'static str,
) -> Result<BTreeMap<String, Vec<Membership>>, StoreError> {
    let mut statement = connection
        .prepare_cached(sql)
        .map_err(StoreError::sqlite(what))?;
    let rows = statement
        .query_map(params, |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, f64>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, Option<i64>>(4)?,
            ))
        })
        .map_err(StoreError::sqlite(what))?;
    let mut members: BTreeMap<String, Vec<Membership>> = BTreeMap::new();
    for row in rows {
        let (team, login, weight, joined_at, left_at) = row.map_err(StoreError::sqlite(what))?;
        members.entry(team).or_default().push(Membership {
            login,
            weight,
            joined_at: instant(joined_at)?,
            left_at: optional_instant(left_at)?,
        });
    }
    Ok(members)
}

/// The stored config, sorted as `TeamConfig::from_json` sorts it.
pub(super) fn load_config(connection: &Connection) -> Result<TeamConfig, StoreError> {
    let what = "reading teams";
    let mut members = memberships(
        connection,
        "SELECT team_id, login, weight, joined_at, left_at FROM team_memberships
         ORDER BY team_id, login, joined_at",
        [],
        "reading team memberships",
    )?;
    let mut statement = connection
        .prepare_cached("SELECT id, name, description, include_bots FROM teams ORDER BY id")
        .map_err(StoreError::sqlite(what))?;
    let rows = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?,
                row.get::<_, bool>(3)?,
            ))
        })
        .map_err(StoreError::sqlite(what))?;
    let mut teams = Vec::new();
    for row in rows {
        let (id, name, description, include_bots) = row.map_err(StoreError::sqlite(what))?;
        teams.push(Team {
            id: TeamId::parse(&id).map_err(|reason| StoreError::Corrupt {
                what: format!("team id {id:?}: {reason}"),
            })?,
            name,
            description,
            include_bots,
            members: members.remove(&id).unwrap_or_default(),
        });
    }
    Ok(TeamConfig {
        teams,
        allow_overallocation: false,
    })
}

impl Sqlite {
    /// See [`crate::Store::load_team_config`].
    pub(crate) async fn load_team_config(&self) -> Result<TeamConfig, StoreError> {
        let what = "reading teams";
        self.run(what, move |c| {
            // One read transaction: the teams and members are one snapshot.
            let tx = c.transaction().map_err(StoreError::sqlite(what))?;
            load_config(&tx)
        })
        .await
    }

    /// See [`crate::Store::team_exists`].
    pub(crate) async fn team_exists(&self, team_id: &str) -> Result<bool, StoreError> {
        let what = "looking a team up";
        let team_id = team_id.to_owned();
        self.run(what, move |c| {
            c.query_row("SELECT 1 FROM teams WHERE id = ?1", [&team_id], |_| Ok(()))
                .optional()
                .map(|found| found.is_some())
                .map_err(StoreError::sqlite(what))
        })
        .await
    }

    /// See [`crate::Store::teams_with_members_at`].
    pub(crate) async fn teams_with_members_at(
        &self,
        at: DateTime<Utc>,
    ) -> Result<Vec<TeamSummary>, StoreError> {
        let what = "reading teams";
        self.run(what, move |c| {
            // One read transaction: the teams and members are one snapshot.
            let tx = c.transaction().map_err(StoreError::sqlite(what))?;
            let mut members = memberships(
                &tx,
                "SELECT team_id, login, weight, joined_at, left_at FROM team_memberships
                 WHERE joined_at <= ?1 AND (left_at IS NULL OR ?1 < left_at)
                 ORDER BY team_id, login, joined_at",
                [micros(at)],
                "reading active memberships",
            )?;
            let mut statement = tx
                .prepare_cached("SELECT id, name, description FROM teams ORDER BY id")
                .map_err(StoreError::sqlite(what))?;
            let rows = statement
                .query_map([], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, Option<String>>(2)?,
                    ))
                })
                .map_err(StoreError::sqlite(what))?;
            let mut teams = Vec::new();
            for row in rows {
                let (id, name, description) = row.map_err(StoreError::sqlite(what))?;
                teams.push(TeamSummary {
                    members: members.remove(&id).unwrap_or_default(),
                    id,
                    name,
                    description,
                });
            }
            Ok(teams)
        })
        .await
    }

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
