//! A fake CloudWatch on 127.0.0.1. The SDK speaks Smithy RPC v2 CBOR to CloudWatch, which
//! moto's server does not understand, so this server decodes the real request body (ciborium)
//! and records what a test asserts on: namespace, metric names, dimensions, units, values.

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use ciborium::Value;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

/// One metric datum as received.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedDatum {
    pub name: String,
    pub unit: Option<String>,
    pub value: Option<f64>,
    /// `(SampleCount, Sum, Minimum, Maximum)` of a statistic set.
    pub stats: Option<(f64, f64, f64, f64)>,
    pub dimensions: Vec<(String, String)>,
}

/// One `PutMetricData` request as received.
#[derive(Debug, Clone, PartialEq)]
pub struct PutMetricDataCall {
    pub namespace: String,
    pub data: Vec<RecordedDatum>,
}

impl PutMetricDataCall {
    /// The datum named `name`.
    pub fn datum(&self, name: &str) -> Option<&RecordedDatum> {
        self.data.iter().find(|d| d.name == name)
    }
}

#[derive(Default)]
struct State {
    calls: Mutex<Vec<PutMetricDataCall>>,
    /// 0: answer 200; else answer with this status.
    fail_status: AtomicU16,
}

/// A running fake CloudWatch; stops with the test's runtime.
pub struct FakeCloudWatch {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    state: Arc<State>,
}

impl FakeCloudWatch {
    /// Serves on an ephemeral port in the current runtime.
    pub async fn start() -> Self {
        let state = Arc::new(State::default());
        let shared = state.clone();
        let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
            let state = shared.clone();
            async move { receive(&state, &uri, &headers, &body) }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake CloudWatch");
        let endpoint = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { endpoint, state }
    }

    /// Answers every later request with `status` (e.g. 500), or normally again with 0.
    pub fn fail_with(&self, status: u16) {
        self.state.fail_status.store(status, Ordering::SeqCst);
    }

    /// The requests received so far.
    pub fn calls(&self) -> Vec<PutMetricDataCall> {
        self.state
            .calls
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default()
    }

    /// Variables pointing a function's CloudWatch client here.
    pub fn vars(&self) -> Vec<(String, String)> {
        vec![("AWS_ENDPOINT_URL_CLOUDWATCH".into(), self.endpoint.clone())]
    }
}

fn receive(
    state: &State,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> (StatusCode, [(&'static str, &'static str); 2], Vec<u8>) {
    let cbor = [
        ("smithy-protocol", "rpc-v2-cbor"),
        ("content-type", "application/cbor"),
    ];
    let fail = state.fail_status.load(Ordering::SeqCst);
    if fail != 0 {
        let status = StatusCode::from_u16(fail).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (status, cbor, vec![0xa0]);
    }
    let is_cbor = headers
        .get("smithy-protocol")
        .is_some_and(|v| v == "rpc-v2-cbor");
    if !uri.path().ends_with("/operation/PutMetricData") || !is_cbor {
        return (StatusCode::NOT_FOUND, cbor, vec![0xa0]);
    }
    let Ok(request) = ciborium::from_reader::<Value, _>(body) else {
        return (StatusCode::BAD_REQUEST, cbor, vec![0xa0]);
    };
    let call = PutMetricDataCall {
        namespace: text(field(&request, "Namespace")).unwrap_or_default(),
        data: list(field(&request, "MetricData"))
            .iter()
            .map(datum)
            .collect(),
    };
    if let Ok(mut calls) = state.calls.lock() {
        calls.push(call);
    }
    // An empty CBOR map: PutMetricData's (empty) output.
    (StatusCode::OK, cbor, vec![0xa0])
}

fn field<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    value
        .as_map()?
        .iter()
        .find(|(k, _)| k.as_text() == Some(name))
        .map(|(_, v)| v)
}

fn text(value: Option<&Value>) -> Option<String> {
    value?.as_text().map(str::to_owned)
}

fn number(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Float(f) => Some(*f),
        Value::Integer(i) => i128::from(*i).to_string().parse().ok(),
        _ => None,
    }
}

fn list(value: Option<&Value>) -> Vec<Value> {
    value.and_then(Value::as_array).cloned().unwrap_or_default()
}

fn datum(value: &Value) -> RecordedDatum {
    let stats = field(value, "StatisticValues").and_then(|s| {
        Some((
            number(field(s, "SampleCount"))?,
            number(field(s, "Sum"))?,
            number(field(s, "Minimum"))?,
            number(field(s, "Maximum"))?,
        ))
    });
    RecordedDatum {
        name: text(field(value, "MetricName")).unwrap_or_default(),
        unit: text(field(value, "Unit")),
        value: number(field(value, "Value")),
        stats,
        dimensions: list(field(value, "Dimensions"))
            .iter()
            .filter_map(|d| Some((text(field(d, "Name"))?, text(field(d, "Value"))?)))
            .collect(),
    }
}
