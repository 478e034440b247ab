//! Route handlers: parse the request, ask the store, compute with `domain`, shape the response.

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::model::*;
use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use chrono::{DateTime, SecondsFormat, Utc};
use domain::{AttributedPr, DateRange, Period, TeamId};

/// Weeks and months in the default ranges.
const DEFAULT_WEEKS: u32 = 12;
const DEFAULT_MONTHS: u32 = 12;

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Liveness: answers without touching the database or needing a key.
#[utoipa::path(get, path = "/health", tag = "health", security(()),
    responses((status = 200, description = "The service is up", body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// JSON 404 for unknown paths.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("no such route".into())
}

/// JSON 405 for a known path asked with another method (axum adds the `Allow` header).
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// The teams with their current members and weights.
#[utoipa::path(get, path = "/teams", tag = "teams",
    responses(
        (status = 200, description = "Teams with the memberships active now", body = TeamsResponse),
        (status = 401, description = "Missing or wrong API key", body = ErrorBody),
        (status = 500, description = "Internal error", body = ErrorBody),
    ))]
pub async fn list_teams(State(state): State<AppState>) -> Result<Json<TeamsResponse>, ApiError> {
    let teams = state.store.teams_with_members_at((state.clock)()).await?;
    let teams = teams
        .into_iter()
        .map(|t| TeamEntry {
            id: t.id,
            name: t.name,
            description: t.description,
            members: t
                .members
                .into_iter()
                .map(|m| MemberEntry {
                    github: m.login,
                    weight: m.weight,
                    joined_at: rfc3339(m.joined_at),
                    left_at: m.left_at.map(rfc3339),
                })
                .collect(),
        })
        .collect();
    Ok(Json(TeamsResponse { teams }))
}

fn unknown_team(team_id: &str) -> ApiError {
    ApiError::NotFound(format!("no team with id {team_id:?}"))
}

/// A team's attributed PRs in the requested (or default) range, after checking the team exists.
async fn team_prs(
    state: &AppState,
    team_id: Result<Path<String>, PathRejection>,
    query: Result<Query<RangeQuery>, QueryRejection>,
    period: Period,
) -> Result<(String, DateRange, Vec<AttributedPr>), ApiError> {
    // A path that does not decode cannot name a team.
    let Path(team_id) = team_id.map_err(|_| unknown_team("(undecodable)"))?;
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let today = (state.clock)().date_naive();
    let range = DateRange::from_query(query.from.as_deref(), query.to.as_deref(), today, period)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    // Team ids are slugs, so anything else names no team (and never reaches the database, which
    // would refuse e.g. a NUL byte).
    if TeamId::parse(&team_id).is_err() || !state.store.team_exists(&team_id).await? {
        return Err(unknown_team(&team_id));
    }
    let (start, end) = range.instants();
    let prs = state.store.attributed_prs(&team_id, start, end).await?;
    Ok((team_id, range, prs))
}

/// Weekly velocity of a team: PRs merged, weighted PRs and mean cycle time per ISO week (UTC).
#[utoipa::path(get, path = "/metrics/team/{team_id}/velocity", tag = "metrics",
    params(("team_id" = String, Path, description = "Team id (a URL slug)", example = "platform"), RangeQuery),
    responses(
        (status = 200, description = "Weekly velocity; default range: the last 12 full weeks", body = VelocityResponse),
        (status = 400, description = "Bad date, or `from` after `to`", body = ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = ErrorBody),
        (status = 404, description = "Unknown team", body = ErrorBody),
        (status = 500, description = "Internal error", body = ErrorBody),
    ))]
pub async fn team_velocity(
    State(state): State<AppState>,
    team_id: Result<Path<String>, PathRejection>,
    query: Result<Query<RangeQuery>, QueryRejection>,
) -> Result<Json<VelocityResponse>, ApiError> {
    let (team_id, range, prs) =
        team_prs(&state, team_id, query, Period::Weeks(DEFAULT_WEEKS)).await?;
    let weeks = domain::weekly_velocity(&prs)
        .into_iter()
        .map(|w| WeekEntry {
            week_start: w.week_start.to_string(),
            prs_merged: w.prs_merged,
            weighted_prs_merged: w.weighted_prs_merged,
            avg_cycle_time_hours: w.avg_cycle_time_hours,
        })
        .collect();
    Ok(Json(VelocityResponse {
        team_id,
        from: range.from.to_string(),
        to: range.to.to_string(),
        weeks,
    }))
}

/// Monthly lead time of a team: median and p95 of cycle time per calendar month (UTC).
#[utoipa::path(get, path = "/metrics/team/{team_id}/lead-time", tag = "metrics",
    params(("team_id" = String, Path, description = "Team id (a URL slug)", example = "platform"), RangeQuery),
    responses(
        (status = 200, description = "Monthly lead time; default range: the last 12 full months", body = LeadTimeResponse),
        (status = 400, description = "Bad date, or `from` after `to`", body = ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = ErrorBody),
        (status = 404, description = "Unknown team", body = ErrorBody),
        (status = 500, description = "Internal error", body = ErrorBody),
    ))]
pub async fn team_lead_time(
    State(state): State<AppState>,
    team_id: Result<Path<String>, PathRejection>,
    query: Result<Query<RangeQuery>, QueryRejection>,
) -> Result<Json<LeadTimeResponse>, ApiError> {
    let (team_id, range, prs) =
        team_prs(&state, team_id, query, Period::Months(DEFAULT_MONTHS)).await?;
    let months = domain::monthly_lead_time(&prs)
        .into_iter()
        .map(|m| MonthEntry {
            month: m.month.to_string(),
            prs_merged: m.prs_merged,
            median_lead_time_hours: m.median_lead_time_hours,
            p95_lead_time_hours: m.p95_lead_time_hours,
        })
        .collect();
    Ok(Json(LeadTimeResponse {
        team_id,
        from: range.from.to_string(),
        to: range.to.to_string(),
        months,
    }))
}
