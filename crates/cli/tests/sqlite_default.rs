//! The local default end to end: with no `DATABASE_URL`, `dorameter sync` collects from a fake
//! GitHub into `./dorameter.db` (created and migrated on first use) and `dorameter serve`, run
//! in the same directory, answers from that file.

mod support;

use chrono::{Duration, TimeZone, Utc};
use fake_github::{FakeGithub, FakeGithubConfig, FakePull, FakeUser};
use serde_json::Value;
use support::{dorameter, listening, run_async};

const TOKEN: &str = "ghp_sqlite_default";
const TEAMS: &str = r#"{"teams":[{"id":"platform","members":[
  {"github":"alice","weight":0.5,"joined_at":"2025-01-01"},{"github":"bob","joined_at":"2025-01-01"}]}]}"#;

#[tokio::test]
async fn sync_then_serve_work_on_the_embedded_default_database() {
    let fake = FakeGithub::start(FakeGithubConfig {
        token: Some(TOKEN.into()),
        ..FakeGithubConfig::default()
    })
    .await
    .expect("fake GitHub starts");
    let start = Utc
        .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("valid instant");
    let pulls: Vec<FakePull> = (1..=150)
        .map(|n| {
            let login = if n % 2 == 0 { "alice" } else { "bob" };
            let created = start + Duration::hours(n as i64);
            FakePull::merged(
                n,
                Some(FakeUser::user(login, n)),
                created,
                created + Duration::hours(3),
            )
        })
        .collect();
    fake.set_pulls("acme/app", pulls);
    let dir = tempfile::tempdir().expect("temp dir");

    let (code, out, err) = run_async(
        dorameter()
            .args(["sync", "--full"])
            .current_dir(dir.path())
            .env("TEAM_CONFIG_JSON", TEAMS)
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_API_URL", fake.base_url())
            .env("REPOSITORIES", "acme/app"),
    )
    .await;
    assert_eq!(code, 0, "{out}\n{err}");
    let summary: Value = serde_json::from_str(out.trim()).expect("summary JSON");
    assert_eq!(summary["prs_upserted"], 150, "{summary}");
    assert!(dir.path().join("dorameter.db").exists());

    let mut command = dorameter();
    command
        .args(["serve", "--addr", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env("API_KEYS", "local-key");
    let server = listening(command);
    let velocity: Value = reqwest::Client::new()
        .get(format!(
            "{}/metrics/team/platform/velocity?from=2026-03-01&to=2026-03-31",
            server.base
        ))
        .header("x-api-key", "local-key")
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    let merged: u64 = velocity["weeks"]
        .as_array()
        .expect("weeks")
        .iter()
        .filter_map(|w| w["prs_merged"].as_u64())
        .sum();
    assert_eq!(merged, 150, "{velocity}");
}
