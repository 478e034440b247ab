//! The fake's HTTP behaviour, over real TCP on 127.0.0.1: pagination and `Link`, the path
//! prefix, query semantics, ETags, authentication, rate-limit headers and every fault.

mod common;

use common::{at, get, get_json};
use fake_github::{FakeGithub, FakeGithubConfig, FakePull, FakeUser, Fault};
use http::StatusCode;
use std::time::{Duration, Instant};

const LIST: &str = "state=closed&sort=updated&direction=desc&per_page=100";

async fn start(config: FakeGithubConfig) -> FakeGithub {
    FakeGithub::start(config).await.expect("fake starts")
}

/// `count` merged PRs numbered 1..=count, PR n updated at minute n.
fn merged(count: u64) -> Vec<FakePull> {
    (1..=count)
        .map(|n| {
            let t = at(1, 0) + chrono::Duration::minutes(n as i64);
            FakePull::merged(n, Some(FakeUser::user("alice", 1)), t, t)
        })
        .collect()
}

fn next_link(link: &str) -> Option<String> {
    link.split(',')
        .find(|part| part.contains("rel=\"next\""))
        .and_then(|part| part.split(['<', '>']).nth(1))
        .map(str::to_owned)
}

#[tokio::test]
async fn pages_of_250_prs_follow_link_next_in_the_repositories_id_form() {
    let fake = start(FakeGithubConfig::default()).await;
    fake.set_pulls("acme/widgets", merged(250));
    let id = fake.repository_id("acme/widgets").expect("known");

    let mut url = format!("{}/repos/acme/widgets/pulls?{LIST}", fake.base_url());
    let mut sizes = Vec::new();
    let mut numbers = Vec::new();
    for _ in 0..10 {
        let (status, headers, body) = get(&url, &[]).await;
        assert_eq!(status, StatusCode::OK);
        let page: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        let page = page.as_array().expect("a list").clone();
        sizes.push(page.len());
        numbers.extend(page.iter().map(|p| p["number"].as_u64().unwrap_or(0)));
        let link = headers
            .get("link")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        match next_link(link) {
            Some(next) => {
                assert!(link.contains(&format!(
                    "/repositories/{id}/pulls?{LIST}&page=3>; rel=\"last\""
                )));
                assert!(next.starts_with(&format!("{}/repositories/{id}/pulls?", fake.base_url())));
                url = next;
            }
            None => break,
        }
    }
    assert_eq!(sizes, [100, 100, 50]);
    let expected: Vec<u64> = (1..=250).rev().collect();
    assert_eq!(numbers, expected, "updated_at descending, each PR once");
}

