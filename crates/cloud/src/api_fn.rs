//! The API function: `api::router` unchanged behind API Gateway (REST v1 and HTTP v2 events,
//! converted by `lambda_http`), with the app-level API-key check kept as defence in depth.
//!
//! Around the router: the store and the keys are built on the first request and reused while
//! warm; a key the router rejects or a password PostgreSQL rejects makes the function re-read
//! that secret (at most once per `SECRET_REFRESH_MIN_INTERVAL`, default 60s) and, if it changed,
//! answer the request again with it; 5xx answers are counted and published as `ApiErrors`
//! (with `ApiRequests`) in one `PutMetricData` per `API_METRICS_INTERVAL` (default 60s).

use crate::aws::Aws;
use crate::error::{CloudError, chain};
use crate::metrics::{Datum, Metrics, Unit, Value};
use crate::secrets::{Refreshed, Secrets};
use crate::settings::connect_store;
use crate::vars::Vars;
use api::{ApiKeys, AppState};
use axum::body::Body as AxumBody;
use http::{Request, Response, StatusCode};
use lambda_http::Body;
use secrecy::ExposeSecret;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use store::Store;
use tokio::sync::Mutex;
use tower::ServiceExt;

/// Bound on the metrics call made inside a request.
const API_METRICS_TIMEOUT: Duration = Duration::from_secs(1);

const API_KEYS_HINT: &str = "comma-separated API keys accepted in x-api-key";

/// One warm API instance; cheap to clone (shared state).
#[derive(Clone, Debug)]
pub struct ApiFunction {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    secrets: Secrets,
    metrics: Metrics,
    max_connections: usize,
    refresh_min_age: Duration,
    metrics_interval: Duration,
    app: Mutex<Option<(Store, axum::Router)>>,
    requests: AtomicU64,
    errors: AtomicU64,
    last_flush: Mutex<Instant>,
}

impl ApiFunction {
    /// Reads the settings; nothing is contacted yet.
    pub fn from_vars(vars: Vars) -> Result<Self, CloudError> {
        let aws = Arc::new(Aws::new(vars.clone()));
        Ok(Self {
            inner: Arc::new(Inner {
                metrics: Metrics::new(&vars, aws.clone()),
                max_connections: crate::settings::pool_size(&vars)?,
                refresh_min_age: vars
                    .duration("SECRET_REFRESH_MIN_INTERVAL", Duration::from_secs(60))?,
                metrics_interval: vars.duration("API_METRICS_INTERVAL", Duration::from_secs(60))?,
                secrets: Secrets::new(vars, aws),
                app: Mutex::new(None),
                requests: AtomicU64::new(0),
                errors: AtomicU64::new(0),
                last_flush: Mutex::new(Instant::now()),
            }),
        })
    }

    /// The secrets, for tests that count fetches.
    pub fn secrets(&self) -> &Secrets {
        &self.inner.secrets
    }

    /// Answers one request (the Lambda handler).
    pub async fn handle(&self, request: Request<Body>) -> Response<AxumBody> {
        let inner = &self.inner;
        let response = match inner.answer(request).await {
            Ok(response) => response,
            Err(error) => {
                tracing::error!(error = chain(&error), "API unavailable");
                unavailable()
            }
        };
        inner.requests.fetch_add(1, Ordering::Relaxed);
        if response.status().is_server_error() {
            inner.errors.fetch_add(1, Ordering::Relaxed);
        }
        inner.flush_metrics_if_due().await;
        response
    }
}

impl Inner {
    async fn answer(&self, mut request: Request<Body>) -> Result<Response<AxumBody>, CloudError> {
        if let Some(stage) = bare_stage(&request) {
            return Ok(redirect_to_stage_root(&stage));
        }
        strip_stage(&mut request);
        let retry = replayable(&request);
        let (store, router) = self.app(false).await?;
        let response = router.oneshot(request).await.unwrap_or_else(|e| match e {});
        let Some(again) = retry else {
            return Ok(response);
        };
        let refresh = match response.status() {
            StatusCode::UNAUTHORIZED if again.headers().contains_key("x-api-key") => "API_KEYS",
            StatusCode::INTERNAL_SERVER_ERROR
                if store.ping().await.is_err_and(|e| e.is_auth_failure()) =>
            {
                "DATABASE_URL"
            }
            _ => return Ok(response),
        };
        let refreshed = self.secrets.refresh(refresh, self.refresh_min_age).await?;
        if !matches!(refreshed, Refreshed::Changed(_)) {
            return Ok(response);
        }
        tracing::warn!(
            secret = refresh,
            "secret rotated; answering again with the new value"
        );
        let (_, router) = self.app(true).await?;
        Ok(router.oneshot(again).await.unwrap_or_else(|e| match e {}))
    }

