//! A minimal HTTP client for the fake's own tests (plain HTTP on 127.0.0.1) and shared fixtures.

#![allow(dead_code)] // each test binary uses a different part

use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};
use fake_github::{FakeLabel, FakePull, FakeUser};
use http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// GETs `url` with `headers`; the whole body is read.
pub async fn get(url: &str, headers: &[(&str, &str)]) -> (StatusCode, HeaderMap, Bytes) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let mut request = Request::get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = client
        .request(request.body(Empty::new()).expect("valid request"))
        .await
        .expect("the fake answers");
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("whole body").to_bytes();
    (parts.status, parts.headers, body)
}

/// GETs `url` and parses the body as JSON.
pub async fn get_json(url: &str) -> serde_json::Value {
    let (status, _, body) = get(url, &[]).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).expect("JSON body")
}

pub fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, day, hour, 0, 0)
        .single()
        .expect("valid date")
}

/// One PR of every kind the collector meets: merged, closed-unmerged, open draft, by a deleted
/// account, by a bot, with labels and a unicode title, without a body.
pub fn varied_pulls() -> Vec<FakePull> {
    let alice = Some(FakeUser::user("alice", 11));
    vec![
        FakePull::merged(1, alice.clone(), at(1, 9), at(2, 10)).with_labels(vec![
            FakeLabel::new(501, "bug", Some("Something isn't working")),
            FakeLabel::new(502, "good first issue", Some("Small change")),
        ]),
        FakePull::closed_unmerged(2, alice.clone(), at(1, 10), at(3, 11)),
        FakePull::open(3, alice, at(2, 12)).with_draft(true),
        FakePull::merged(4, None, at(3, 8), at(4, 9)),
        FakePull::merged(
            5,
            Some(FakeUser::bot("dependabot[bot]", 49699333)),
            at(4, 1),
            at(4, 2),
        ),
        FakePull::merged(6, Some(FakeUser::user("zoe-k", 12)), at(5, 1), at(5, 3))
            .with_title("Ünïcødé 标题 🚀 \"quoted\""),
        FakePull {
            body: None,
            ..FakePull::merged(7, Some(FakeUser::user("bob", 13)), at(6, 1), at(6, 2))
        },
    ]
}
