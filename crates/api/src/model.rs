//! Response bodies, shaped for the API contract and described for the OpenAPI document.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// `from`/`to` query parameters: inclusive UTC days applied to `merged_at`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// First day (UTC, inclusive), `YYYY-MM-DD`. Default: the start of the default range, or,
    /// when `to` is before it, the start of the 12 weeks (velocity) or months (lead time) ending
    /// with the one that contains `to`.
    #[param(value_type = Option<String>, format = Date, example = "2026-01-01")]
    pub from: Option<String>,
    /// Last day (UTC, inclusive), `YYYY-MM-DD`. Default: the end of the default range, or today
    /// (UTC) when `from` is after it.
    #[param(value_type = Option<String>, format = Date, example = "2026-03-31")]
    pub to: Option<String>,
}

/// `GET /health`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
    #[schema(example = "0.1.0")]
    pub version: &'static str,
}

/// One ISO week (Monday 00:00 UTC) of a team's merged PRs.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeekEntry {
    /// Monday of the week, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date, example = "2026-01-05")]
    pub week_start: String,
    /// PRs attributed to the team.
    #[schema(minimum = 0)]
    pub prs_merged: u64,
    /// Sum of the attributed PRs' membership weights.
    #[schema(minimum = 0.0)]
    pub weighted_prs_merged: f64,
    /// Plain mean of `merged_at - created_at`, in hours, over the PRs where it is not negative
    /// (a PR merged before it was created counts in `prs_merged` only); null when none is.
    pub avg_cycle_time_hours: Option<f64>,
}

/// `GET /metrics/team/{team_id}/velocity`.
#[derive(Debug, Serialize, ToSchema)]
pub struct VelocityResponse {
    pub team_id: String,
    #[schema(value_type = String, format = Date)]
    pub from: String,
    #[schema(value_type = String, format = Date)]
    pub to: String,
    /// Weeks with at least one PR, oldest first.
    pub weeks: Vec<WeekEntry>,
}

/// One calendar month (UTC) of a team's lead time.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthEntry {
    /// `YYYY-MM`.
    #[schema(example = "2026-01", pattern = r"^\d{4}-\d{2}$")]
    pub month: String,
    #[schema(minimum = 0)]
    pub prs_merged: u64,
    /// Median of `merged_at - created_at` in hours (PERCENTILE_CONT 0.5), over the PRs where
    /// it is not negative (a PR merged before it was created counts in `prs_merged` only);
    /// null when none is.
    pub median_lead_time_hours: Option<f64>,
    /// 95th percentile, interpolated (PERCENTILE_CONT 0.95), over the same PRs; null when none.
    pub p95_lead_time_hours: Option<f64>,
}

/// `GET /metrics/team/{team_id}/lead-time`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadTimeResponse {
    pub team_id: String,
    #[schema(value_type = String, format = Date)]
    pub from: String,
    #[schema(value_type = String, format = Date)]
    pub to: String,
    /// Months with at least one PR, oldest first.
    pub months: Vec<MonthEntry>,
}

/// A current membership.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberEntry {
    /// GitHub login (lowercase).
    pub github: String,
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub weight: f64,
    /// RFC 3339, UTC.
    #[schema(value_type = String, format = DateTime)]
    pub joined_at: String,
    /// RFC 3339, UTC; null while the membership is open.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub left_at: Option<String>,
}

/// A team with its members as of now.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamEntry {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub members: Vec<MemberEntry>,
}

/// `GET /teams`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamsResponse {
    pub teams: Vec<TeamEntry>,
}
