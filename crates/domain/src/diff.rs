//! What a team sync changes: the difference between the stored configuration and the desired
//! one, reported to the user and used to apply only what changed.

use crate::config::{Membership, Team, TeamConfig};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// A membership is identified by team, login and `joined_at`; weight and `left_at` may change.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberChange {
    pub team_id: String,
    pub login: String,
    pub joined_at: DateTime<Utc>,
    /// Before the change (`None` when added).
    pub before: Option<Membership>,
    /// After the change (`None` when removed).
    pub after: Option<Membership>,
}

/// Everything a sync adds, removes or changes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TeamChanges {
    pub teams_added: Vec<String>,
    pub teams_removed: Vec<String>,
    /// Name, description or bot setting changed.
    pub teams_changed: Vec<String>,
    pub members_added: Vec<MemberChange>,
    pub members_removed: Vec<MemberChange>,
    pub members_changed: Vec<MemberChange>,
}

impl TeamChanges {
    pub fn is_empty(&self) -> bool {
        self.teams_added.is_empty()
            && self.teams_removed.is_empty()
            && self.teams_changed.is_empty()
            && self.members_added.is_empty()
            && self.members_removed.is_empty()
            && self.members_changed.is_empty()
    }

    /// Logins whose attributions may change: anyone whose memberships were touched, plus every
    /// member of a team whose bot setting or existence changed.
    pub fn affected_logins(&self, current: &TeamConfig, desired: &TeamConfig) -> BTreeSet<String> {
        let mut logins: BTreeSet<String> = self
            .members_added
            .iter()
            .chain(&self.members_removed)
            .chain(&self.members_changed)
            .map(|c| c.login.clone())
            .collect();
        for id in self
            .teams_added
            .iter()
            .chain(&self.teams_removed)
            .chain(&self.teams_changed)
        {
            for config in [current, desired] {
                if let Some(team) = config.team(id) {
                    logins.extend(team.members.iter().map(|m| m.login.clone()));
                }
            }
        }
        logins
    }
}

type MemberKey = (String, String, DateTime<Utc>);

fn members_by_key(config: &TeamConfig) -> BTreeMap<MemberKey, &Membership> {
    config
        .teams
        .iter()
        .flat_map(|t| {
            t.members
                .iter()
                .map(move |m| ((t.id.to_string(), m.login.clone(), m.joined_at), m))
        })
        .collect()
}

fn team_settings(t: &Team) -> (&str, Option<&str>, bool) {
    (&t.name, t.description.as_deref(), t.include_bots)
}

/// The changes that turn `current` into `desired`, each list sorted.
pub fn diff_team_configs(current: &TeamConfig, desired: &TeamConfig) -> TeamChanges {
    let mut changes = TeamChanges::default();
    for team in &desired.teams {
        match current.team(team.id.as_str()) {
            None => changes.teams_added.push(team.id.to_string()),
            Some(old) if team_settings(old) != team_settings(team) => {
                changes.teams_changed.push(team.id.to_string())
            }
            Some(_) => {}
        }
    }
    for team in &current.teams {
        if desired.team(team.id.as_str()).is_none() {
            changes.teams_removed.push(team.id.to_string());
        }
    }
    let before = members_by_key(current);
    let after = members_by_key(desired);
    let change = |key: &MemberKey, b: Option<&&Membership>, a: Option<&&Membership>| MemberChange {
        team_id: key.0.clone(),
        login: key.1.clone(),
        joined_at: key.2,
        before: b.map(|m| (*m).clone()),
        after: a.map(|m| (*m).clone()),
    };
    for (key, new) in &after {
        match before.get(key) {
            None => changes.members_added.push(change(key, None, Some(new))),
            Some(old) if old != new => {
                changes
                    .members_changed
                    .push(change(key, Some(old), Some(new)))
            }
            Some(_) => {}
        }
    }
    for (key, old) in &before {
        if !after.contains_key(key) {
            changes.members_removed.push(change(key, Some(old), None));
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(doc: &str) -> TeamConfig {
        TeamConfig::from_json(doc).unwrap()
    }

    #[test]
    fn identical_configs_have_no_changes() {
        let c =
            config(r#"{"teams":[{"id":"a","members":[{"github":"x","joined_at":"2026-01-01"}]}]}"#);
        assert!(diff_team_configs(&c, &c).is_empty());
    }

    #[test]
    fn adds_removals_and_edits_are_reported() {
        let before = config(
            r#"{"teams":[{"id":"a","members":[{"github":"x","joined_at":"2026-01-01"},{"github":"y","joined_at":"2026-01-01"}]},
                         {"id":"gone"}]}"#,
        );
        let after = config(
            r#"{"teams":[{"id":"a","name":"A","members":[{"github":"x","weight":0.5,"joined_at":"2026-01-01"},{"github":"z","joined_at":"2026-01-01"}]},
                         {"id":"new"}]}"#,
        );
        let d = diff_team_configs(&before, &after);
        assert_eq!(d.teams_added, ["new"]);
        assert_eq!(d.teams_removed, ["gone"]);
        assert_eq!(d.teams_changed, ["a"]);
        assert_eq!(
            d.members_added
                .iter()
                .map(|c| c.login.as_str())
                .collect::<Vec<_>>(),
            ["z"]
        );
        assert_eq!(
            d.members_removed
                .iter()
                .map(|c| c.login.as_str())
                .collect::<Vec<_>>(),
            ["y"]
        );
        assert_eq!(d.members_changed.len(), 1);
        assert_eq!(d.members_changed[0].after.as_ref().unwrap().weight, 0.5);
        let affected = d.affected_logins(&before, &after);
        assert_eq!(affected.into_iter().collect::<Vec<_>>(), ["x", "y", "z"]);
    }
}
