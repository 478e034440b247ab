//! Shared set-up of the client tests: a fake GitHub on 127.0.0.1 and a client configured with
//! short delays so every retry and wait finishes in well under a few seconds.

#![allow(dead_code)] // each test binary uses a different part

use chrono::{DateTime, TimeZone, Utc};
use fake_github::{FakeGithub, FakeGithubConfig, FakePull, FakeUser};
use github::{GithubClient, GithubConfig, GithubError, PageOutcome, PageRequest, SecretString};
use std::time::{Duration, Instant};

pub const TOKEN: &str = "ghp_test_token_0123456789";

pub async fn fake(config: FakeGithubConfig) -> FakeGithub {
    FakeGithub::start(FakeGithubConfig {
        token: Some(TOKEN.into()),
        ..config
    })
    .await
    .expect("fake starts")
}

/// A client for `fake` with test-sized delays.
pub fn config(fake: &FakeGithub) -> GithubConfig {
    GithubConfig {
        request_timeout: Duration::from_secs(2),
        max_attempts: 5,
        retry_base_delay: Duration::from_millis(10),
        secondary_rate_limit_wait: Duration::from_millis(100),
        ..GithubConfig::new(fake.base_url(), SecretString::from(TOKEN))
    }
}

pub fn client(config: GithubConfig) -> GithubClient {
    GithubClient::new(config).expect("valid configuration")
}

pub fn soon(seconds: u64) -> Instant {
    Instant::now() + Duration::from_secs(seconds)
}

pub fn at(day: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, day, 0, minute, 0)
        .single()
        .expect("valid date")
}

/// `count` merged PRs numbered 1..=count by alice, PR n merged at minute n.
pub fn merged(count: u64) -> Vec<FakePull> {
    (1..=count)
        .map(|n| {
            let t = at(1, 0) + chrono::Duration::minutes(n as i64);
            FakePull::merged(n, Some(FakeUser::user("alice", 1)), t, t)
        })
        .collect()
}

/// The first page of `repository`.
pub async fn first(
    client: &GithubClient,
    repository: &str,
    etag: Option<&str>,
) -> Result<PageOutcome, GithubError> {
    client
        .pulls_page(PageRequest::First { repository, etag }, soon(30))
        .await
}

/// Every page of `repository`, following `next`; returns the PRs and the `next` URLs followed.
pub async fn all_pages(
    client: &GithubClient,
    repository: &str,
) -> Result<(Vec<domain::PullRequest>, Vec<String>), GithubError> {
    let mut pulls = Vec::new();
    let mut followed = Vec::new();
    let mut outcome = first(client, repository, None).await?;
    for _ in 0..100 {
        let PageOutcome::Page {
            pulls: page, next, ..
        } = outcome
        else {
            panic!("unexpected 304 without an ETag");
        };
        pulls.extend(page);
        let Some(next) = next else {
            return Ok((pulls, followed));
        };
        outcome = client
            .pulls_page(
                PageRequest::Next {
                    repository,
                    url: &next,
                },
                soon(30),
            )
            .await?;
        followed.push(next);
    }
    panic!("more than 100 pages");
}
