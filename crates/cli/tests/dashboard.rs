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

/// `npm test` in `web/` (vitest): the buckets, chart options, formats, request ordering and API
/// errors, the buckets in zones on both sides of UTC. `cargo xtask test` installs its packages.
#[test]
fn the_dashboards_unit_tests_pass() {
    let web = repo_root().join("web");
    assert!(
        web.join("node_modules/vitest").exists(),
        "vitest is not installed: run `cargo xtask test` (or `npm ci` in web/)"
    );
    let output = Command::new("npm")
        .args(["test", "--silent"])
        .current_dir(&web)
        .output()
        .unwrap_or_else(|e| panic!("cannot run npm ({e}): install Node.js"));
    assert!(
        output.status.success(),
        "web/ unit tests failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The page (which names its script and style) and the assets, as `dorameter serve` sends them.
#[tokio::test]
async fn the_dashboard_is_served_without_a_key_compressed_and_cacheable() {
    let db = TestDatabase::create().await;
    run(dorameter().arg("migrate").env("DATABASE_URL", &db.url));
    let server = serve(&db.url, "k");
    // No automatic decompression: the bytes on the wire are checked.
    let http = reqwest::Client::new();
    let get = |path: String, headers: &[(&str, &str)]| {
        let mut request = http.get(format!("{}{path}", server.base));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send()
    };
    let page = get("/".into(), &[]).await.unwrap();
    assert_eq!(page.status(), 200);
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    assert!(header(&page, "content-type").starts_with("text/html"));
    assert_eq!(header(&page, "cache-control"), "no-cache");
    assert!(header(&page, "content-security-policy").contains("frame-ancestors 'none'"));
    assert_eq!(header(&page, "x-content-type-options"), "nosniff");
    assert_eq!(header(&page, "referrer-policy"), "no-referrer");
    let html = page.text().await.unwrap();
    let assets: Vec<String> = html
        .split('"')
        .filter(|part| part.starts_with("./assets/"))
        .map(|part| part.trim_start_matches('.').to_owned())
        .collect();
    assert_eq!(assets.len(), 2, "a script and a style: {html}");
    for asset in assets {
        let content_type = if asset.ends_with(".js") {
            "text/javascript"
        } else {
            "text/css"
        };
        let plain = get(asset.clone(), &[]).await.unwrap();
        let brotli = get(asset.clone(), &[("accept-encoding", "gzip, deflate, br")])
            .await
            .unwrap();
        for (response, encoding) in [(&plain, ""), (&brotli, "br")] {
            assert_eq!(response.status(), 200, "{asset}");
            assert!(
                header(response, "content-type").starts_with(content_type),
                "{asset}"
            );
            assert_eq!(header(response, "content-encoding"), encoding, "{asset}");
            assert_eq!(
                header(response, "cache-control"),
                "public, max-age=31536000, immutable"
            );
        }
        let etag = header(&brotli, "etag");
        let plain_len = plain.bytes().await.unwrap().len();
        let brotli_len = brotli.bytes().await.unwrap().len();
        assert!(
            brotli_len < plain_len,
            "{asset}: {brotli_len} < {plain_len}"
        );
        let cached = get(
            asset.clone(),
            &[("accept-encoding", "br"), ("if-none-match", &etag)],
        )
        .await
        .unwrap();
        assert_eq!(cached.status(), 304, "{asset}");
    }
    let missing = get("/assets/app-missing.js".into(), &[]).await.unwrap();
    assert_eq!(missing.status(), 404);
    let teams = get("/teams".into(), &[]).await.unwrap();
    assert_eq!(teams.status(), 401, "data routes keep their key");
}

/// The closing figures of the compressed dashboard: cold loads through `dorameter serve`,
/// compressed against the same page asked for uncompressed, in one run
/// (`tests/browser/load_bench.mjs`). `cargo test -p dorameter --test dashboard -- --ignored
/// --nocapture dashboard_load_benchmark`.
#[tokio::test]
#[ignore = "a benchmark: run it by name"]
async fn dashboard_load_benchmark() {
    let db = TestDatabase::create().await;
    let (code, _, err) = run(dorameter().arg("migrate").env("DATABASE_URL", &db.url));
    assert_eq!(code, 0, "{err}");
    seed(&db).await;
    let server = serve(&db.url, "bench-key");
    let output = Command::new("node")
        .arg("load_bench.mjs")
        .current_dir(repo_root().join("tests/browser"))
        .env("BASE_URL", &server.base)
        .env("API_KEY", "bench-key")
        .env("TEAM_ID", "platform")
        .env("FROM", "2026-01-01")
        .env("TO", "2026-05-31")
        .output()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): install Node.js"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "benchmark failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!("dashboard cold loads: {stdout}");
}
