//! The team configuration: parsing the JSON document and validating it into [`TeamConfig`].
//!
//! Validation is all-or-nothing: a config either passes every rule or is rejected with the first
//! problem found, named by team, member and field, before anything is written anywhere.

mod team_id;

pub use team_id::TeamId;

use crate::error::ConfigError;
use crate::time::{floor_to_micros, parse_config_instant};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

/// Tolerance for summing weights such as 0.1 + 0.2 + 0.7.
const WEIGHT_EPSILON: f64 = 1e-9;

/// One dated, weighted membership of a GitHub login in a team, covering
/// `joined_at <= t < left_at` (`left_at: None` = still a member).
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    /// GitHub login, lowercased: logins are case-insensitive.
    pub login: String,
    /// Share of the person's output credited to this team, 0.0..=1.0.
    pub weight: f64,
    pub joined_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
}

impl Membership {
    /// Whether the membership covers instant `t` (`joined_at` inclusive, `left_at` exclusive).
    pub fn is_active_at(&self, t: DateTime<Utc>) -> bool {
        self.joined_at <= t && self.left_at.is_none_or(|left| t < left)
    }

    fn overlaps(&self, other: &Membership) -> bool {
        let a_before_b_ends = other.left_at.is_none_or(|l| self.joined_at < l);
        let b_before_a_ends = self.left_at.is_none_or(|l| other.joined_at < l);
        a_before_b_ends && b_before_a_ends
    }
}

/// A team and its memberships.
#[derive(Debug, Clone, PartialEq)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub description: Option<String>,
    /// Whether PRs by bot accounts count for this team (default: no).
    pub include_bots: bool,
    /// Sorted by (login, joined_at).
    pub members: Vec<Membership>,
}

/// A validated team configuration.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TeamConfig {
    /// Sorted by id.
    pub teams: Vec<Team>,
    pub allow_overallocation: bool,
}

