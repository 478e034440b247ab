//! The real `bootstrap` binary against a fake Lambda Runtime API: many invocations on one warm
//! process, an event it cannot handle (an error invocation) that it survives, JSON logs carrying
//! the request id, and the figures (cold start to the first `/next`, warm latency through the
//! runtime loop, peak RSS) printed for the record.
//!
//! `DORAMETER_ARM64_LAMBDA_DIR` (set by `cargo xtask lambda-build`, which `.ci/run` runs) points the
//! ARM64 smoke test at `cargo lambda build --arm64` output, run under `qemu-aarch64`.

use cloud::testing::{Bootstrap, FakeRuntimeApi, Outcome, percentile};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use store::testing::TestDatabase;

const V1_TEAMS: &str = include_str!("data/apigw_v1_teams.json");
const V2_VELOCITY: &str = include_str!("data/apigw_v2_velocity.json");
const TEAMS: &str =
    r#"{"teams":[{"id":"platform","members":[{"github":"alice","joined_at":"2025-01-01"}]}]}"#;
const LIMIT: Duration = Duration::from_secs(30);

async fn database() -> TestDatabase {
    let (db, store) = TestDatabase::migrated_store().await;
    let teams = domain::TeamConfig::from_json(TEAMS).expect("team config");
    store.sync_teams(&teams).await.expect("teams written");
    db
}

fn vars(runtime: &FakeRuntimeApi, db: &TestDatabase) -> Vec<(String, String)> {
    let mut vars = runtime.vars("dorameter-api");
    vars.extend([
        ("DATABASE_URL".to_owned(), db.url.clone()),
        ("API_KEYS".into(), "test-key".into()),
        ("METRICS_ENABLED".into(), "false".into()),
        ("RUST_LOG".into(), "info".into()),
    ]);
    vars
}

/// The status code of an API Gateway response document.
fn status(outcome: &Outcome) -> Option<u64> {
    match outcome {
        Outcome::Response(body) => body["statusCode"].as_u64(),
        Outcome::Error(_) => None,
    }
}

#[tokio::test]
async fn one_warm_process_serves_many_invocations_and_survives_a_bad_event() {
    let db = database().await;
    let runtime = FakeRuntimeApi::start().await;
    // DORAMETER_API_BOOTSTRAP: measure another build (e.g. the release one) the same way.
    let program = std::env::var_os("DORAMETER_API_BOOTSTRAP").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_dorameter-api")),
        PathBuf::from,
    );
    let mut process = Bootstrap::spawn(&[], &program, &vars(&runtime, &db));

    let first = runtime.invoke(V1_TEAMS, LIMIT).await;
    let first_started = Instant::now();
    let first = runtime.outcome(&first, LIMIT).await;
    // The first request also connects to PostgreSQL (pools are built lazily).
    let first_ms = first_started.elapsed().as_secs_f64() * 1000.0;
    let cold_start = runtime
        .first_next_at()
        .map(|t| t.duration_since(process.started));
    let bad = runtime
        .invoke(r#"{"not":"an API Gateway event"}"#, LIMIT)
        .await;
    let bad = runtime.outcome(&bad, LIMIT).await;
    let unauthorized = V2_VELOCITY.replace(r#""x-api-key": "test-key","#, "");
    let unauthorized = runtime.invoke(&unauthorized, LIMIT).await;
    let unauthorized = runtime.outcome(&unauthorized, LIMIT).await;
    let mut latencies_ms = Vec::new();
    for _ in 0..200 {
        let started = Instant::now();
        let id = runtime.invoke(V2_VELOCITY, LIMIT).await;
        let outcome = runtime.outcome(&id, LIMIT).await;
        latencies_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(status(&outcome), Some(200), "{outcome:?}");
    }

    assert_eq!(status(&first), Some(200), "{first:?}");
    if let Outcome::Response(body) = &first {
        let body: Value =
            serde_json::from_str(body["body"].as_str().unwrap_or("null")).expect("JSON body");
        assert_eq!(body["teams"][0]["id"], "platform");
    }
    assert!(matches!(bad, Outcome::Error(_)), "{bad:?}");
    assert_eq!(status(&unauthorized), Some(401));
    assert!(
        process.is_running(),
        "the process lives on after the bad event"
    );
    let logs = process.log_lines();
    assert!(
        logs.iter()
            .any(|l| l.starts_with('{') && l.contains("\"requestId\":\"req-1\"")),
        "JSON logs carry the request id: {logs:?}"
    );
    eprintln!(
        "figures ({}): cold start to first /next {:?}, first request {:.2} ms, warm p50 {:.2} ms, p99 {:.2} ms, peak RSS {:?} KiB",
        program.display(),
        cold_start,
        first_ms,
        percentile(&mut latencies_ms, 50.0),
        percentile(&mut latencies_ms, 99.0),
        process.peak_rss_kib()
    );
}

/// Runs `bootstrap` under `wrapper` for one invocation of `/health`.
async fn smoke(wrapper: &[&str], program: &Path) {
    let db = database().await;
    let runtime = FakeRuntimeApi::start().await;
    let _process = Bootstrap::spawn(wrapper, program, &vars(&runtime, &db));
    let health = V2_VELOCITY
        .replace("/metrics/team/platform/velocity", "/health")
        .replace("from=2026-01-05&to=2026-01-18", "");

    let id = runtime.invoke(&health, LIMIT).await;
    let outcome = runtime.outcome(&id, Duration::from_secs(120)).await;

    assert_eq!(status(&outcome), Some(200), "{outcome:?}");
}

#[tokio::test]
async fn the_arm64_bootstrap_answers_under_qemu_when_built() {
    let Some(dir) = std::env::var_os("DORAMETER_ARM64_LAMBDA_DIR") else {
        eprintln!(
            "ARM64 smoke test not run: DORAMETER_ARM64_LAMBDA_DIR is unset \
             (`cargo xtask lambda-build` builds the ARM64 bootstraps and runs this test)"
        );
        return;
    };
    let program = Path::new(&dir).join("dorameter-api/bootstrap");
    assert!(program.exists(), "{} is missing", program.display());
    let qemu = which("qemu-aarch64").unwrap_or_else(|| {
        panic!("qemu-aarch64 not found: apt-get install -y qemu-user libc6-arm64-cross")
    });
    assert!(
        Path::new("/usr/aarch64-linux-gnu/lib").exists(),
        "the ARM64 C library is missing: apt-get install -y libc6-arm64-cross"
    );

    smoke(&[&qemu, "-L", "/usr/aarch64-linux-gnu"], &program).await;
}

fn which(program: &str) -> Option<String> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|path| path.exists())
        .map(|path| path.display().to_string())
}
