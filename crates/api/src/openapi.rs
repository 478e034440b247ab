//! The OpenAPI 3 document, generated from the handlers' annotations.

use crate::error::{ErrorBody, ErrorDetail};
use crate::model::*;
use crate::routes;
use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The API description served at `/openapi.json`.
#[derive(OpenApi)]
#[openapi(
    info(title = "dorameter", description = "Team delivery metrics (DORA and PR flow) from GitHub."),
    paths(routes::health, routes::list_teams, routes::team_velocity, routes::team_lead_time, openapi_json),
    components(schemas(ErrorBody, ErrorDetail, Health, TeamsResponse, TeamEntry, MemberEntry,
        VelocityResponse, WeekEntry, LeadTimeResponse, MonthEntry)),
    modifiers(&ApiKeyScheme),
    security(("api_key" = [])),
)]
pub struct ApiDoc;

struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new(
                crate::auth::API_KEY_HEADER,
            ))),
        );
    }
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses(
        (status = 200, description = "The OpenAPI 3 document", content_type = "application/json"),
        (status = 401, description = "Missing or wrong API key", body = ErrorBody),
    ))]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