// ---- the JSON document, exactly as users write it ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    teams: Vec<RawTeam>,
    #[serde(default)]
    allow_overallocation: bool,
    /// Default for every team's `include_bots`.
    #[serde(default)]
    include_bots: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTeam {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    include_bots: Option<bool>,
    #[serde(default)]
    members: Vec<RawMember>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMember {
    github: String,
    #[serde(default = "default_weight")]
    weight: f64,
    joined_at: String,
    #[serde(default)]
    left_at: Option<String>,
}

fn default_weight() -> f64 {
    1.0
}

impl TeamConfig {
    /// Parses and validates a JSON team configuration.
    pub fn from_json(document: &str) -> Result<Self, ConfigError> {
        let mut de = serde_json::Deserializer::from_str(document);
        let raw: RawConfig = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let (team, member) = team_and_member_at(document, e.path());
            let path = e.path().to_string();
            let inner = e.into_inner();
            ConfigError::Parse {
                path,
                team,
                member,
                line: inner.line(),
                column: inner.column(),
                message: strip_position(&inner.to_string()),
            }
        })?;
        // One document per config: a second one after it (or anything else) is refused rather
        // than silently ignored.
        de.end().map_err(|e| ConfigError::TrailingData {
            line: e.line(),
            column: e.column(),
        })?;
        Self::validate(raw)
    }

    fn validate(raw: RawConfig) -> Result<Self, ConfigError> {
        let mut seen_ids = HashSet::new();
        let mut teams = Vec::with_capacity(raw.teams.len());
        for raw_team in raw.teams {
            let team = validate_team(raw_team, raw.include_bots)?;
            if !seen_ids.insert(team.id.clone()) {
                return Err(ConfigError::InvalidTeam {
                    team: team.id.0,
                    field: "id",
                    reason: "duplicate team id".into(),
                });
            }
            teams.push(team);
        }
        teams.sort_by(|a, b| a.id.cmp(&b.id));
        let config = Self {
            teams,
            allow_overallocation: raw.allow_overallocation,
        };
        if !config.allow_overallocation {
            config.check_allocation_conserved()?;
        }
        Ok(config)
    }

    /// Every login's weights summed across teams stay ≤ 1.0 at every instant. The sum can only
    /// rise at a `joined_at`, so checking those instants is enough.
    fn check_allocation_conserved(&self) -> Result<(), ConfigError> {
        let mut by_login: BTreeMap<&str, Vec<(&TeamId, &Membership)>> = BTreeMap::new();
        for team in &self.teams {
            for m in &team.members {
                by_login.entry(&m.login).or_default().push((&team.id, m));
            }
        }
        for (login, spans) in by_login {
            for (_, candidate) in &spans {
                let t = candidate.joined_at;
                let active: Vec<_> = spans.iter().filter(|(_, m)| m.is_active_at(t)).collect();
                let total: f64 = active.iter().map(|(_, m)| m.weight).sum();
                if total > 1.0 + WEIGHT_EPSILON {
                    return Err(ConfigError::Overallocated {
                        member: login.to_owned(),
                        at: t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                        total_weight: (total * 1e6).round() / 1e6,
                        teams: active.iter().map(|(id, _)| id.to_string()).collect(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Looks a team up by id.
    pub fn team(&self, id: &str) -> Option<&Team> {
        self.teams.iter().find(|t| t.id.as_str() == id)
    }
}

/// The team id and member login around a parse error at `path` (`teams[i].members[j]…`), read
/// from the document when it is valid JSON, so the error names them and not only indexes.
fn team_and_member_at(
    document: &str,
    path: &serde_path_to_error::Path,
) -> (Option<String>, Option<String>) {
    use serde_path_to_error::Segment;
    let Ok(value) = serde_json::from_str::<serde_json::Value>(document) else {
        return (None, None);
    };
    let segments: Vec<&Segment> = path.iter().collect();
    let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    match segments.as_slice() {
        [
            Segment::Map { key: teams },
            Segment::Seq { index: i },
            rest @ ..,
        ] if teams == "teams" => {
            let team = &value["teams"][*i];
            let member = match rest {
                [Segment::Map { key: members }, Segment::Seq { index: j }, ..]
                    if members == "members" =>
                {
                    text(&team["members"][*j]["github"])
                }
                _ => None,
            };
            (text(&team["id"]), member)
        }
        _ => (None, None),
    }
}

/// serde_json appends " at line L column C"; the error already reports them separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

fn validate_team(raw: RawTeam, default_include_bots: bool) -> Result<Team, ConfigError> {
    let id = TeamId::parse(&raw.id).map_err(|reason| ConfigError::InvalidTeam {
        team: raw.id.clone(),
        field: "id",
        reason,
    })?;
    let name = match raw.name {
        Some(name) if name.trim().is_empty() => {
            return Err(ConfigError::InvalidTeam {
                team: raw.id,
                field: "name",
                reason: "must not be empty".into(),
            });
        }
        Some(name) => name,
        None => raw.id.clone(),
    };
    // PostgreSQL's text cannot hold a NUL, so such a config would pass here and fail at write.
    for (field, value) in [
        ("name", Some(&name)),
        ("description", raw.description.as_ref()),
    ] {
        if value.is_some_and(|v| v.contains('\0')) {
            return Err(ConfigError::InvalidTeam {
                team: raw.id,
                field,
                reason: "must not contain a NUL character (\\u0000)".into(),
            });
        }
    }
    let mut members = Vec::with_capacity(raw.members.len());
    for raw_member in raw.members {
        members.push(validate_member(&id, raw_member)?);
    }
    members.sort_by(|a, b| (&a.login, a.joined_at).cmp(&(&b.login, b.joined_at)));
    // Sorted by (login, joined_at): a login's spans are adjacent and in order.
    for pair in members.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.login == b.login && a.overlaps(b) {
            return Err(ConfigError::InvalidMembership {
                team: id.0,
                member: b.login.clone(),
                field: "joined_at",
                reason: format!(
                    "membership from {} overlaps the one from {} (spans of one login in one team must not overlap)",
                    b.joined_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                    a.joined_at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
                ),
            });
        }
    }
    Ok(Team {
        id,
        name,
        description: raw.description,
        include_bots: raw.include_bots.unwrap_or(default_include_bots),
        members,
    })
}

fn validate_member(team: &TeamId, raw: RawMember) -> Result<Membership, ConfigError> {
    let invalid = |field: &'static str, reason: String| ConfigError::InvalidMembership {
        team: team.0.clone(),
        member: raw.github.clone(),
        field,
        reason,
    };
    if !is_valid_login(&raw.github) {
        return Err(invalid(
            "github",
            format!("{:?} is not a GitHub login", raw.github),
        ));
    }
    if !(0.0..=1.0).contains(&raw.weight) {
        return Err(invalid(
            "weight",
            format!("must be between 0 and 1, got {}", raw.weight),
        ));
    }
    // Rounded to the microsecond the databases keep before any check, so a span that would be
    // stored empty is refused here and not by the database's CHECK.
    let parse = |field: &'static str, value: &str| {
        parse_config_instant(value)
            .map(floor_to_micros)
            .ok_or_else(|| {
                invalid(
                    field,
                    format!("{value:?} is neither a UTC day (YYYY-MM-DD) nor an RFC 3339 instant"),
                )
            })
    };
    let joined_at = parse("joined_at", &raw.joined_at)?;
    let left_at = raw
        .left_at
        .as_deref()
        .map(|v| parse("left_at", v))
        .transpose()?;
    if let Some(left) = left_at
        && left <= joined_at
    {
        return Err(invalid(
            "left_at",
            format!(
                "must be after joined_at ({}), got {} (instants are kept to the microsecond)",
                raw.joined_at,
                raw.left_at.as_deref().unwrap_or_default()
            ),
        ));
    }
    Ok(Membership {
        login: raw.github.to_ascii_lowercase(),
        // -0 is 0: stored and listed without its sign.
        weight: if raw.weight == 0.0 { 0.0 } else { raw.weight },
        joined_at,
        left_at,
    })
}

const BOT_SUFFIX: &str = "[bot]";

/// GitHub logins: ASCII letters, digits and hyphens (underscores too, for Enterprise Managed
/// Users), not starting with a hyphen; app accounts carry a `[bot]` suffix. Older accounts break
/// today's stricter rules, so this only refuses what can never be a login.
fn is_valid_login(login: &str) -> bool {
    // The suffix in any case, as attribution's bot rule reads it.
    let name = match login.len().checked_sub(BOT_SUFFIX.len()) {
        Some(cut)
            if login
                .get(cut..)
                .is_some_and(|s| s.eq_ignore_ascii_case(BOT_SUFFIX)) =>
        {
            &login[..cut]
        }
        _ => login,
    };
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && !name.starts_with('-')
}

#[cfg(test)]
mod tests;
