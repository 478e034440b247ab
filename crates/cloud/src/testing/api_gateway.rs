//! A fake API Gateway REST API on 127.0.0.1 in front of a [`FakeRuntimeApi`], so a browser can
//! load the dashboard from a real `bootstrap`: each HTTP request under `/{stage}/` becomes a REST
//! (v1) proxy event as API Gateway sends it, the key is required as `infra/template.yaml` requires
//! it (every route but the keyless ones), and the function's answer goes back as HTTP, base64
//! bodies decoded (the template's `BinaryMediaTypes: */*`).

use super::runtime_api::{FakeRuntimeApi, Outcome};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Each invocation's deadline, as the template's function timeout.
const TIMEOUT: Duration = Duration::from_secs(29);

struct Gateway {
    runtime: Arc<FakeRuntimeApi>,
    stage: String,
    api_key: String,
    requests: AtomicU64,
}

/// A running fake API Gateway stage.
pub struct FakeApiGateway {
    /// `http://127.0.0.1:PORT/{stage}`: the stage's URL, as the stack's `ApiUrl` output.
    pub base: String,
}

/// The routes open without a key (`GET` only), as the template declares them; the resource
/// that matched and its path parameter.
fn keyless_resource(path: &str) -> Option<(&'static str, Option<(&'static str, &str)>)> {
    match path {
        "/" => Some(("/", None)),
        "/health" => Some(("/health", None)),
        _ => path
            .strip_prefix("/assets/")
            .filter(|file| !file.is_empty() && !file.contains('/'))
            .map(|file| ("/assets/{file}", Some(("file", file)))),
    }
}

impl FakeApiGateway {
    /// Serves `/{stage}/…` on an ephemeral port, forwarding to `runtime`'s function.
    pub async fn start(runtime: Arc<FakeRuntimeApi>, stage: &str, api_key: &str) -> Self {
        let gateway = Arc::new(Gateway {
            runtime,
            stage: stage.to_owned(),
            api_key: api_key.to_owned(),
            requests: AtomicU64::new(0),
        });
        let app = Router::new().fallback(forward).with_state(gateway);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake API Gateway");
        let address = listener.local_addr().expect("address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            base: format!("http://{address}/{stage}"),
        }
    }
}

fn message(status: StatusCode, text: &str) -> Response {
    let body = json!({ "message": text }).to_string();
    (status, [("content-type", "application/json")], body).into_response()
}

async fn forward(State(gateway): State<Arc<Gateway>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let full_path = parts.uri.path().to_owned();
    let prefix = format!("/{}", gateway.stage);
    let Some(path) = full_path
        .strip_prefix(&prefix)
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
    else {
        return message(StatusCode::FORBIDDEN, "Missing Authentication Token");
    };
    let path = if path.is_empty() { "/" } else { path };
    let keyless = keyless_resource(path).filter(|_| parts.method == axum::http::Method::GET);
    let key = parts.headers.get("x-api-key").and_then(|v| v.to_str().ok());
    if keyless.is_none() && key != Some(gateway.api_key.as_str()) {
        return message(StatusCode::FORBIDDEN, "Forbidden");
    }
    let (resource, parameters) = match keyless {
        Some((resource, parameter)) => (
            resource,
            parameter.map(|(name, value)| json!({ name: value })),
        ),
        None => (
            "/{proxy+}",
            Some(json!({ "proxy": path.trim_start_matches('/') })),
        ),
    };
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let number = gateway.requests.fetch_add(1, Ordering::Relaxed);
    let event = json!({
        "resource": resource,
        "path": path,
        "httpMethod": parts.method.as_str(),
        "headers": single_values(&parts.headers),
        "multiValueHeaders": multi_values(&parts.headers),
        "queryStringParameters": query(parts.uri.query(), false),
        "multiValueQueryStringParameters": query(parts.uri.query(), true),
        "pathParameters": parameters,
        "stageVariables": null,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": parts.method.as_str(),
            "path": full_path,
            "stage": gateway.stage,
            "requestId": format!("gateway-{number}"),
            "accountId": "123456789012",
            "apiId": "fakeapi",
            "protocol": "HTTP/1.1",
            "identity": { "sourceIp": "127.0.0.1", "apiKey": key },
        },
        "body": (!body.is_empty()).then(|| String::from_utf8_lossy(&body).into_owned()),
        "isBase64Encoded": false,
    });
    let id = gateway.runtime.invoke(&event.to_string(), TIMEOUT).await;
    match gateway.runtime.outcome(&id, TIMEOUT).await {
        Outcome::Response(answer) => response(&answer),
        // API Gateway's answer to a function error.
        Outcome::Error(_) => message(StatusCode::BAD_GATEWAY, "Internal server error"),
    }
}

fn single_values(headers: &HeaderMap) -> Value {
    let mut map = Map::new();
    for (name, value) in headers {
        map.insert(
            name.as_str().to_owned(),
            String::from_utf8_lossy(value.as_bytes()).into(),
        );
    }
    Value::Object(map)
}

fn multi_values(headers: &HeaderMap) -> Value {
    let mut map = Map::new();
    for name in headers.keys() {
        let values: Vec<Value> = headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into())
            .collect();
        map.insert(name.as_str().to_owned(), Value::Array(values));
    }
    Value::Object(map)
}

/// The query as API Gateway passes it: decoded, `null` when there is none.
fn query(query: Option<&str>, multi: bool) -> Value {
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        return Value::Null;
    };
    let mut map = Map::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let entry = map.entry(name.into_owned());
        if multi {
            let list = entry.or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = list {
                list.push(value.into_owned().into());
            }
        } else {
            *entry.or_insert(Value::Null) = value.into_owned().into();
        }
    }
    Value::Object(map)
}

/// The function's proxy response document as HTTP.
fn response(answer: &Value) -> Response {
    let status = answer["statusCode"]
        .as_u64()
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok());
    let Some(status) = status else {
        return message(StatusCode::BAD_GATEWAY, "Internal server error");
    };
    let text = answer["body"].as_str().unwrap_or_default();
    let base64 = answer["isBase64Encoded"].as_bool().unwrap_or(false);
    let body: Bytes = match lambda_http::Body::from_maybe_encoded(base64, text) {
        lambda_http::Body::Binary(bytes) => bytes.into(),
        lambda_http::Body::Text(text) => text.into(),
        _ => Bytes::new(),
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    let pairs = |field: &str| -> Vec<(String, Value)> {
        answer[field]
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    for (name, value) in pairs("headers") {
        if let (Ok(name), Some(Ok(value))) = (
            HeaderName::try_from(name),
            value.as_str().map(HeaderValue::from_str),
        ) {
            headers.insert(name, value);
        }
    }
    for (name, values) in pairs("multiValueHeaders") {
        let Ok(name) = HeaderName::try_from(name) else {
            continue;
        };
        headers.remove(&name);
        for value in values.as_array().into_iter().flatten() {
            if let Some(Ok(value)) = value.as_str().map(HeaderValue::from_str) {
                headers.append(name.clone(), value);
            }
        }
    }
    response
}
