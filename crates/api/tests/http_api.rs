//! The API over real TCP against a real, freshly created PostgreSQL database.

use api::{ApiKeys, AppState};
use chrono::Duration;
use domain::testing::{at, merged_pr};
use domain::{PullRequest, TeamConfig};
use serde_json::{Value, json};
use std::sync::Arc;
use store::testing::TestDatabase;

const KEY: &str = "test-key-1";

struct TestApp {
    base: String,
    http: reqwest::Client,
    db: TestDatabase,
}

impl TestApp {
    async fn get(&self, path: &str, key: Option<&str>) -> (u16, Value) {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(key) = key {
            request = request.header("x-api-key", key);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }
}

/// PR `number` by `login`, opened at `created`, merged at `merged` (or closed unmerged two
/// hours after it was opened), last updated an hour after its merge (or opening).
fn pr(number: i64, login: Option<&str>, created: &str, merged: Option<&str>) -> PullRequest {
    let created_at = at(created);
    let merged_at = merged.map(at);
    let pr = merged_pr(number)
        .by_user(login, "User")
        .title(&format!("PR {number} ✨"));
    let pr = match merged_at {
        Some(merged_at) => pr.merged(merged_at),
        None => pr.closed_unmerged(created_at + Duration::hours(2)),
    };
    pr.created(created_at)
        .updated(merged_at.unwrap_or(created_at) + Duration::hours(1))
        .build()
}

/// A team config, some PRs, and the API on an ephemeral port with the clock pinned to
/// 2026-04-15 (a Wednesday).
async fn spawn_app() -> TestApp {
    let (db, store) = TestDatabase::migrated_store().await;
    let config = TeamConfig::from_json(
        r#"{"teams":[
          {"id":"platform","name":"Platform","members":[
            {"github":"alice","weight":0.5,"joined_at":"2026-01-01","left_at":"2026-03-01"},
            {"github":"alice","weight":1.0,"joined_at":"2026-03-01"},
            {"github":"bob","joined_at":"2025-01-01","left_at":"2026-04-01"}]},
          {"id":"mobile","name":"Mobile","description":"Apps","members":[
            {"github":"alice","weight":0.5,"joined_at":"2026-01-01","left_at":"2026-03-01"}]}]}"#,
    )
    .unwrap();
    store.sync_teams(&config).await.unwrap();
    store
        .upsert_pull_requests(&[
            // Week of 2026-01-05: alice (0.5 platform, 0.5 mobile) 10 h, bob 2 h.
            pr(
                1,
                Some("alice"),
                "2026-01-05T00:00:00Z",
                Some("2026-01-05T10:00:00Z"),
            ),
            pr(
                2,
                Some("Bob"),
                "2026-01-06T00:00:00Z",
                Some("2026-01-06T02:00:00Z"),
            ),
            // Sunday 23:59 UTC: still the week of 2026-01-05 and January.
            pr(
                3,
                Some("bob"),
                "2026-01-11T20:59:00Z",
                Some("2026-01-11T23:59:00Z"),
            ),
            // February 1st 00:00 UTC exactly: week of 2026-01-26, month 2026-02.
            pr(
                4,
                Some("bob"),
                "2026-01-31T00:00:00Z",
                Some("2026-02-01T00:00:00Z"),
            ),
            // Closed unmerged and a deleted account: count nowhere.
            pr(5, Some("alice"), "2026-01-07T00:00:00Z", None),
            pr(
                6,
                None,
                "2026-01-07T00:00:00Z",
                Some("2026-01-07T05:00:00Z"),
            ),
        ])
        .await
        .unwrap();
    let state = AppState {
        store,
        api_keys: Arc::new(ApiKeys::from_comma_separated(&format!("{KEY},other-key")).unwrap()),
        clock: Arc::new(|| at("2026-04-15T12:00:00Z")),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, api::router(state)).await });
    TestApp {
        base,
        http: reqwest::Client::new(),
        db,
    }
}

