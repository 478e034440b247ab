//! Reading teams and memberships on PostgreSQL: the stored team config as a
//! `domain::TeamConfig`, and the teams with their active members the HTTP API serves.

use super::{Postgres, column};
use crate::error::StoreError;
use crate::model::{
    MEMBERSHIP_COLUMNS, MembersByTeam, TeamRow, TeamSummary, team_config, team_summaries,
};
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::{Membership, TeamConfig};
use tokio_postgres::types::ToSql;

/// The teams, sorted by id.
async fn team_rows(client: &impl GenericClient) -> Result<Vec<TeamRow>, StoreError> {
    let what = "reading teams";
    let rows = client
        .query(
            "SELECT id, name, description, include_bots FROM teams ORDER BY id",
            &[],
        )
        .await
        .map_err(StoreError::query(what))?;
    rows.iter()
        .map(|row| {
            Ok(TeamRow {
                id: column(row, 0, what)?,
                name: column(row, 1, what)?,
                description: column(row, 2, what)?,
                include_bots: column(row, 3, what)?,
            })
        })
        .collect()
}

/// The memberships matching `condition` (on `team_memberships`), grouped by team and sorted
/// by (login, joined_at), byte-wise (the columns are `COLLATE "C"`).
async fn members(
    client: &impl GenericClient,
    condition: &str,
    params: &[&(dyn ToSql + Sync)],
    what: &'static str,
) -> Result<MembersByTeam, StoreError> {
    let rows = client
        .query(
            &format!(
                "SELECT {MEMBERSHIP_COLUMNS} FROM team_memberships WHERE {condition}
                 ORDER BY team_id, login, joined_at"
            ),
            params,
        )
        .await
        .map_err(StoreError::query(what))?;
    let mut members = MembersByTeam::new();
    for row in &rows {
        members
            .entry(column(row, 0, what)?)
            .or_default()
            .push(Membership {
                login: column(row, 1, what)?,
                weight: column(row, 2, what)?,
                joined_at: column(row, 3, what)?,
                left_at: column(row, 4, what)?,
            });
    }
    Ok(members)
}

/// The stored config, read with `client` (a plain connection or the sync's transaction).
pub(super) async fn load_config(client: &impl GenericClient) -> Result<TeamConfig, StoreError> {
    let teams = team_rows(client).await?;
    let members = members(client, "true", &[], "reading team memberships").await?;
    team_config(teams, members)
}

/// A read-only snapshot: several reads in it see a concurrent sync whole or not at all.
async fn read_snapshot(
    client: &mut deadpool_postgres::Object,
) -> Result<deadpool_postgres::Transaction<'_>, StoreError> {
    client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(StoreError::query("starting a read transaction"))
}

impl Postgres {
    /// See [`crate::Store::load_team_config`].
    pub(crate) async fn load_team_config(&self) -> Result<TeamConfig, StoreError> {
        let mut client = self.client().await?;
        let tx = read_snapshot(&mut client).await?;
        let config = load_config(&tx).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("ending a read transaction"))?;
        Ok(config)
    }

    /// See [`crate::Store::team_exists`].
    pub(crate) async fn team_exists(&self, team_id: &str) -> Result<bool, StoreError> {
        let what = "looking a team up";
        let client = self.client().await?;
        let statement = client
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM teams WHERE id = $1)")
            .await
            .map_err(StoreError::query(what))?;
        let row = client
            .query_one(&statement, &[&team_id])
            .await
            .map_err(StoreError::query(what))?;
        column(&row, 0, what)
    }

    /// See [`crate::Store::teams_with_members_at`].
    pub(crate) async fn teams_with_members_at(
        &self,
        at: DateTime<Utc>,
    ) -> Result<Vec<TeamSummary>, StoreError> {
        let mut client = self.client().await?;
        let tx = read_snapshot(&mut client).await?;
        let teams = team_rows(&tx).await?;
        let members = members(
            &tx,
            "joined_at <= $1 AND (left_at IS NULL OR $1 < left_at)",
            &[&at],
            "reading active memberships",
        )
        .await?;
        tx.commit()
            .await
            .map_err(StoreError::query("ending a read transaction"))?;
        Ok(team_summaries(teams, members))
    }
}
