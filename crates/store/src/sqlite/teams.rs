//! Reading teams and memberships on SQLite: the stored team config as a `domain::TeamConfig`,
//! and the teams with their active members the HTTP API serves.

use super::{Sqlite, instant, micros, optional_instant};
use crate::error::StoreError;
use crate::model::{
    MEMBERSHIP_COLUMNS, MembersByTeam, TeamRow, TeamSummary, team_config, team_summaries,
};
use chrono::{DateTime, Utc};
use domain::{Membership, TeamConfig};
use rusqlite::{Connection, OptionalExtension};

/// The teams, sorted by id.
fn team_rows(connection: &Connection) -> Result<Vec<TeamRow>, StoreError> {
    let what = "reading teams";
    let mut statement = connection
        .prepare_cached("SELECT id, name, description, include_bots FROM teams ORDER BY id")
        .map_err(StoreError::sqlite(what))?;
    let rows = statement
        .query_map([], |row| {
            Ok(TeamRow {
                id: row.get(0)?,
                name: row.get(1)?,
                description: row.get(2)?,
                include_bots: row.get(3)?,
            })
        })
        .map_err(StoreError::sqlite(what))?;
    rows.collect::<Result<_, _>>()
        .map_err(StoreError::sqlite(what))
}

/// The memberships matching `condition` (on `team_memberships`), grouped by team and sorted
/// by (login, joined_at).
fn members(
    connection: &Connection,
    condition: &str,
    params: impl rusqlite::Params,
    what: &'static str,
) -> Result<MembersByTeam, StoreError> {
    let mut statement = connection
        .prepare_cached(&format!(
            "SELECT {MEMBERSHIP_COLUMNS} FROM team_memberships WHERE {condition}
             ORDER BY team_id, login, joined_at"
        ))
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
    let mut members = MembersByTeam::new();
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

/// The stored config, read with `connection` (a plain connection or the sync's transaction).
pub(super) fn load_config(connection: &Connection) -> Result<TeamConfig, StoreError> {
    let members = members(connection, "1", [], "reading team memberships")?;
    team_config(team_rows(connection)?, members)
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
            let members = members(
                &tx,
                "joined_at <= ?1 AND (left_at IS NULL OR ?1 < left_at)",
                [micros(at)],
                "reading active memberships",
            )?;
            Ok(team_summaries(team_rows(&tx)?, members))
        })
        .await
    }
}
