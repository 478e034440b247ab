//! The dashboard in a real browser: `dorameter serve` with data, driven by
//! `tests/browser/dashboard.mjs` (playwright-core and Debian's headless Chromium).
//! `cargo xtask test` installs both; without them this test fails with an install hint.
//! Each browser run prints its JSON report (load time included) on stderr.

mod support;

use chrono::{DateTime, Duration, Utc};
use domain::{PullRequest, TeamConfig};
use std::path::PathBuf;
use std::process::Command;
use store::testing::TestDatabase;
use support::{demo, dorameter, merged_pr, run, serve};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

async fn seed(db: &TestDatabase) {
    let store = db.store().await;
    let config = TeamConfig::from_json(
        r#"{"teams":[{"id":"platform","name":"Platform","members":[
            {"github":"alice","weight":0.5,"joined_at":"2025-01-01"},
            {"github":"bob","joined_at":"2025-01-01"}]},
          {"id":"mobile","name":"Mobile","members":[{"github":"alice","weight":0.5,"joined_at":"2025-01-01"}]}]}"#,
    )
    .expect("config");
    store.sync_teams(&config).await.expect("sync");
    let start: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().expect("date");
    // Nothing merges in March, so the charts must show quiet weeks and a quiet month.
    let quiet_from: DateTime<Utc> = "2026-03-01T00:00:00Z".parse().expect("date");
    let quiet_to: DateTime<Utc> = "2026-04-01T00:00:00Z".parse().expect("date");
    let prs: Vec<PullRequest> = (0..160)
        .map(|i| {
            let created_at = start + Duration::hours(i * 19);
            (
                i,
                created_at,
                created_at + Duration::minutes(45 + (i * 211) % 4000),
            )
        })
        .filter(|(_, _, merged_at)| !(quiet_from..quiet_to).contains(merged_at))
        .map(|(i, created_at, merged_at)| merged_pr(i + 1, 50_000 + i, created_at, merged_at))
        .collect();
    store.upsert_pull_requests(&prs).await.expect("upsert");
}

/// Runs `tests/browser/dashboard.mjs` against `base` for one team and range; the screenshot
/// goes to `<test output>/<subdir>/dashboard.png`. Returns the script's JSON line.
fn browse(base: &str, key: &str, team: &str, from: &str, to: &str, subdir: &str) -> String {
    let script_dir = repo_root().join("tests/browser");
    assert!(
        script_dir.join("node_modules/playwright-core").exists(),
        "playwright-core is not installed: run `cargo xtask test` (or `npm ci` in tests/browser)"
    );
    let output_dir = std::env::var("TEST_OUTPUT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo_root().join("test-output"))
        .join(subdir);
    let output = Command::new("node")
        .arg("dashboard.mjs")
        .current_dir(&script_dir)
        .env("BASE_URL", base)
        .env("API_KEY", key)
        .env("TEAM_ID", team)
        .env("FROM", from)
        .env("TO", to)
        .env("OUTPUT_DIR", &output_dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): install Node.js"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "browser test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output_dir.join("dashboard.png").exists());
    stdout
}

#[tokio::test]
async fn the_dashboard_shows_the_apis_numbers_in_a_real_browser() {
    let db = TestDatabase::create().await;
    let (code, _, err) = run(dorameter().arg("migrate").env("DATABASE_URL", &db.url));
    assert_eq!(code, 0, "{err}");
    seed(&db).await;
    let server = serve(&db.url, "dashboard-key");
    let report = browse(
        &server.base,
        "dashboard-key",
        "platform",
        "2026-01-01",
        "2026-05-31",
        ".",
    );
    eprintln!("seeded dashboard: {report}");
    let report: serde_json::Value = serde_json::from_str(report.trim()).expect("report is JSON");
    assert!(
        report["weeks_with_prs"].as_u64() < report["weeks"].as_u64()
            && report["months_with_prs"].as_u64() < report["months"].as_u64(),
        "the range has quiet weeks and a quiet month, plotted empty: {report}"
    );
}

#[tokio::test]
async fn the_dashboard_shows_the_demo_organisations_numbers_in_a_real_browser() {
    let server = demo(42, "2026-06-30");
    let report = browse(
        &server.base,
        "demo-key",
        "payments",
        "2026-01-05",
        "2026-06-28",
        "demo",
    );
    eprintln!("demo dashboard: {report}");
}

#[test]
fn the_dashboards_weeks_and_months_are_utc_in_every_time_zone() {
    let web = repo_root().join("web");
    for zone in [
        "UTC",
        "America/Los_Angeles",
        "Pacific/Kiritimati",
        "Asia/Kolkata",
    ] {
        let output = Command::new("node")
            .args(["--test", "src/"])
            .current_dir(&web)
            .env("TZ", zone)
            .output()
            .unwrap_or_else(|e| panic!("cannot run node ({e}): install Node.js"));
        assert!(
            output.status.success(),
            "web/src bucket tests failed in TZ={zone}:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[tokio::test]
async fn the_dashboard_is_served_without_a_key_and_holds_no_data() {
    let db = TestDatabase::create().await;
    run(dorameter().arg("migrate").env("DATABASE_URL", &db.url));
    let server = serve(&db.url, "k");
    let http = reqwest::Client::new();
    for (path, content_type) in [
        ("/", "text/html"),
        ("/app.js", "text/javascript"),
        ("/app.css", "text/css"),
    ] {
        let response = http
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let header = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(header.starts_with(content_type), "{path}: {header}");
        assert!(response.headers().contains_key("content-security-policy"));
    }
}
