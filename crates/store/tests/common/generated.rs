//! Generated data for the agreement tests: a config with splits, weight changes, gaps, case
//! variations and bots, and a few hundred PRs merged on and around every membership boundary and
//! every week/month boundary (in UTC and in the non-UTC zones the tests use).

use super::{Rng, at};
use chrono::{DateTime, Duration, Utc};
use domain::{PrUser, PullRequest};

/// A config exercising every branch of the attribution rule.
pub const CONFIG: &str = r#"{"teams":[
    {"id":"platform","name":"Platform","members":[
        {"github":"alice","weight":0.5,"joined_at":"2025-01-01","left_at":"2025-03-01"},
        {"github":"alice","weight":1.0,"joined_at":"2025-03-01","left_at":"2025-06-15T12:00:00Z"},
        {"github":"bob","joined_at":"2024-12-01"},
        {"github":"dependabot[bot]","weight":0.5,"joined_at":"2024-01-01"},
        {"github":"robot","joined_at":"2024-06-01","left_at":"2025-04-01"},
        {"github":"Erin_X","weight":0.3,"joined_at":"2025-02-10T08:30:00Z","left_at":"2025-05-01"}]},
    {"id":"mobile","members":[
        {"github":"alice","weight":0.5,"joined_at":"2025-01-01","left_at":"2025-03-01"},
        {"github":"carol","weight":0.6,"joined_at":"2025-01-15","left_at":"2025-04-20T06:00:00+02:00"},
        {"github":"CAROL","weight":0.9,"joined_at":"2025-04-20T06:00:00+02:00"},
        {"github":"erin_x","weight":0.7,"joined_at":"2025-02-10T08:30:00Z","left_at":"2025-05-01"}]},
    {"id":"tools","include_bots":true,"members":[
        {"github":"dependabot[bot]","weight":0.5,"joined_at":"2024-01-01"},
        {"github":"dave","joined_at":"2025-01-01","left_at":"2025-02-01"},
        {"github":"dave","weight":0.4,"joined_at":"2025-03-01"}]},
    {"id":"data-eng","name":"Data"}]}"#;

/// An edit of [`CONFIG`]: alice's second span reweighted, erin leaves mobile, bob gets an end.
pub fn edited_config() -> String {
    CONFIG
        .replace(
            r#""weight":1.0,"joined_at":"2025-03-01""#,
            r#""weight":0.8,"joined_at":"2025-03-01""#,
        )
        .replace(
            r#",
        {"github":"erin_x","weight":0.7,"joined_at":"2025-02-10T08:30:00Z","left_at":"2025-05-01"}"#,
            "",
        )
        .replace(
            r#"{"github":"bob","joined_at":"2024-12-01"}"#,
            r#"{"github":"bob","joined_at":"2024-12-01","left_at":"2025-04-01T00:00:00Z"}"#,
        )
}

/// (login, user type) of PR authors: members in several spellings, bots by type and by suffix,
/// outsiders.
const AUTHORS: &[(&str, &str)] = &[
    ("alice", "User"),
    ("Alice", "User"),
    ("ALICE", "User"),
    ("bob", "User"),
    ("BoB", "User"),
    ("carol", "User"),
    ("Carol", "User"),
    ("dave", "User"),
    ("erin_x", "User"),
    ("Erin_X", "User"),
    ("dependabot[bot]", "Bot"),
    ("Dependabot[Bot]", "User"),
    ("robot", "Bot"),
    ("robot", "User"),
    ("outsider", "User"),
    ("renovate[bot]", "Bot"),
];

/// Instants where something changes: membership boundaries, UTC week and month starts, and
/// local midnights in Pacific/Kiritimati (UTC+14) and America/St_Johns (UTC-2:30 in summer).
const BOUNDARIES: &[&str] = &[
    "2025-01-01T00:00:00Z",
    "2025-02-01T00:00:00Z",
    "2025-03-01T00:00:00Z",
    "2025-06-15T12:00:00Z",
    "2024-12-01T00:00:00Z",
    "2025-04-01T00:00:00Z",
    "2025-02-10T08:30:00Z",
    "2025-05-01T00:00:00Z",
    "2025-01-15T00:00:00Z",
    "2025-04-20T04:00:00Z",
    "2025-03-31T00:00:00Z", // a Monday
    "2025-03-30T23:59:59Z",
    "2025-06-30T00:00:00Z", // a Monday and month end week
    "2025-03-31T10:00:00Z", // 2025-04-01 00:00 in Kiritimati
    "2025-04-01T02:30:00Z", // 2025-04-01 00:00 in St John's
    "2025-01-05T10:00:00Z", // Monday 00:00 in Kiritimati, Sunday in UTC
    "2025-05-05T02:30:00Z", // Monday 00:00 in St John's
];

/// `n` PRs: about half merged on or within a microsecond/second of a boundary, the rest spread
/// over 2024-12..2025-07; one in ten closed unmerged, one in twenty by a deleted account.
pub fn pull_requests(n: usize, seed: u64) -> Vec<PullRequest> {
    let mut rng = Rng::new(seed);
    let base = at("2024-12-01T00:00:00Z");
    let nudges = [
        Duration::zero(),
        Duration::microseconds(-1),
        Duration::microseconds(1),
        Duration::seconds(-1),
        Duration::seconds(1),
    ];
    (0..n)
        .map(|i| {
            let merged: DateTime<Utc> = if rng.below(2) == 0 {
                let boundary: &&str = rng.pick(BOUNDARIES);
                at(boundary) + *rng.pick(&nudges)
            } else {
                base + Duration::microseconds(rng.below(230 * 86_400 * 1_000_000) as i64)
            };
            let created = merged
                - Duration::seconds(rng.below(10 * 86_400) as i64)
                - Duration::microseconds(rng.below(1_000_000) as i64);
            let (login, user_type) = *rng.pick(AUTHORS);
            let author = (rng.below(20) != 0).then(|| PrUser {
                login: login.into(),
                id: i as i64,
                user_type: user_type.into(),
            });
            let merged_at = (rng.below(10) != 0).then_some(merged);
            PullRequest {
                repository: format!("acme/repo-{}", i % 3),
                number: i as i64 + 1,
                github_id: 10_000 + i as i64,
                title: format!("Generated {i}"),
                state: "closed".into(),
                draft: false,
                author,
                created_at: created,
                updated_at: merged + Duration::minutes(1),
                closed_at: Some(merged),
                merged_at,
                merge_commit_sha: merged_at.map(|_| format!("{i:040x}")),
                base_ref: "main".into(),
                head_ref: None,
                html_url: None,
            }
        })
        .collect()
}
