//! Generated data for the agreement tests: a config with splits, weight changes, gaps, case
//! variations and bots, and a few hundred PRs merged on and around every membership boundary and
//! every week/month boundary (in UTC and in the non-UTC zones the tests use), including
//! boundaries before 1970 (negative microseconds since the epoch, where truncating and flooring
//! a division differ) and around 2000-01-01 (PostgreSQL's epoch).

use super::{Rng, at};
use chrono::{DateTime, Duration, Utc};
use domain::{PrUser, PullRequest};

/// A config exercising every branch of the attribution rule.
pub const CONFIG: &str = r#"{"teams":[
    {"id":"platform","name":"Platform","members":[
        {"github":"alice","weight":0.5,"joined_at":"2025-01-01","left_at":"2025-03-01"},
        {"github":"alice","weight":1.0,"joined_at":"2025-03-01","left_at":"2025-06-15T12:00:00Z"},
        {"github":"bob","joined_at":"2024-12-01"},
        {"github":"bob","weight":0.5,"joined_at":"1969-06-01","left_at":"2000-06-01"},
        {"github":"dependabot[bot]","weight":0.5,"joined_at":"2024-01-01"},
        {"github":"robot","joined_at":"2024-06-01","left_at":"2025-04-01"},
        {"github":"Erin_X","weight":0.3,"joined_at":"2025-02-10T08:30:00Z","left_at":"2025-05-01"}]},
    {"id":"mobile","members":[
        {"github":"alice","weight":0.5,"joined_at":"2025-01-01","left_at":"2025-03-01"},
        {"github":"carol","weight":0.6,"joined_at":"2025-01-15","left_at":"2025-04-20T06:00:00+02:00"},
        {"github":"carol","joined_at":"1969-11-15T12:00:00Z","left_at":"1970-01-10"},
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
    "1969-06-01T00:00:00Z",
    "1969-11-15T12:00:00Z",
    "1970-01-10T00:00:00Z",
    "2000-06-01T00:00:00Z",
    "2000-01-01T00:00:00Z", // PostgreSQL's epoch, a Saturday
    "2000-01-03T00:00:00Z", // a Monday
    "1970-01-05T00:00:00Z", // the first Monday after the epoch
    "1969-07-21T02:56:15Z",
    "1969-12-28T23:59:59Z",
];

/// Week and month starts before 1970 (and the epoch itself, a month start on a Thursday): an
/// instant less than a second before one, `-N` whole seconds and a fraction, truncated toward
/// zero instead of floored, would land in the bucket after it.
const BOUNDARIES_BEFORE_1970: &[&str] = &[
    "1969-12-01T00:00:00Z", // a Monday and a month start
    "1969-12-29T00:00:00Z", // a Monday
    "1970-01-01T00:00:00Z", // a month start, mid-week
];

/// Offsets from a boundary: on it, a microsecond, half a second and a second either side.
fn nudges() -> [Duration; 7] {
    [
        Duration::zero(),
        Duration::microseconds(-1),
        Duration::microseconds(1),
        Duration::milliseconds(-500),
        Duration::seconds(-1),
        Duration::seconds(1),
        Duration::microseconds(-999_999),
    ]
}

/// `n` PRs. The first ones are merged, by members, on and just before every boundary of
/// [`BOUNDARIES_BEFORE_1970`] (each nudge of [`nudges`] not after it); of the rest, about half
/// are merged on or within a microsecond/second of a boundary of [`BOUNDARIES`], one in ten
/// spread over 1969-06..1970-03, the others over 2024-12..2025-07; one in ten closed unmerged,
/// one in twenty by a deleted account.
pub fn pull_requests(n: usize, seed: u64) -> Vec<PullRequest> {
    let mut rng = Rng::new(seed);
    let base = at("2024-12-01T00:00:00Z");
    let base_before_1970 = at("1969-06-01T00:00:00Z");
    let nudges = nudges();
    let edges: Vec<(DateTime<Utc>, &str)> = BOUNDARIES_BEFORE_1970
        .iter()
        .flat_map(|b| nudges.iter().map(move |d| at(b) + *d))
        .filter(|merged| {
            BOUNDARIES_BEFORE_1970
                .iter()
                .any(|b| *merged <= at(b) && at(b) - *merged < Duration::seconds(1))
        })
        .zip(["bob", "carol", "BoB", "Carol"].into_iter().cycle())
        .collect();
    (0..n)
        .map(|i| {
            if let Some(&(merged, login)) = edges.get(i) {
                let created = merged - Duration::hours(30) - Duration::microseconds(i as i64);
                return generated_pr(i, merged, created, Some((login, "User")));
            }
            let merged: DateTime<Utc> = if rng.below(2) == 0 {
                let boundary: &&str = rng.pick(BOUNDARIES);
                at(boundary) + *rng.pick(&nudges)
            } else if rng.below(10) == 0 {
                base_before_1970
                    + Duration::microseconds(rng.below(270 * 86_400 * 1_000_000) as i64)
            } else {
                base + Duration::microseconds(rng.below(230 * 86_400 * 1_000_000) as i64)
            };
            let created = merged
                - Duration::seconds(rng.below(10 * 86_400) as i64)
                - Duration::microseconds(rng.below(1_000_000) as i64);
            let picked = *rng.pick(AUTHORS);
            let author = (rng.below(20) != 0).then_some(picked);
            let mut pr = generated_pr(i, merged, created, author);
            if rng.below(10) == 0 {
                pr.merged_at = None;
                pr.merge_commit_sha = None;
            }
            pr
        })
        .collect()
}

/// Generated PR number `i + 1`, merged (and closed) at `merged`.
fn generated_pr(
    i: usize,
    merged: DateTime<Utc>,
    created: DateTime<Utc>,
    author: Option<(&str, &str)>,
) -> PullRequest {
    PullRequest {
        repository: format!("acme/repo-{}", i % 3),
        number: i as i64 + 1,
        github_id: 10_000 + i as i64,
        title: format!("Generated {i}"),
        state: "closed".into(),
        draft: false,
        author: author.map(|(login, user_type)| PrUser {
            login: login.into(),
            id: i as i64,
            user_type: user_type.into(),
        }),
        created_at: created,
        updated_at: merged + Duration::minutes(1),
        closed_at: Some(merged),
        merged_at: Some(merged),
        merge_commit_sha: Some(format!("{i:040x}")),
        base_ref: "main".into(),
        head_ref: None,
        html_url: None,
    }
}