#[tokio::test]
async fn health_answers_without_a_key() {
    let app = spawn_app().await;
    let (status, body) = app.get("/health", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn every_other_route_needs_a_valid_key() {
    let app = spawn_app().await;
    for path in [
        "/teams",
        "/openapi.json",
        "/metrics/team/platform/velocity",
        "/metrics/team/platform/lead-time",
        "/metrics/team/nope/velocity",
    ] {
        for key in [
            None,
            Some("wrong"),
            Some(""),
            Some("test-key-10"),
            Some("TEST-KEY-1"),
        ] {
            let (status, body) = app.get(path, key).await;
            assert_eq!(status, 401, "{path} with {key:?}");
            assert_eq!(body["error"]["code"], "unauthorized");
            assert!(body["error"]["message"].is_string());
        }
        let (status, _) = app.get(path, Some("other-key")).await;
        assert_ne!(status, 401, "{path} with the second key");
    }
}

#[tokio::test]
async fn velocity_buckets_weeks_in_utc_with_weights() {
    let app = spawn_app().await;
    let (status, body) = app
        .get(
            "/metrics/team/platform/velocity?from=2026-01-01&to=2026-02-28",
            Some(KEY),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"team_id":"platform","from":"2026-01-01","to":"2026-02-28","weeks":[
            {"week_start":"2026-01-05","prs_merged":3,"weighted_prs_merged":2.5,"avg_cycle_time_hours":5.0},
            {"week_start":"2026-01-26","prs_merged":1,"weighted_prs_merged":1.0,"avg_cycle_time_hours":24.0}
        ]})
    );
    let (_, body) = app
        .get(
            "/metrics/team/mobile/velocity?from=2026-01-01&to=2026-01-31",
            Some(KEY),
        )
        .await;
    assert_eq!(
        body["weeks"],
        json!([{"week_start":"2026-01-05","prs_merged":1,"weighted_prs_merged":0.5,"avg_cycle_time_hours":10.0}])
    );
}

#[tokio::test]
async fn a_pr_merged_before_it_was_created_counts_as_merged_but_in_no_duration() {
    let app = spawn_app().await;
    let store = store::Store::connect(&app.db.url, 1).await.unwrap();
    let mut impossible = pr(20, Some("bob"), "2025-06-19T00:00:00Z", None);
    impossible.merged_at = Some(at("2025-06-10T00:00:00Z"));
    let mut alone = pr(21, Some("bob"), "2025-06-29T00:00:00Z", None);
    alone.merged_at = Some(at("2025-06-20T00:00:00Z"));
    let possible = pr(
        22,
        Some("bob"),
        "2025-06-11T00:00:00Z",
        Some("2025-06-11T02:00:00Z"),
    );
    store
        .upsert_pull_requests(&[impossible, alone, possible])
        .await
        .unwrap();

    let range = "?from=2025-06-01&to=2025-06-30";
    let (_, velocity) = app
        .get(
            &format!("/metrics/team/platform/velocity{range}"),
            Some(KEY),
        )
        .await;
    let (_, lead_time) = app
        .get(
            &format!("/metrics/team/platform/lead-time{range}"),
            Some(KEY),
        )
        .await;

    assert_eq!(
        velocity["weeks"],
        json!([
            {"week_start":"2025-06-09","prs_merged":2,"weighted_prs_merged":2.0,"avg_cycle_time_hours":2.0},
            {"week_start":"2025-06-16","prs_merged":1,"weighted_prs_merged":1.0,"avg_cycle_time_hours":null}
        ])
    );
    assert_eq!(
        lead_time["months"],
        json!([{"month":"2025-06","prs_merged":3,"median_lead_time_hours":2.0,"p95_lead_time_hours":2.0}])
    );
}

#[tokio::test]
async fn range_days_are_inclusive_utc_days_on_merged_at() {
    let app = spawn_app().await;
    // `to` = 2026-01-31 excludes the PR merged at 2026-02-01T00:00Z; `from` = 2026-02-01 includes it.
    let (_, body) = app
        .get(
            "/metrics/team/platform/lead-time?from=2026-01-01&to=2026-01-31",
            Some(KEY),
        )
        .await;
    assert_eq!(body["months"].as_array().unwrap().len(), 1);
    assert_eq!(body["months"][0]["month"], "2026-01");
    assert_eq!(body["months"][0]["prs_merged"], 3);
    let (_, body) = app
        .get(
            "/metrics/team/platform/lead-time?from=2026-02-01&to=2026-02-01",
            Some(KEY),
        )
        .await;
    assert_eq!(
        body["months"],
        json!([{"month":"2026-02","prs_merged":1,"median_lead_time_hours":24.0,"p95_lead_time_hours":24.0}])
    );
}

