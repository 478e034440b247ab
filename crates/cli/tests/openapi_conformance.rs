//! The OpenAPI document is valid and true: schemathesis generates requests from it against the
//! real `dorameter serve` (with data) and checks every response against it.
//!
//! One check is left out on purpose: `positive_data_acceptance` assumes parameters are
//! independent, but `from > to` is a documented 400 that OpenAPI cannot express.

mod support;

use chrono::{DateTime, Duration, Utc};
use domain::{PullRequest, TeamConfig};
use std::process::Command;
use store::testing::TestDatabase;
use support::{dorameter, merged_pr, run, serve};

fn schemathesis() -> String {
    std::env::var("SCHEMATHESIS").unwrap_or_else(|_| "schemathesis".into())
}

async fn seed(db: &TestDatabase) {
    let store = db.store().await;
    let config = TeamConfig::from_json(
        r#"{"teams":[{"id":"platform","name":"Platform","members":[
            {"github":"alice","weight":0.5,"joined_at":"2025-01-01"},
            {"github":"bob","joined_at":"2025-01-01"}]},
          {"id":"mobile","members":[{"github":"alice","weight":0.5,"joined_at":"2025-01-01"}]}]}"#,
    )
    .expect("config");
    store.sync_teams(&config).await.expect("sync");
    let start: DateTime<Utc> = "2025-06-01T00:00:00Z".parse().expect("date");
    let prs: Vec<PullRequest> = (0..300)
        .map(|i| {
            let created_at = start + Duration::hours(i * 17);
            let merged_at = created_at + Duration::minutes(30 + (i * 97) % 5000);
            merged_pr(i + 1, 10_000 + i, created_at, merged_at)
        })
        .collect();
    store.upsert_pull_requests(&prs).await.expect("upsert");
}

#[tokio::test]
async fn schemathesis_finds_no_failure() {
    let db = TestDatabase::create().await;
    let (code, _, err) = run(dorameter().arg("migrate").env("DATABASE_URL", &db.url));
    assert_eq!(code, 0, "{err}");
    seed(&db).await;
    let server = serve(&db.url, "conformance-key");
    let output = Command::new(schemathesis())
        .arg("run")
        .arg(format!("{}/openapi.json", server.base))
        .args(["-H", "x-api-key: conformance-key"])
        .args(["--checks", "all", "--exclude-checks", "positive_data_acceptance"])
        .args(["--max-examples", "150", "--seed", "20261123", "--no-color"])
        .args(["--request-timeout", "10"])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run schemathesis ({e}): run the tests with `cargo xtask test`, which installs it, \
                 or `pip install schemathesis` and/or set SCHEMATHESIS to its path"
            )
        });
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis reported failures:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("No issues found"), "{stdout}");
}
