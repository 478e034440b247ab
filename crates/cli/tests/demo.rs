//! `dorameter demo` end to end: the real binary generates the organisation, syncs it through the
//! collector from its in-process fake GitHub into in-memory SQLite, and serves the API.

mod support;

use serde_json::Value;
use support::{demo, dorameter, run};

const KEY: &str = "demo-key";

/// `/teams`, then velocity and lead time of every team over three ranges, as JSON text.
async fn api_output(base: &str) -> Vec<String> {
    let http = reqwest::Client::new();
    let get = |path: String| {
        let http = http.clone();
        async move {
            let response = http
                .get(format!("{base}{path}"))
                .header("x-api-key", KEY)
                .send()
                .await
                .unwrap_or_else(|e| panic!("GET {path}: {e}"));
            assert_eq!(response.status(), 200, "GET {path}");
            response.text().await.expect("body")
        }
    };
    let teams_body = get("/teams".into()).await;
    let teams: Value = serde_json::from_str(&teams_body).expect("teams JSON");
    let ids: Vec<String> = teams["teams"]
        .as_array()
        .expect("teams array")
        .iter()
        .filter_map(|t| t["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(ids.len(), 4, "{teams_body}");
    let mut out = vec![teams_body];
    for id in &ids {
        for query in [
            "",
            "?from=2026-01-01&to=2026-06-30",
            "?from=2026-03-02&to=2026-03-29",
        ] {
            for metric in ["velocity", "lead-time"] {
                out.push(get(format!("/metrics/team/{id}/{metric}{query}")).await);
            }
        }
    }
    out
}

#[tokio::test]
async fn demo_twice_with_the_same_seed_serves_identical_api_output() {
    let first = demo(42, "2026-06-30");
    let second = demo(42, "2026-06-30");

    let a = api_output(&first.base).await;
    let b = api_output(&second.base).await;

    assert_eq!(a, b);
    let velocity: Value = serde_json::from_str(&a[3]).expect("velocity JSON");
    assert!(
        velocity["weeks"].as_array().is_some_and(|w| w.len() >= 20),
        "six months of weeks expected: {velocity}"
    );
}

#[tokio::test]
async fn another_seed_gives_another_organisation() {
    let a = demo(1, "2026-06-30");
    let b = demo(2, "2026-06-30");
    assert_ne!(api_output(&a.base).await, api_output(&b.base).await);
}

#[tokio::test]
async fn the_demo_serves_the_dashboard_and_refuses_a_wrong_key() {
    let server = demo(42, "2026-06-30");
    let http = reqwest::Client::new();
    let page = http
        .get(format!("{}/", server.base))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    let wrong = http
        .get(format!("{}/teams", server.base))
        .header("x-api-key", "wrong")
        .send()
        .await
        .expect("teams");
    assert_eq!(wrong.status(), 401);
}

#[test]
fn the_demo_refuses_a_key_list_or_a_blank_key_before_loading_anything() {
    for key in ["a,b", " ", ""] {
        let (code, out, err) =
            run(dorameter().args(["demo", "--addr", "127.0.0.1:0", "--api-key", key]));
        assert_eq!(code, 1, "{key:?}: {err}");
        assert!(out.is_empty(), "{key:?}: nothing served: {out}");
        assert!(err.contains("--api-key"), "{key:?}: {err}");
    }
}
