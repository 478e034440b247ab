//! Reading teams and memberships: the stored team config as a `domain::TeamConfig`, and the
//! views of it the HTTP API serves.

use crate::error::StoreError;
use crate::{Postgres, column};
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::{Membership, Team, TeamConfig, TeamId};
use std::collections::BTreeMap;

/// A team with the memberships active at some instant (see [`Store::teams_with_members_at`]).
#[derive(Debug, Clone, PartialEq)]
pub struct TeamSummary {
    /// The team's slug.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Optional free text.
    pub description: Option<String>,
    /// Active memberships, sorted by (login, joined_at).
    pub members: Vec<Membership>,
}

/// The columns every membership read selects, in this order after `team_id`.
const MEMBERSHIP_COLUMNS: &str = "team_id, login, weight, joined_at, left_at";

/// Reads a `(team_id, Membership)` row selected with [`MEMBERSHIP_COLUMNS`].
fn membership(
    row: &tokio_postgres::Row,
    what: &'static str,
) -> Result<(String, Membership), StoreError> {
    Ok((
        column(row, 0, what)?,
        Membership {
            login: column(row, 1, what)?,
            weight: column(row, 2, what)?,
            joined_at: column(row, 3, what)?,
            left_at: column(row, 4, what)?,
        },
    ))
}

fn team_id(id: &str) -> Result<TeamId, StoreError> {
    TeamId::parse(id).map_err(|reason| StoreError::Corrupt {
        what: format!("team id {id:?}: {reason}"),
    })
}

/// The stored config, read with `client` (a plain connection or the sync's transaction).
/// Teams sorted by id, members by (login, joined_at), byte-wise (the columns are `COLLATE "C"`),
/// as `TeamConfig::from_json` sorts them.
pub(crate) async fn load_config(client: &impl GenericClient) -> Result<TeamConfig, StoreError> {
    let what = "reading teams";
    let team_rows = client
        .query(
            "SELECT id, name, description, include_bots FROM teams ORDER BY id",
            &[],
        )
        .await
        .map_err(StoreError::query(what))?;
    let member_rows = client
        .query(
            &format!(
                "SELECT {MEMBERSHIP_COLUMNS} FROM team_memberships ORDER BY team_id, login, joined_at"
            ),
            &[],
        )
        .await
        .map_err(StoreError::query("reading team memberships"))?;
    let mut members: BTreeMap<String, Vec<Membership>> = BTreeMap::new();
    for row in &member_rows {
        let (team, m) = membership(row, "reading team memberships")?;
        members.entry(team).or_default().push(m);
    }
    let mut teams = Vec::with_capacity(team_rows.len());
    for row in &team_rows {
        let id: String = column(row, 0, what)?;
        teams.push(Team {
            id: team_id(&id)?,
            name: column(row, 1, what)?,
            description: column(row, 2, what)?,
            include_bots: column(row, 3, what)?,
            members: members.remove(&id).unwrap_or_default(),
        });
    }
    Ok(TeamConfig {
        teams,
        allow_overallocation: false,
    })
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
    /// The stored team config (`allow_overallocation` is not stored and reads as `false`).
    pub async fn load_team_config(&self) -> Result<TeamConfig, StoreError> {
        let mut client = self.client().await?;
        let tx = read_snapshot(&mut client).await?;
        let config = load_config(&tx).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("ending a read transaction"))?;
        Ok(config)
    }

    /// Whether a team with this id is stored.
    pub async fn team_exists(&self, team_id: &str) -> Result<bool, StoreError> {
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

    /// Every team (sorted by id) with its memberships active at `at`
    /// (`joined_at <= at < left_at`), members sorted by (login, joined_at).
    pub async fn teams_with_members_at(
        &self,
        at: DateTime<Utc>,
    ) -> Result<Vec<TeamSummary>, StoreError> {
        let mut client = self.client().await?;
        let tx = read_snapshot(&mut client).await?;
        let what = "reading teams";
        let team_rows = tx
            .query("SELECT id, name, description FROM teams ORDER BY id", &[])
            .await
            .map_err(StoreError::query(what))?;
        let member_rows = tx
            .query(
                &format!(
                    "SELECT {MEMBERSHIP_COLUMNS} FROM team_memberships
                     WHERE joined_at <= $1 AND (left_at IS NULL OR $1 < left_at)
                     ORDER BY team_id, login, joined_at"
                ),
                &[&at],
            )
            .await
            .map_err(StoreError::query("reading active memberships"))?;
        tx.commit()
            .await
            .map_err(StoreError::query("ending a read transaction"))?;
        let mut members: BTreeMap<String, Vec<Membership>> = BTreeMap::new();
        for row in &member_rows {
            let (team, m) = membership(row, "reading active memberships")?;
            members.entry(team).or_default().push(m);
        }
        team_rows
            .iter()
            .map(|row| {
                let id: String = column(row, 0, what)?;
                Ok(TeamSummary {
                    members: members.remove(&id).unwrap_or_default(),
                    id,
                    name: column(row, 1, what)?,
                    description: column(row, 2, what)?,
                })
            })
            .collect()
    }
}