#[tokio::test]
async fn lead_time_percentiles_interpolate() {
    let app = spawn_app().await;
    let (_, body) = app
        .get(
            "/metrics/team/platform/lead-time?from=2026-01-01&to=2026-03-31",
            Some(KEY),
        )
        .await;
    // January: cycle times 2, 3, 10 h -> median 3, p95 at position 1.9: 3 + 0.9 * 7 = 9.3.
    let jan = &body["months"][0];
    assert_eq!(jan["month"], "2026-01");
    assert_eq!(jan["median_lead_time_hours"], 3.0);
    assert!((jan["p95_lead_time_hours"].as_f64().unwrap() - 9.3).abs() < 1e-9);
}

#[tokio::test]
async fn default_ranges_are_the_last_full_weeks_and_months() {
    let app = spawn_app().await;
    let (_, body) = app.get("/metrics/team/platform/velocity", Some(KEY)).await;
    assert_eq!(
        (body["from"].as_str(), body["to"].as_str()),
        (Some("2026-01-19"), Some("2026-04-12"))
    );
    let (_, body) = app.get("/metrics/team/platform/lead-time", Some(KEY)).await;
    assert_eq!(
        (body["from"].as_str(), body["to"].as_str()),
        (Some("2025-04-01"), Some("2026-03-31"))
    );
    assert_eq!(body["months"].as_array().unwrap().len(), 2);
    // Only `to` given: `from` still defaults while that leaves a range …
    let (status, body) = app
        .get("/metrics/team/platform/lead-time?to=2026-01-31", Some(KEY))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["from"], "2025-04-01");
    // … and follows `to` when `to` is before the default window: the 12 months ending there.
    let (status, body) = app
        .get("/metrics/team/platform/lead-time?to=2024-06-15", Some(KEY))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["from"].as_str(), body["to"].as_str()),
        (Some("2023-07-01"), Some("2024-06-15"))
    );
    let (status, body) = app
        .get("/metrics/team/platform/velocity?to=2025-12-31", Some(KEY))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["from"], "2025-10-13");
    // Only `from`, after the default window's end: up to today (the pinned 2026-04-15).
    let (status, body) = app
        .get("/metrics/team/platform/velocity?from=2026-04-13", Some(KEY))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["from"].as_str(), body["to"].as_str()),
        (Some("2026-04-13"), Some("2026-04-15"))
    );
    let (status, _) = app
        .get("/metrics/team/platform/velocity?from=2026-04-16", Some(KEY))
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn bad_dates_and_reversed_ranges_are_400_with_a_reason() {
    let app = spawn_app().await;
    for query in [
        "from=2026-13-01",
        "to=yesterday",
        "from=2026-1-1",
        "from=2026-02-01&to=2026-01-01",
        "from=",
    ] {
        for route in ["velocity", "lead-time"] {
            let (status, body) = app
                .get(
                    &format!("/metrics/team/platform/{route}?{query}"),
                    Some(KEY),
                )
                .await;
            assert_eq!(status, 400, "{route}?{query}: {body}");
            assert_eq!(body["error"]["code"], "bad_request");
        }
    }
    let (_, body) = app
        .get(
            "/metrics/team/platform/velocity?from=2026-02-01&to=2026-01-01",
            Some(KEY),
        )
        .await;
    assert!(body["error"]["message"].as_str().unwrap().contains("after"));
}

#[tokio::test]
async fn unknown_teams_and_routes_are_404() {
    let app = spawn_app().await;
    let (status, body) = app.get("/metrics/team/nope/velocity", Some(KEY)).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    let (status, _) = app
        .get("/metrics/team/nope/lead-time?from=2026-01-01", Some(KEY))
        .await;
    assert_eq!(status, 404);
    let (status, body) = app.get("/no/such/route", Some(KEY)).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    // Ids that are not slugs name no team, and never reach the database (which refuses NUL).
    for id in [
        "%00",
        "a%00b",
        "Platform",
        "%F0%9F%92%A5",
        "a%20b",
        "..",
        "-x",
    ] {
        for route in ["velocity", "lead-time"] {
            let (status, body) = app
                .get(&format!("/metrics/team/{id}/{route}"), Some(KEY))
                .await;
            assert_eq!(status, 404, "{id}/{route}: {body}");
            assert_eq!(body["error"]["code"], "not_found");
        }
    }
}

