//! What the collector's integration tests share: a migrated store on each backend, the fake
//! GitHub, a client with short waits, and PR builders.

#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use collector::{Backfill, SyncSettings, SyncSummary, run_sync};
use fake_github::{FakeGithub, FakeGithubConfig, FakePull, FakeUser, Fault};
use github::{GithubClient, GithubConfig, SecretString};
use std::time::Duration as StdDuration;
use store::Store;
use store::testing::TestDatabase;

pub const TOKEN: &str = "ghp_walk_token";
pub const REPO: &str = "acme/app";
pub const TEAMS: &str =
    r#"{"teams":[{"id":"core","members":[{"github":"alice","joined_at":"2000-01-01"}]}]}"#;

/// A migrated store on one backend, with what keeps it alive.
pub struct Backend {
    pub name: &'static str,
    pub store: Store,
    _postgres: Option<TestDatabase>,
    _dir: Option<tempfile::TempDir>,
}

pub async fn postgres() -> Backend {
    let (db, store) = TestDatabase::migrated_store().await;
    Backend {
        name: "postgres",
        store,
        _postgres: Some(db),
        _dir: None,
    }
}

pub async fn sqlite() -> Backend {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("walk.db").display());
    let store = Store::connect(&url, 1).await.expect("open SQLite");
    store.migrate().await.expect("migrate SQLite");
    Backend {
        name: "sqlite",
        store,
        _postgres: None,
        _dir: Some(dir),
    }
}

/// Runs each async test body on both backends, as `name::postgres` and `name::sqlite`, so a
/// failure names its backend. The body's argument is the migrated [`Backend`].
#[macro_export]
macro_rules! on_both_backends {
    ($(async fn $name:ident($backend:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body($backend: $crate::support::Backend) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                body($crate::support::postgres().await).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                body($crate::support::sqlite().await).await
            }
        }
    )*};
}

pub async fn fake() -> FakeGithub {
    FakeGithub::start(FakeGithubConfig {
        token: Some(TOKEN.into()),
        ..FakeGithubConfig::default()
    })
    .await
    .expect("fake GitHub starts")
}

pub fn client(fake: &FakeGithub) -> GithubClient {
    GithubClient::new(GithubConfig {
        request_timeout: StdDuration::from_secs(5),
        retry_base_delay: StdDuration::from_millis(10),
        secondary_rate_limit_wait: StdDuration::from_millis(100),
        ..GithubConfig::new(fake.base_url(), SecretString::from(TOKEN))
    })
    .expect("client")
}

pub fn teams() -> domain::TeamConfig {
    domain::TeamConfig::from_json(TEAMS).expect("valid teams")
}

pub fn settings(backfill: Backfill) -> SyncSettings {
    settings_for(REPO, backfill)
}

pub fn settings_for(repository: &str, backfill: Backfill) -> SyncSettings {
    let mut settings = SyncSettings::new(vec![repository.into()], Utc::now());
    settings.backfill = backfill;
    settings.budget = StdDuration::from_secs(60);
    settings
}

/// PR `n` by alice, merged (and last updated) at `at`.
pub fn merged(n: u64, at: DateTime<Utc>) -> FakePull {
    FakePull::merged(
        n,
        Some(FakeUser::user("alice", 1)),
        at - Duration::hours(1),
        at,
    )
}

/// `count` merged PRs, PR n updated `n` hours after 2026-01-01, except `unmerged` (closed
/// without merging).
pub fn hourly(count: u64, unmerged: &[u64]) -> Vec<FakePull> {
    let start = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("valid");
    (1..=count)
        .map(|n| {
            let at = start + Duration::hours(n as i64);
            if unmerged.contains(&n) {
                FakePull::closed_unmerged(n, Some(FakeUser::user("alice", 1)), at, at)
            } else {
                merged(n, at)
            }
        })
        .collect()
}

/// Merged PRs stored, as the API sees them (alice's, all attributed to `core`).
pub async fn stored(store: &Store) -> usize {
    let far = |year| {
        Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0)
            .single()
            .expect("valid")
    };
    store
        .attributed_prs("core", far(1990), far(2100))
        .await
        .expect("attributed PRs")
        .len()
}

pub async fn sync(store: &Store, github: &GithubClient, settings: &SyncSettings) -> SyncSummary {
    run_sync(store, github, &teams(), settings)
        .await
        .expect("the run starts")
}

/// Lets the first `pages` pages of `repository` through (with the page asked again after each
/// next one), then fails the next page with a malformed payload: the walk stops with a resume
/// point after page `pages`.
pub fn fail_after(fake: &FakeGithub, repository: &str, pages: usize) {
    let requests = (2 * pages).saturating_sub(1);
    fake.inject_for(repository, Fault::Stall(StdDuration::ZERO), requests);
    fake.inject_for(repository, Fault::MalformedJson, 1);
}

/// `count` merged PRs, PR n last updated `count + 1 - n` days (and 12 hours) before now.
pub fn daily(count: u64) -> Vec<FakePull> {
    let now = Utc::now();
    (1..=count)
        .map(|n| {
            merged(
                n,
                now - Duration::days((count + 1 - n) as i64) + Duration::hours(12),
            )
        })
        .collect()
}
