//! Syncing the team config: diff the stored config against the desired one with
//! `domain::diff_team_configs`, write only what changed, and recompute the attributions of the
//! affected logins, all in one transaction under the exclusive attribution lock.

use super::attribution;
use super::teams::load_config;
use super::{LockMode, Postgres, lock_attributions};
use crate::error::StoreError;
use crate::model::Scope;
use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use domain::{MemberChange, Membership, TeamChanges, TeamConfig};

impl Postgres {
    /// Makes the stored teams and memberships equal to `desired` and returns what changed.
    /// Unchanged rows are not rewritten, so syncing the same config twice changes nothing the
    /// second time. Attributions of every affected login (`TeamChanges::affected_logins`) are
    /// recomputed in the same transaction; on any error nothing is written. `desired`'s
    /// instants are whole microseconds ([`crate::Store::sync_teams`] rounds them).
    pub(crate) async fn sync_teams(&self, desired: &TeamConfig) -> Result<TeamChanges, StoreError> {
        let mut client = self.client().await?;
        let tx = client
            .transaction()
            .await
            .map_err(StoreError::query("starting the team sync transaction"))?;
        lock_attributions(&tx, LockMode::Exclusive).await?;
        let current = load_config(&tx).await?;
        let changes = domain::diff_team_configs(&current, desired);
        if changes.is_empty() {
            // Nothing to write; ending the transaction releases the lock.
            tx.rollback()
                .await
                .map_err(StoreError::query("ending the team sync transaction"))?;
            return Ok(changes);
        }
        apply(&tx, &changes, desired).await?;
        let logins: Vec<String> = changes
            .affected_logins(&current, desired)
            .into_iter()
            .collect();
        attribution::recompute(&tx, Scope::Logins(&logins)).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("committing the team sync"))?;
        Ok(changes)
    }
}

/// Writes `changes`. Order matters for the no-overlap constraint: removals and edits (which
/// can only shorten or move an end) come before additions.
async fn apply(
    tx: &Transaction<'_>,
    changes: &TeamChanges,
    desired: &TeamConfig,
) -> Result<(), StoreError> {
    if !changes.members_removed.is_empty() {
        let keys = MemberKeys::of(&changes.members_removed);
        tx.execute(
            "DELETE FROM team_memberships m
             USING UNNEST($1::text[], $2::text[], $3::timestamptz[]) AS d(team_id, login, joined_at)
             WHERE (m.team_id, m.login, m.joined_at) = (d.team_id, d.login, d.joined_at)",
            &[&keys.team_id, &keys.login, &keys.joined_at],
        )
        .await
        .map_err(StoreError::query("removing memberships"))?;
    }
    if !changes.teams_removed.is_empty() {
        // Cascades to the teams' memberships and attributions.
        tx.execute(
            "DELETE FROM teams WHERE id = ANY($1::text[])",
            &[&changes.teams_removed],
        )
        .await
        .map_err(StoreError::query("removing teams"))?;
    }
    for (ids, sql, what) in [
        (
            &changes.teams_changed,
            "UPDATE teams t SET name = u.name, description = u.description,
                    include_bots = u.include_bots, updated_at = now()
             FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bool[])
                  AS u(id, name, description, include_bots)
             WHERE t.id = u.id",
            "updating teams",
        ),
        (
            &changes.teams_added,
            "INSERT INTO teams (id, name, description, include_bots)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bool[])",
            "adding teams",
        ),
    ] {
        if ids.is_empty() {
            continue;
        }
        let teams: Vec<_> = ids.iter().filter_map(|id| desired.team(id)).collect();
        let id: Vec<&str> = teams.iter().map(|t| t.id.as_str()).collect();
        let name: Vec<&str> = teams.iter().map(|t| t.name.as_str()).collect();
        let description: Vec<Option<&str>> =
            teams.iter().map(|t| t.description.as_deref()).collect();
        let include_bots: Vec<bool> = teams.iter().map(|t| t.include_bots).collect();
        tx.execute(sql, &[&id, &name, &description, &include_bots])
            .await
            .map_err(StoreError::query(what))?;
    }
    for (list, sql, what) in [
        (
            &changes.members_changed,
            "UPDATE team_memberships m SET weight = u.weight, left_at = u.left_at,
                    updated_at = now()
             FROM UNNEST($1::text[], $2::text[], $3::timestamptz[], $4::float8[], $5::timestamptz[])
                  AS u(team_id, login, joined_at, weight, left_at)
             WHERE (m.team_id, m.login, m.joined_at) = (u.team_id, u.login, u.joined_at)",
            "updating memberships",
        ),
        (
            &changes.members_added,
            "INSERT INTO team_memberships (team_id, login, joined_at, weight, left_at)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::timestamptz[], $4::float8[],
                                  $5::timestamptz[])",
            "adding memberships",
        ),
    ] {
        if list.is_empty() {
            continue;
        }
        // Added and changed memberships always carry their new value.
        let pairs: Vec<(&MemberChange, &Membership)> = list
            .iter()
            .filter_map(|c| c.after.as_ref().map(|m| (c, m)))
            .collect();
        let keys = MemberKeys::of(pairs.iter().map(|(c, _)| *c));
        let weight: Vec<f64> = pairs.iter().map(|(_, m)| m.weight).collect();
        let left_at: Vec<Option<DateTime<Utc>>> = pairs.iter().map(|(_, m)| m.left_at).collect();
        tx.execute(
            sql,
            &[
                &keys.team_id,
                &keys.login,
                &keys.joined_at,
                &weight,
                &left_at,
            ],
        )
        .await
        .map_err(StoreError::query(what))?;
    }
    Ok(())
}

/// The identity columns of a list of membership changes, as parameter arrays.
struct MemberKeys<'a> {
    team_id: Vec<&'a str>,
    login: Vec<&'a str>,
    joined_at: Vec<DateTime<Utc>>,
}

impl<'a> MemberKeys<'a> {
    fn of(changes: impl IntoIterator<Item = &'a MemberChange>) -> Self {
        let mut keys = Self {
            team_id: Vec::new(),
            login: Vec::new(),
            joined_at: Vec::new(),
        };
        for c in changes {
            keys.team_id.push(&c.team_id);
            keys.login.push(&c.login);
            keys.joined_at.push(c.joined_at);
        }
        keys
    }
}