#[tokio::test]
async fn a_path_prefix_is_required_and_kept_in_links() {
    let fake = start(FakeGithubConfig {
        path_prefix: Some("/api/v3".into()),
        ..FakeGithubConfig::default()
    })
    .await;
    fake.set_pulls("acme/widgets", merged(3));
    let base = fake.base_url();
    assert!(base.ends_with("/api/v3"));

    let (status, headers, _) = get(
        &format!("{base}/repos/acme/widgets/pulls?state=closed&per_page=1"),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let link = headers
        .get("link")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let next = next_link(link).expect("a next page");
    assert!(next.contains("/api/v3/repositories/"), "{next}");
    assert_eq!(get(&next, &[]).await.0, StatusCode::OK);

    let root = format!("http://{}", fake.address());
    let (status, _, _) = get(&format!("{root}/repos/acme/widgets/pulls"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn state_closed_returns_only_closed_prs_and_names_are_case_insensitive() {
    let fake = start(FakeGithubConfig::default()).await;
    fake.set_pulls(
        "Acme/Widgets",
        vec![
            FakePull::open(1, None, at(1, 1)),
            FakePull::merged(2, None, at(1, 2), at(1, 3)),
            FakePull::closed_unmerged(3, None, at(1, 2), at(1, 4)),
        ],
    );
    let list = get_json(&format!(
        "{}/repos/ACME/widgets/pulls?{LIST}",
        fake.base_url()
    ))
    .await;
    let numbers: Vec<u64> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|p| p["number"].as_u64())
        .collect();
    assert_eq!(numbers, [3, 2]);
    let open = get_json(&format!("{}/repos/acme/widgets/pulls", fake.base_url())).await;
    assert_eq!(
        open.as_array().map(Vec::len),
        Some(1),
        "state defaults to open"
    );
}

#[tokio::test]
async fn a_reopened_or_deleted_pr_leaves_the_closed_list_and_later_prs_move_up() {
    let fake = start(FakeGithubConfig::default()).await;
    fake.set_pulls(
        "acme/widgets",
        vec![
            FakePull::merged(1, None, at(1, 1), at(1, 2)),
            FakePull::closed_unmerged(2, None, at(1, 2), at(1, 3)),
            FakePull::merged(3, None, at(1, 3), at(1, 4)),
        ],
    );
    let closed = || async {
        let list = get_json(&format!(
            "{}/repos/acme/widgets/pulls?{LIST}",
            fake.base_url()
        ))
        .await;
        list.as_array()
            .expect("list")
            .iter()
            .filter_map(|p| p["number"].as_u64())
            .collect::<Vec<_>>()
    };
    assert_eq!(closed().await, [3, 2, 1]);
    assert!(
        !fake.reopen("acme/widgets", 3, at(2, 0)),
        "a merged PR stays closed"
    );
    assert!(fake.reopen("acme/widgets", 2, at(2, 0)));
    assert_eq!(closed().await, [3, 1]);
    let open = get_json(&format!("{}/repos/acme/widgets/pulls", fake.base_url())).await;
    assert_eq!(open[0]["number"], 2);
    assert_eq!(open[0]["updated_at"], "2025-03-02T00:00:00Z");
    assert!(fake.remove_pull("acme/widgets", 3));
    assert!(!fake.remove_pull("acme/widgets", 3));
    assert!(!fake.remove_pull("acme/unknown", 1));
    assert_eq!(closed().await, [1]);
}

#[tokio::test]
async fn an_empty_page_fault_keeps_the_link_to_the_next_page() {
    let fake = start(FakeGithubConfig::default()).await;
    fake.set_pulls("acme/widgets", merged(150));
    fake.inject(Fault::EmptyPage, 1);
    let url = format!("{}/repos/acme/widgets/pulls?{LIST}", fake.base_url());

    let (status, headers, body) = get(&url, &[]).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(&body[..], b"[]");
    let link = headers
        .get("link")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        next_link(link).is_some_and(|n| n.ends_with("page=2")),
        "{link}"
    );
    let etag = headers.get("etag").cloned().expect("an ETag");
    fake.inject(Fault::EmptyPage, 1);
    let (status, _, _) = get(&url, &[("if-none-match", etag.to_str().unwrap_or(""))]).await;
    assert_eq!(
        status,
        StatusCode::NOT_MODIFIED,
        "the same empty page again"
    );
}

#[tokio::test]
async fn if_none_match_gets_a_free_304_until_the_data_changes() {
    let fake = start(FakeGithubConfig::default()).await;
    fake.set_pulls("acme/widgets", merged(3));
    let url = format!("{}/repos/acme/widgets/pulls?{LIST}", fake.base_url());

    let (_, first, _) = get(&url, &[]).await;
    let etag = first["etag"].to_str().expect("ascii").to_owned();
    assert!(etag.starts_with('"'), "strong ETag: {etag}");
    let remaining =
        |h: &http::HeaderMap| h["x-ratelimit-remaining"].to_str().unwrap_or("").to_owned();

    let (status, headers, body) = get(&url, &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(
        remaining(&headers),
        remaining(&first),
        "a 304 costs nothing"
    );
    assert_eq!(fake.counts().not_modified, 1);

    assert!(fake.touch("acme/widgets", 1, at(9, 0)));
    let (status, headers, _) = get(&url, &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(headers["etag"].to_str().unwrap_or(""), etag);
    let log = fake.request_log();
    assert_eq!(log.len(), 3);
    assert_eq!(log[1].if_none_match.as_deref(), Some(etag.as_str()));
    assert_eq!(log[1].status, 304);
    assert_eq!(fake.requests_for("ACME/widgets"), 3);
}

#[tokio::test]
async fn a_configured_token_is_required_as_a_bearer_token() {
    let fake = start(FakeGithubConfig {
        token: Some("s3cret".into()),
        ..FakeGithubConfig::default()
    })
    .await;
    fake.set_pulls("acme/widgets", merged(1));
    let url = format!("{}/repos/acme/widgets/pulls", fake.base_url());
    assert_eq!(get(&url, &[]).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        get(&url, &[("authorization", "Bearer wrong")]).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(&url, &[("authorization", "Bearer s3cret")]).await.0,
        StatusCode::OK
    );
    let present: Vec<bool> = fake
        .request_log()
        .iter()
        .map(|r| r.authorization_present)
        .collect();
    assert_eq!(present, [false, true, true]);
}

#[tokio::test]
async fn unknown_repositories_are_404() {
    let fake = start(FakeGithubConfig::default()).await;
    let (status, _, body) = get(&format!("{}/repos/no/such/pulls", fake.base_url()), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(String::from_utf8_lossy(&body).contains("Not Found"));
}

#[tokio::test]
async fn the_primary_limit_counts_down_then_refuses_until_the_window_resets() {
    let fake = start(FakeGithubConfig {
        rate_limit: 2,
        rate_limit_window: Duration::from_millis(1500),
        ..FakeGithubConfig::default()
    })
    .await;
    fake.set_pulls("acme/widgets", merged(1));
    let url = format!("{}/repos/acme/widgets/pulls", fake.base_url());
    let header = |h: &http::HeaderMap, n: &str| h[n].to_str().unwrap_or("").to_owned();

    let (_, h1, _) = get(&url, &[]).await;
    let (_, h2, _) = get(&url, &[]).await;
    assert_eq!(header(&h1, "x-ratelimit-limit"), "2");
    assert_eq!(header(&h1, "x-ratelimit-remaining"), "1");
    assert_eq!(header(&h2, "x-ratelimit-remaining"), "0");
    assert_eq!(header(&h2, "x-ratelimit-used"), "2");
    assert_eq!(header(&h2, "x-ratelimit-resource"), "core");
    let (status, h3, body) = get(&url, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(header(&h3, "x-ratelimit-remaining"), "0");
    assert!(String::from_utf8_lossy(&body).contains("API rate limit exceeded"));
    let reset: u64 = header(&h3, "x-ratelimit-reset")
        .parse()
        .expect("epoch seconds");
    let now = chrono::Utc::now().timestamp() as u64;
    assert!(
        reset >= now && reset <= now + 3,
        "reset {reset} vs now {now}"
    );

    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(get(&url, &[]).await.0, StatusCode::OK);
}

#[tokio::test]
async fn injected_faults_are_served_once_each_repository_ones_first() {
    let fake = start(FakeGithubConfig::default()).await;
    fake.set_pulls("acme/widgets", merged(1));
    fake.set_pulls("acme/gadgets", merged(1));
    fake.inject_for("acme/widgets", Fault::ServerError(502), 2);
    fake.inject(Fault::secondary_rate_limit(), 1);
    fake.inject(Fault::primary_rate_limit(), 1);
    fake.inject(Fault::MalformedJson, 1);
    fake.inject(Fault::WrongShape, 1);
    let widgets = format!("{}/repos/acme/widgets/pulls", fake.base_url());
    let gadgets = format!("{}/repos/acme/gadgets/pulls", fake.base_url());

    assert_eq!(get(&widgets, &[]).await.0, StatusCode::BAD_GATEWAY);
    assert_eq!(get(&widgets, &[]).await.0, StatusCode::BAD_GATEWAY);

    let (status, headers, body) = get(&gadgets, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(headers["retry-after"], "1");
    assert_ne!(headers["x-ratelimit-remaining"], "0");
    assert!(String::from_utf8_lossy(&body).contains("You have exceeded a secondary rate limit"));

    let (status, headers, _) = get(&gadgets, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(headers["x-ratelimit-remaining"], "0");

    let (status, _, body) = get(&widgets, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(serde_json::from_slice::<serde_json::Value>(&body).is_err());

    let (status, _, body) = get(&widgets, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&body[..], br#"[{"number": "seven", "title": 7}]"#);

    assert_eq!(fake.pending_faults(), 0);
    assert_eq!(get(&widgets, &[]).await.0, StatusCode::OK);
    assert_eq!(fake.counts().faults, 6);
}

#[tokio::test]
async fn a_stall_delays_the_answer() {
    let fake = start(FakeGithubConfig::default()).await;
    fake.set_pulls("acme/widgets", merged(1));
    fake.inject(Fault::Stall(Duration::from_millis(300)), 1);
    let started = Instant::now();
    let (status, _, _) = get(
        &format!("{}/repos/acme/widgets/pulls", fake.base_url()),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn a_connection_reset_drops_the_connection_before_the_answer_is_complete() {
    use http_body_util::{BodyExt, Empty};
    let fake = start(FakeGithubConfig::default()).await;
    fake.set_pulls("acme/widgets", merged(1));
    fake.inject(Fault::ConnectionReset, 1);
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Empty<bytes::Bytes>>();
    let uri: http::Uri = format!("{}/repos/acme/widgets/pulls", fake.base_url())
        .parse()
        .expect("uri");
    // hyper may or may not have flushed the headers before the body fails: either the request or
    // the body read must fail, never a complete answer.
    match client.get(uri).await {
        Err(error) => assert!(error.is_connect() || format!("{error:?}").contains("Incomplete")),
        Ok(response) => assert!(response.into_body().collect().await.is_err()),
    }
}
