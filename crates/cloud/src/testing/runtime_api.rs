//! A fake Lambda Runtime API on 127.0.0.1: what a real `bootstrap` polls in AWS
//! (`GET /2018-06-01/runtime/invocation/next`, `POST …/{id}/response`, `POST …/{id}/error`,
//! `POST /2018-06-01/runtime/init/error`). Tests queue events with a deadline and wait, bounded,
//! for each outcome; the server also notes when the process first asked for work.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::routing::{get, post};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::{Mutex, Notify, mpsc};

/// How an invocation ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `/response` with this JSON body.
    Response(serde_json::Value),
    /// `/error` with this body (`errorType`, `errorMessage`).
    Error(serde_json::Value),
}

struct Event {
    id: String,
    payload: String,
    deadline_ms: u64,
}

struct Shared {
    queue: Mutex<mpsc::Receiver<Event>>,
    outcomes: std::sync::Mutex<HashMap<String, Outcome>>,
    done: Notify,
    first_next: std::sync::Mutex<Option<Instant>>,
    init_errors: std::sync::Mutex<Vec<String>>,
}

/// A running fake Runtime API.
pub struct FakeRuntimeApi {
    /// `127.0.0.1:PORT`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub address: String,
    sender: mpsc::Sender<Event>,
    shared: Arc<Shared>,
    next_id: AtomicU64,
}

impl FakeRuntimeApi {
    /// Serves on an ephemeral port in the current runtime.
    pub async fn start() -> Self {
        let (sender, receiver) = mpsc::channel(64);
        let shared = Arc::new(Shared {
            queue: Mutex::new(receiver),
            outcomes: std::sync::Mutex::default(),
            done: Notify::new(),
            first_next: std::sync::Mutex::default(),
            init_errors: std::sync::Mutex::default(),
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake runtime API");
        let address = listener.local_addr().expect("address").to_string();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            address,
            sender,
            shared,
            next_id: AtomicU64::new(1),
        }
    }

    /// Queues an event whose deadline is `time_left` from now; returns its request id.
    pub async fn invoke(&self, payload: &str, time_left: Duration) -> String {
        let id = format!("req-{}", self.next_id.fetch_add(1, Ordering::Relaxed));
        let deadline = SystemTime::now() + time_left;
        let deadline_ms = deadline
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or_default();
        self.sender
            .send(Event {
                id: id.clone(),
                payload: payload.to_owned(),
                deadline_ms,
            })
            .await
            .expect("the runtime API is running");
        id
    }

    /// Waits at most `limit` for the outcome of `id`.
    pub async fn outcome(&self, id: &str, limit: Duration) -> Outcome {
        let started = Instant::now();
        loop {
            let notified = self.shared.done.notified();
            if let Some(outcome) = self
                .shared
                .outcomes
                .lock()
                .ok()
                .and_then(|o| o.get(id).cloned())
            {
                return outcome;
            }
            let left = limit.checked_sub(started.elapsed()).unwrap_or_else(|| {
                panic!("no outcome for invocation {id} within {limit:?}");
            });
            let _ = tokio::time::timeout(left, notified).await;
        }
    }

    /// When the process first called `/next` (the end of its cold start).
    pub fn first_next_at(&self) -> Option<Instant> {
        self.shared.first_next.lock().ok().and_then(|t| *t)
    }

    /// Bodies posted to `/init/error`.
    pub fn init_errors(&self) -> Vec<String> {
        self.shared
            .init_errors
            .lock()
            .map(|e| e.clone())
            .unwrap_or_default()
    }

    /// The variables a `bootstrap` needs to run against this server.
    pub fn vars(&self, function_name: &str) -> Vec<(String, String)> {
        [
            ("AWS_LAMBDA_RUNTIME_API", self.address.as_str()),
            ("AWS_LAMBDA_FUNCTION_NAME", function_name),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256"),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
            ("AWS_LAMBDA_LOG_STREAM_NAME", "test"),
            ("AWS_LAMBDA_LOG_GROUP_NAME", "test"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
    }
}

async fn next(State(shared): State<Arc<Shared>>) -> (StatusCode, HeaderMap, String) {
    if let Ok(mut first) = shared.first_next.lock() {
        first.get_or_insert_with(Instant::now);
    }
    let event = shared.queue.lock().await.recv().await;
    let Some(event) = event else {
        return (StatusCode::GONE, HeaderMap::new(), String::new());
    };
    let mut headers = HeaderMap::new();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set("lambda-runtime-aws-request-id", &event.id);
    set("lambda-runtime-deadline-ms", &event.deadline_ms.to_string());
    set(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:us-east-1:123456789012:function:test",
    );
    set(
        "lambda-runtime-trace-id",
        "Root=1-00000000-000000000000000000000000",
    );
    set("content-type", "application/json");
    (StatusCode::OK, headers, event.payload)
}

fn record(shared: &Shared, id: String, outcome: Outcome) -> StatusCode {
    if let Ok(mut outcomes) = shared.outcomes.lock() {
        outcomes.insert(id, outcome);
    }
    shared.done.notify_waiters();
    StatusCode::ACCEPTED
}

fn json(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(body).into_owned()))
}

async fn response(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusCode {
    record(&shared, id, Outcome::Response(json(&body)))
}

async fn error(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusCode {
    record(&shared, id, Outcome::Error(json(&body)))
}

async fn init_error(State(shared): State<Arc<Shared>>, body: Bytes) -> StatusCode {
    if let Ok(mut errors) = shared.init_errors.lock() {
        errors.push(String::from_utf8_lossy(&body).into_owned());
    }
    shared.done.notify_waiters();
    StatusCode::ACCEPTED
}
