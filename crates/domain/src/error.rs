//! The one error type of the domain crate: a team configuration that cannot be used.

use thiserror::Error;

/// Why a team configuration was rejected. Each variant says where the problem is, so a user can
/// fix the file without guessing.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ConfigError {
    /// The document is not valid JSON or does not have the expected shape.
    #[error(
        "team config is not valid at `{path}`{} (line {line}, column {column}): {message}",
        where_in_config(team.as_deref(), member.as_deref())
    )]
    Parse {
        /// JSON path of the offending value, e.g. `teams[0].members[1].wieght`.
        path: String,
        /// The id of the team the path is in, when the document names one there.
        team: Option<String>,
        /// The login of the member the path is in, when the document names one there.
        member: Option<String>,
        line: usize,
        column: usize,
        message: String,
    },
    /// Something other than whitespace follows the JSON document.
    #[error(
        "team config: unexpected data after the JSON document at line {line}, column {column} (a config is one JSON object)"
    )]
    TrailingData { line: usize, column: usize },
    /// A team-level field is wrong.
    #[error("team config: team {team:?}: field `{field}`: {reason}")]
    InvalidTeam {
        team: String,
        field: &'static str,
        reason: String,
    },
    /// A membership field is wrong.
    #[error("team config: team {team:?}, member {member:?}: field `{field}`: {reason}")]
    InvalidMembership {
        team: String,
        member: String,
        field: &'static str,
        reason: String,
    },
    /// The same login is allocated more than 100 % across teams at some instant.
    #[error(
        "team config: member {member:?}: field `weight`: allocated {total_weight} (more than 1.0) at {at} across teams {teams:?}; \
         fix the weights or set \"allow_overallocation\": true"
    )]
    Overallocated {
        member: String,
        at: String,
        total_weight: f64,
        teams: Vec<String>,
    },
}

/// ` (team "platform", member "alice")`, or the part of it that is known.
fn where_in_config(team: Option<&str>, member: Option<&str>) -> String {
    match (team, member) {
        (Some(team), Some(member)) => format!(" (team {team:?}, member {member:?})"),
        (Some(team), None) => format!(" (team {team:?})"),
        (None, Some(member)) => format!(" (member {member:?})"),
        (None, None) => String::new(),
    }
}