#[tokio::test]
async fn other_methods_are_405_in_the_error_shape() {
    let app = spawn_app().await;
    for path in ["/health", "/teams", "/metrics/team/platform/velocity"] {
        let response = app
            .http
            .post(format!("{}{path}", app.base))
            .header("x-api-key", KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 405, "{path}");
        assert!(response.headers().contains_key("allow"), "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "method_not_allowed", "{path}");
    }
}

#[tokio::test]
async fn teams_lists_current_members_and_weights() {
    let app = spawn_app().await;
    let (status, body) = app.get("/teams", Some(KEY)).await;
    assert_eq!(status, 200);
    // bob left on 2026-04-01, before the pinned clock: he is no longer a current member.
    assert_eq!(
        body,
        json!({"teams":[
            {"id":"mobile","name":"Mobile","description":"Apps","members":[]},
            {"id":"platform","name":"Platform","description":null,"members":[
                {"github":"alice","weight":1.0,"joined_at":"2026-03-01T00:00:00Z","left_at":null}]}]})
    );
}

#[tokio::test]
async fn the_request_id_is_echoed_or_generated() {
    let app = spawn_app().await;
    let response = app
        .http
        .get(format!("{}/health", app.base))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "abc-123");
    let response = app
        .http
        .get(format!("{}/health", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"].len(), 36);
}

#[tokio::test]
async fn a_long_or_odd_request_id_is_replaced_by_a_generated_one() {
    let app = spawn_app().await;
    let echoed = |ids: Vec<String>| {
        let mut request = app.http.get(format!("{}/health", app.base));
        for id in ids {
            request = request.header("x-request-id", id);
        }
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200);
            let ids: Vec<_> = response
                .headers()
                .get_all("x-request-id")
                .iter()
                .cloned()
                .collect();
            assert_eq!(ids.len(), 1, "{ids:?}");
            ids[0].to_str().unwrap().to_owned()
        }
    };
    let longest = "a._-Z9".repeat(21) + "xy";
    assert_eq!(longest.len(), 128);
    assert_eq!(echoed(vec![longest.clone()]).await, longest);
    for odd in [
        vec!["x".repeat(300_000)],
        vec![format!("{longest}z")],
        vec!["abc 123".into()],
        vec!["abc;injected=1".into()],
        vec!["caf\u{e9}".into()],
        vec!["one".into(), "two".into()],
    ] {
        let id = echoed(odd.clone()).await;
        assert_eq!(id.len(), 36, "{odd:.40?} came back as {id:.40}");
        assert!(uuid_shaped(&id), "{id}");
    }
}

fn uuid_shaped(id: &str) -> bool {
    id.len() == 36
        && id.chars().enumerate().all(|(i, c)| {
            matches!(i, 8 | 13 | 18 | 23) == (c == '-') && (c == '-' || c.is_ascii_hexdigit())
        })
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = spawn_app().await;
    let (status, doc) = app.get("/openapi.json", Some(KEY)).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/health",
        "/teams",
        "/metrics/team/{team_id}/velocity",
        "/metrics/team/{team_id}/lead-time",
        "/openapi.json",
    ] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} missing");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["api_key"]["name"],
        "x-api-key"
    );
}

#[tokio::test]
async fn a_database_failure_is_a_500_that_leaks_nothing() {
    let app = spawn_app().await;
    let client = app.db.client().await;
    client
        .batch_execute("DROP TABLE pr_attributions CASCADE")
        .await
        .unwrap();
    let (status, body) = app
        .get(
            "/metrics/team/platform/velocity?from=2026-01-01&to=2026-01-31",
            Some(KEY),
        )
        .await;
    assert_eq!(status, 500);
    assert_eq!(
        body,
        json!({"error":{"code":"internal","message":"internal error"}})
    );
}