    /// The store and router, built on first use or rebuilt from the (refreshed) secrets.
    async fn app(&self, rebuild: bool) -> Result<(Store, axum::Router), CloudError> {
        let mut slot = self.app.lock().await;
        if let (Some(app), false) = (slot.as_ref(), rebuild) {
            return Ok(app.clone());
        }
        let keys = self.secrets.get("API_KEYS", API_KEYS_HINT).await?;
        let keys = ApiKeys::from_comma_separated(keys.expose_secret()).ok_or_else(|| {
            CloudError::InvalidVariable {
                name: "API_KEYS".into(),
                reason: "holds no key".into(),
            }
        })?;
        let store =
            connect_store(&self.secrets, self.max_connections, self.refresh_min_age).await?;
        let router = api::router(AppState::new(store.clone(), keys));
        *slot = Some((store.clone(), router.clone()));
        Ok((store, router))
    }

    /// Publishes the counts since the last flush when the interval has passed.
    async fn flush_metrics_if_due(&self) {
        let mut last = self.last_flush.lock().await;
        if last.elapsed() < self.metrics_interval {
            return;
        }
        *last = Instant::now();
        let requests = self.requests.swap(0, Ordering::Relaxed);
        let errors = self.errors.swap(0, Ordering::Relaxed);
        let data = [
            Datum {
                name: "ApiRequests",
                unit: Unit::Count,
                value: Value::Single(requests as f64),
            },
            Datum {
                name: "ApiErrors",
                unit: Unit::Count,
                value: Value::Single(errors as f64),
            },
        ];
        // Inside a request: a slow CloudWatch may cost this answer a second, never more.
        if tokio::time::timeout(API_METRICS_TIMEOUT, self.metrics.publish_or_log(&data))
            .await
            .is_err()
        {
            tracing::warn!(
                requests,
                errors,
                "PutMetricData took over a second; these API counts are dropped"
            );
        }
    }
}

/// The stage of a request for the stage's own URL without its final slash (`/prod`), which
/// API Gateway passes as `/`. The dashboard's URLs are relative, so it must be loaded from
/// `/prod/`, not `/prod`.
fn bare_stage(request: &Request<Body>) -> Option<String> {
    use lambda_http::RequestExt;
    use lambda_http::request::RequestContext;
    let (stage, path) = match request.request_context_ref()? {
        RequestContext::ApiGatewayV1(context) => (context.stage.clone()?, context.path.clone()?),
        RequestContext::ApiGatewayV2(context) => {
            (context.stage.clone()?, request.raw_http_path().to_owned())
        }
        _ => return None,
    };
    let bare = stage != "$default"
        && path.strip_prefix('/') == Some(stage.as_str())
        && matches!(*request.method(), http::Method::GET | http::Method::HEAD);
    bare.then_some(stage)
}

/// `308` to `/{stage}/`.
fn redirect_to_stage_root(stage: &str) -> Response<AxumBody> {
    let mut response = Response::new(AxumBody::empty());
    *response.status_mut() = StatusCode::PERMANENT_REDIRECT;
    if let Ok(location) = http::HeaderValue::from_str(&format!("/{stage}/")) {
        response
            .headers_mut()
            .insert(http::header::LOCATION, location);
    }
    response
}

/// Removes the API Gateway stage (`/prod`) that `lambda_http` puts in front of the path of a
/// REST API event (and that an HTTP API's named stage has in `rawPath`), so the router sees the
/// paths it declares (`/teams`, …) whatever the stage.
fn strip_stage(request: &mut Request<Body>) {
    use lambda_http::RequestExt;
    use lambda_http::request::RequestContext;
    let stage = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(context)) => context.stage.clone(),
        Some(RequestContext::ApiGatewayV2(context)) => context.stage.clone(),
        _ => None,
    };
    let Some(stage) = stage.filter(|s| s != "$default") else {
        return;
    };
    let prefix = format!("/{stage}");
    let path = request.uri().path();
    let Some(rest) = path.strip_prefix(&prefix) else {
        return;
    };
    if !(rest.is_empty() || rest.starts_with('/')) {
        return;
    }
    let rest = if rest.is_empty() { "/" } else { rest };
    let path_and_query = match request.uri().query() {
        Some(query) => format!("{rest}?{query}"),
        None => rest.to_owned(),
    };
    let mut parts = request.uri().clone().into_parts();
    if let Ok(value) = path_and_query.parse() {
        parts.path_and_query = Some(value);
        if let Ok(uri) = http::Uri::from_parts(parts) {
            *request.uri_mut() = uri;
        }
    }
}

/// A copy of a body-less request (every route is a GET), to answer again after a refresh.
fn replayable(request: &Request<Body>) -> Option<Request<Body>> {
    if !matches!(request.body(), Body::Empty) {
        return None;
    }
    let mut copy = Request::new(Body::Empty);
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.headers_mut() = request.headers().clone();
    Some(copy)
}

/// The API's error shape for a backend that cannot be reached (details are in the log).
fn unavailable() -> Response<AxumBody> {
    let mut response = Response::new(AxumBody::from(
        r#"{"error":{"code":"unavailable","message":"the service is temporarily unavailable"}}"#,
    ));
    *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// `lambda_http::run` takes a tower service.
impl tower::Service<Request<Body>> for ApiFunction {
    type Response = Response<AxumBody>;
    type Error = CloudError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, CloudError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), CloudError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let function = self.clone();
        Box::pin(async move { Ok(function.handle(request).await) })
    }
}
