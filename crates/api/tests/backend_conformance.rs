//! The API answers the same, byte for byte, over PostgreSQL and over embedded SQLite: the same
//! team config and PRs are loaded into both, the router is served over each, and `/teams`,
//! velocity and lead time (percentiles included) are compared for every team and several ranges.

use api::{ApiKeys, AppState};
use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::{PrUser, PullRequest, TeamConfig};
use std::sync::Arc;
use store::Store;
use store::testing::TestDatabase;

const KEY: &str = "conformance-key";

const CONFIG: &str = r#"{"teams":[
  {"id":"platform","name":"Platform","include_bots":true,"members":[
    {"github":"alice","weight":0.5,"joined_at":"2025-01-01","left_at":"2025-04-01"},
    {"github":"alice","weight":1.0,"joined_at":"2025-04-01"},
    {"github":"bob","joined_at":"2024-06-01","left_at":"2025-05-15T12:00:00Z"},
    {"github":"dependabot[bot]","weight":0.5,"joined_at":"2024-01-01"}]},
  {"id":"mobile","name":"Mobile","description":"Apps","members":[
    {"github":"alice","weight":0.5,"joined_at":"2025-01-01","left_at":"2025-04-01"},
    {"github":"carol","weight":0.6,"joined_at":"2025-01-15"},
    {"github":"bob","joined_at":"2025-05-15T12:00:00Z"}]},
  {"id":"data","name":"Data","members":[
    {"github":"dave","weight":0.4,"joined_at":"2025-02-01"},
    {"github":"carol","weight":0.4,"joined_at":"2025-01-15"}]}]}"#;

/// Deterministic PRs from 2025-01-01 over ~200 days, cycle times from minutes to weeks.
fn pull_requests() -> Vec<PullRequest> {
    let start = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let logins = ["alice", "Bob", "carol", "dave", "dependabot[bot]", "erin"];
    let mut state: u64 = 0x1234_5678;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (1..=600)
        .map(|number| {
            let login = logins[(next() % logins.len() as u64) as usize];
            let created = start + Duration::minutes((next() % (200 * 24 * 60)) as i64);
            let merged = created + Duration::seconds((next() % (14 * 24 * 3600)) as i64 + 60);
            let merged_at = (next() % 10 != 0).then_some(merged);
            PullRequest {
                repository: if number % 3 == 0 {
                    "acme/web"
                } else {
                    "acme/api"
                }
                .into(),
                number,
                github_id: 5_000 + number,
                title: format!("PR {number}"),
                state: "closed".into(),
                draft: false,
                author: Some(PrUser {
                    login: login.into(),
                    id: 1,
                    user_type: if login.ends_with("[bot]") {
                        "Bot"
                    } else {
                        "User"
                    }
                    .into(),
                }),
                created_at: created,
                updated_at: merged,
                closed_at: Some(merged),
                merged_at,
                merge_commit_sha: None,
                base_ref: "main".into(),
                head_ref: None,
                html_url: None,
            }
        })
        .collect()
}

/// Loads the data into `store` and serves the API over it, the clock pinned to 2025-06-20.
async fn serve(store: Store) -> String {
    let config = TeamConfig::from_json(CONFIG).expect("config");
    store.sync_teams(&config).await.expect("sync");
    store
        .upsert_pull_requests(&pull_requests())
        .await
        .expect("upsert");
    let state = AppState {
        store,
        api_keys: Arc::new(ApiKeys::from_comma_separated(KEY).expect("keys")),
        clock: Arc::new(|| {
            DateTime::parse_from_rfc3339("2025-06-20T12:00:00Z")
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default()
        }),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, api::router(state)).await });
    base
}

/// The bodies of every compared request, in order.
async fn bodies(base: &str) -> Vec<(String, u16, String)> {
    let http = reqwest::Client::new();
    let mut paths = vec!["/teams".to_owned()];
    for team in ["platform", "mobile", "data", "unknown"] {
        for range in [
            "",
            "?from=2025-01-01&to=2025-07-31",
            "?from=2025-03-31&to=2025-04-06",
            "?from=2025-02-01&to=2025-02-28",
            "?from=2026-01-01&to=2026-01-31",
        ] {
            for metric in ["velocity", "lead-time"] {
                paths.push(format!("/metrics/team/{team}/{metric}{range}"));
            }
        }
    }
    let mut out = Vec::new();
    for path in paths {
        let response = http
            .get(format!("{base}{path}"))
            .header("x-api-key", KEY)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status().as_u16();
        out.push((path, status, response.text().await.expect("body")));
    }
    out
}

#[tokio::test]
async fn the_api_answers_identically_over_postgresql_and_sqlite() {
    let (_db, postgres) = TestDatabase::migrated_store().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("api.db").display());
    let sqlite = Store::connect(&url, 1).await.expect("open SQLite");
    sqlite.migrate().await.expect("migrate SQLite");

    let expected = bodies(&serve(postgres).await).await;
    let actual = bodies(&serve(sqlite).await).await;

    assert!(
        expected
            .iter()
            .any(|(_, _, body)| body.contains("p95_lead_time_hours\":")),
        "the data should give percentiles"
    );
    for ((path, pg_status, pg_body), (_, lite_status, lite_body)) in expected.iter().zip(&actual) {
        assert_eq!(pg_status, lite_status, "{path}");
        assert_eq!(pg_body, lite_body, "{path}");
    }
    assert_eq!(expected.len(), actual.len());
}
