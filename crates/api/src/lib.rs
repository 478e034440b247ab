//! The dorameter HTTP API: an axum [`Router`] serving team metrics behind an API key. The CLI
//! serves it over TCP and the API Lambda wraps it unchanged.
//!
//! Only this crate knows the response JSON; metric math comes from `domain`, data from `store`.

mod auth;
mod dashboard;
mod error;
mod model;
mod openapi;
mod routes;
mod server;

pub use auth::ApiKeys;
pub use error::ApiError;
pub use openapi::ApiDoc;
pub use server::{ServeLimits, serve};

use axum::Router;
use axum::http::{HeaderName, Request};
use axum::routing::get;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use store::Store;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Header carrying the request id: taken from the caller when it is short and plain (see
/// [`is_usable_request_id`]), generated otherwise, and echoed on the response.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Longest request id accepted from a caller.
const MAX_REQUEST_ID_LEN: usize = 128;

/// Whether a caller's request id may be kept: at most 128 characters of `[A-Za-z0-9._-]`. Any
/// other is replaced by a generated one, so a huge or hostile id never reaches the response or
/// the logs.
pub fn is_usable_request_id(id: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID_LEN
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Drops a request id the caller sent that [`is_usable_request_id`] refuses (every copy of
/// the header, so none slips past), leaving the next layer to generate one.
async fn drop_unusable_request_id(mut request: axum::extract::Request) -> axum::extract::Request {
    let headers = request.headers_mut();
    let mut ids = headers.get_all(REQUEST_ID_HEADER).iter();
    let usable = match (ids.next(), ids.next()) {
        (Some(id), None) => is_usable_request_id(id.as_bytes()),
        (None, _) => true,
        (Some(_), Some(_)) => false,
    };
    if !usable {
        headers.remove(REQUEST_ID_HEADER);
    }
    request
}

/// A source of "now", so tests can pin the default date ranges.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// What every handler needs.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub api_keys: Arc<ApiKeys>,
    pub clock: Clock,
}

impl AppState {
    /// State with the real clock.
    pub fn new(store: Store, api_keys: ApiKeys) -> Self {
        Self {
            store,
            api_keys: Arc::new(api_keys),
            clock: Arc::new(Utc::now),
        }
    }
}

/// The whole API: `/health` and the dashboard's static files open, every other route behind
/// `x-api-key`, JSON access logs with a request id.
pub fn router(state: AppState) -> Router {
    let protected = Router::new()
        .route("/teams", get(routes::list_teams))
        .route(
            "/metrics/team/{team_id}/velocity",
            get(routes::team_velocity),
        )
        .route(
            "/metrics/team/{team_id}/lead-time",
            get(routes::team_lead_time),
        )
        .route("/openapi.json", get(openapi::openapi_json))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_api_key,
        ));
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    Router::new()
        .route("/health", get(routes::health))
        .merge(dashboard::router())
        .merge(protected)
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .with_state(state)
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    let request_id = request
                        .headers()
                        .get(REQUEST_ID_HEADER)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "request",
                        request_id = %request_id,
                        method = %request.method(),
                        path = %request.uri().path(),
                    )
                })
                .on_request(())
                .on_response(
                    |response: &axum::http::Response<_>,
                     latency: std::time::Duration,
                     _span: &tracing::Span| {
                        tracing::info!(
                            status = response.status().as_u16(),
                            latency_ms = latency.as_secs_f64() * 1000.0,
                            "request served"
                        );
                    },
                ),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(axum::middleware::map_request(drop_unusable_request_id))
}
