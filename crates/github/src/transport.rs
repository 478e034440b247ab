//! One HTTP attempt over octocrab's raw layer. The service stack is assembled here rather than
//! with octocrab's default builder so that exactly one `User-Agent` is sent, nothing retries or
//! follows redirects behind the client's back (it does both itself, within its bounds), and TLS
//! is rustls on aws-lc-rs with Mozilla's roots compiled in (no system CA bundle needed).

use crate::config::GithubConfig;
use crate::error::GithubError;
use bytes::{Bytes, BytesMut};
use http::header::{ACCEPT, IF_NONE_MATCH, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use http_body_util::BodyExt;
use http_body_util::combinators::BoxBody;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use octocrab::service::middleware::auth_header::AuthHeaderLayer;
use octocrab::{AuthState, OctoBody, Octocrab, OctocrabBuilder};
use secrecy::ExposeSecret;
use std::sync::Arc;
use std::time::Duration;
use tower_http::set_header::SetRequestHeaderLayer;

/// `User-Agent` of every request.
pub const USER_AGENT_VALUE: &str = concat!("dorameter/", env!("CARGO_PKG_VERSION"));

/// A whole response: status, headers and the body read to its end.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// An attempt that got no complete response.
#[derive(Debug)]
pub(crate) enum TransportError {
    /// No complete response within the attempt's time limit.
    Timeout(Duration),
    /// Connection refused or reset, TLS failure, body cut off, …
    Failed(String),
    /// The body (announced or received so far) is longer than the configured cap: reading
    /// stopped there, so memory stays bounded whatever is sent.
    TooLarge { limit: usize },
}

/// The octocrab client, cheap to clone.
#[derive(Clone)]
pub(crate) struct Transport {
    octocrab: Arc<Octocrab>,
    max_body_bytes: usize,
}

impl Transport {
    /// Builds the stack: hyper (HTTP/1.1, rustls) ← fixed headers ← bearer token for the API
    /// host only. Must run inside a tokio runtime (octocrab spawns its buffer worker).
    pub fn new(config: &GithubConfig, base: &Uri) -> Result<Self, GithubError> {
        let invalid = |field: &'static str| {
            move |e: &dyn std::fmt::Display| GithubError::InvalidConfig {
                field,
                reason: e.to_string(),
            }
        };
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(provider)
            .map_err(|e| invalid("tls")(&e))?
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new()).build::<_, OctoBody>(connector);

        let mut bearer = HeaderValue::try_from(format!("Bearer {}", config.token.expose_secret()))
            .map_err(|_| GithubError::InvalidConfig {
                field: "token",
                reason: "contains characters not allowed in an HTTP header".to_owned(),
            })?;
        bearer.set_sensitive(true);
        let fixed = |name: HeaderName, value: &'static str| {
            SetRequestHeaderLayer::overriding(name, HeaderValue::from_static(value))
        };
        let octocrab = OctocrabBuilder::new_empty()
            .with_service(client)
            .with_layer(&fixed(USER_AGENT, USER_AGENT_VALUE))
            .with_layer(&fixed(ACCEPT, "application/vnd.github+json"))
            .with_layer(&fixed(
                HeaderName::from_static("x-github-api-version"),
                "2022-11-28",
            ))
            // Adds the token only to requests for the API base's host.
            .with_layer(&AuthHeaderLayer::new(
                Some(bearer),
                base.clone(),
                base.clone(),
            ))
            .with_auth(AuthState::None)
            .build()
            .map_err(|e| invalid("client")(&e))?;
        Ok(Self {
            octocrab: Arc::new(octocrab),
            max_body_bytes: config.max_body_bytes,
        })
    }

    /// GETs `url` (absolute) with `If-None-Match: etag` when given, reading the whole body
    /// within `timeout` and at most `max_body_bytes` of it.
    pub async fn get(
        &self,
        url: &Uri,
        etag: Option<&str>,
        timeout: Duration,
    ) -> Result<RawResponse, TransportError> {
        let mut headers = HeaderMap::new();
        if let Some(v) = etag.and_then(|e| HeaderValue::from_str(e).ok()) {
            headers.insert(IF_NONE_MATCH, v);
        }
        let attempt = async {
            let response = self
                .octocrab
                ._get_with_headers(url.clone(), Some(headers))
                .await
                .map_err(|e| TransportError::Failed(error_chain(&e)))?;
            let (parts, body) = response.into_parts();
            let body = read_capped(body, &parts.headers, self.max_body_bytes).await?;
            Ok(RawResponse {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        };
        tokio::time::timeout(timeout, attempt)
            .await
            .unwrap_or(Err(TransportError::Timeout(timeout)))
    }
}

/// The body, read frame by frame and refused as soon as it is (or announces to be) longer than
/// `limit`: a huge or endless body never fills memory.
async fn read_capped(
    mut body: BoxBody<Bytes, octocrab::Error>,
    headers: &HeaderMap,
    limit: usize,
) -> Result<Bytes, TransportError> {
    let announced = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(TransportError::TooLarge { limit });
    }
    let mut buffer = BytesMut::with_capacity(announced.map_or(0, |n| n as usize));
    // Each frame adds at least one byte or ends the body, and the cap ends it before it grows
    // past `limit`: the loop is bounded by the cap.
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| TransportError::Failed(error_chain(&e)))?;
        if let Ok(data) = frame.into_data() {
            if buffer.len().saturating_add(data.len()) > limit {
                return Err(TransportError::TooLarge { limit });
            }
            buffer.extend_from_slice(&data);
        }
    }
    Ok(buffer.freeze())
}

/// An error and its causes on one line (octocrab wraps hyper's errors several levels deep).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    for _ in 0..8 {
        let Some(cause) = source else { break };
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
