//! The dashboard as a deployment serves it: the real `bootstrap` behind the fake Lambda Runtime
//! API, behind a fake API Gateway stage (`/prod/`, the key required on every route but the page,
//! its assets and `/health`), loaded in headless Chromium by `tests/browser/dashboard.mjs`, which
//! connects with the key and checks the charts and tables against the API.
//! `cargo xtask test` installs Chromium and playwright-core; without them this test fails with an
//! install hint.

use chrono::{DateTime, Duration, Utc};
use cloud::testing::{Bootstrap, FakeApiGateway, FakeRuntimeApi};
use domain::{PullRequest, TeamConfig};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use store::testing::TestDatabase;

const KEY: &str = "browser-key";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn merged(number: i64, created_at: DateTime<Utc>, merged_at: DateTime<Utc>) -> PullRequest {
    domain::testing::merged_pr(number)
        .github_id(90_000 + number)
        .title(&format!("Change {number}"))
        .by(if number % 3 == 0 { "alice" } else { "bob" })
        .merged(merged_at)
        .created(created_at)
        .build()
}

/// Two teams and PRs merged from January to May 2026, none in March.
async fn database() -> TestDatabase {
    let (db, store) = TestDatabase::migrated_store().await;
    let config = TeamConfig::from_json(
        r#"{"teams":[{"id":"platform","name":"Platform","members":[
            {"github":"alice","weight":0.5,"joined_at":"2025-01-01"},
            {"github":"bob","joined_at":"2025-01-01"}]},
          {"id":"mobile","name":"Mobile","members":[{"github":"alice","weight":0.5,"joined_at":"2025-01-01"}]}]}"#,
    )
    .expect("config");
    store.sync_teams(&config).await.expect("teams");
    let start: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().expect("date");
    let prs: Vec<PullRequest> = (1..=160)
        .map(|i| {
            let created_at = start + Duration::hours(i * 19);
            (
                i,
                created_at,
                created_at + Duration::minutes(45 + (i * 211) % 4000),
            )
        })
        .filter(|(_, _, merged_at)| merged_at.format("%m").to_string() != "03")
        .map(|(i, created_at, merged_at)| merged(i, created_at, merged_at))
        .collect();
    store.upsert_pull_requests(&prs).await.expect("PRs");
    db
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_loads_through_api_gateway_and_the_function_and_draws_with_the_key() {
    let script_dir = repo_root().join("tests/browser");
    assert!(
        script_dir.join("node_modules/playwright-core").exists(),
        "playwright-core is not installed: run `cargo xtask test` (or `npm ci` in tests/browser)"
    );
    let db = database().await;
    let runtime = Arc::new(FakeRuntimeApi::start().await);
    let mut vars = runtime.vars("dorameter-api");
    vars.extend([
        ("DATABASE_URL".to_owned(), db.url.clone()),
        ("API_KEYS".into(), KEY.into()),
        ("METRICS_ENABLED".into(), "false".into()),
    ]);
    let program = PathBuf::from(env!("CARGO_BIN_EXE_dorameter-api"));
    let mut process = Bootstrap::spawn(&[], &program, &vars);
    let gateway = FakeApiGateway::start(runtime.clone(), "prod", KEY).await;
    let output_dir = std::env::var("TEST_OUTPUT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo_root().join("test-output"))
        .join("lambda");

    // Node runs the browser while this runtime serves the gateway and the runtime API.
    let mut command = Command::new("node");
    command
        .arg("dashboard.mjs")
        .current_dir(&script_dir)
        .env("BASE_URL", &gateway.base)
        .env("API_KEY", KEY)
        .env("TEAM_ID", "platform")
        .env("FROM", "2026-01-01")
        .env("TO", "2026-05-31")
        .env("OUTPUT_DIR", &output_dir);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("node ran")
        .unwrap_or_else(|e| panic!("cannot run node ({e}): install Node.js"));

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "browser test through the function failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!("dashboard through API Gateway and the function: {stdout}");
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).expect("report is JSON");
    assert_eq!(report["ok"], true);
    assert!(process.is_running(), "the function lives on");
}
