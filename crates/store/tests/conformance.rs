//! The conformance suite: the same scenarios run against PostgreSQL (a fresh database) and
//! SQLite (a temp file), and every public `Store` call must return the same thing on both —
//! counts, configs, members, sync states and attributed PRs down to the last bit of each float.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{at, config, domain_attributions, generated, merged_pr};
use store::testing::TestDatabase;
use store::{RepoSyncState, ResumePoint, Store, SyncReach};

/// A store on a fresh SQLite file in `dir`, migrated.
async fn sqlite_store(dir: &tempfile::TempDir) -> Store {
    let url = format!("sqlite://{}", dir.path().join("conformance.db").display());
    let store = Store::connect(&url, 1).await.expect("open SQLite");
    assert!(store.is_sqlite());
    store.migrate().await.expect("migrate SQLite");
    store
}

/// Ranges the metrics read: whole history, a quarter, a boundary-straddling week, empty,
/// around 1970, and bounds with nanoseconds just after a PR merged a nanosecond before 2000
/// (bounds are rounded up to the microsecond: the PR, floored to .999999, is not in it).
fn ranges() -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    vec![
        (at("1960-01-01T00:00:00Z"), at("2030-01-01T00:00:00Z")),
        (at("1969-11-24T00:00:00Z"), at("1970-01-05T00:00:00Z")),
        (
            at("1999-12-31T23:59:59.9999995Z"),
            at("2000-01-02T00:00:00.0000005Z"),
        ),
        (
            at("1999-12-31T00:00:00.0000005Z"),
            at("1999-12-31T23:59:59.9999995Z"),
        ),
        (at("2020-01-01T00:00:00Z"), at("2030-01-01T00:00:00Z")),
        (at("2025-01-01T00:00:00Z"), at("2025-04-01T00:00:00Z")),
        (at("2025-02-28T12:00:00Z"), at("2025-03-07T00:00:00Z")),
        (at("2025-03-01T00:00:00Z"), at("2025-03-01T00:00:00Z")),
    ]
}

/// Everything a client of the store can observe after each step of the scenario, as text
/// (`{:?}` prints floats exactly, so equal text means equal bits).
async fn transcript(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    let mut record = |step: &str, value: String| out.push(format!("{step}: {value}"));
    let original = config(generated::CONFIG);
    let prs = generated::pull_requests(300, 7);

    record(
        "migrate again",
        format!("{:?}", store.migrate().await.expect("migrate")),
    );
    record(
        "sync",
        format!("{:?}", store.sync_teams(&original).await.expect("sync")),
    );
    record(
        "sync again",
        format!("{:?}", store.sync_teams(&original).await.expect("sync")),
    );
    for (i, batch) in prs.chunks(120).enumerate() {
        let counts = store.upsert_pull_requests(batch).await.expect("upsert");
        record(&format!("upsert batch {i}"), format!("{counts:?}"));
    }
    record(
        "upsert all again",
        format!(
            "{:?}",
            store.upsert_pull_requests(&prs).await.expect("upsert")
        ),
    );
    let mut older = prs[0].clone();
    older.title = "stale copy".into();
    older.updated_at -= Duration::days(400);
    let mut newer = prs[1].clone();
    newer.title = "edited".into();
    newer.updated_at += Duration::minutes(1);
    record(
        "upsert stale and edited",
        format!(
            "{:?}",
            store
                .upsert_pull_requests(&[older, newer])
                .await
                .expect("upsert")
        ),
    );
    // Nanosecond instants before 2000 (and 1970), where PostgreSQL's driver would round up and
    // SQLite down: the store floors them first, so both keep .999999.
    let mut precise = merged_pr(9_000, Some("bob"), "1999-12-31T23:59:59.999999999Z");
    precise.created_at = at("1969-12-31T23:59:59.000000500Z");
    precise.updated_at = at("1999-12-31T23:59:59.999999999Z");
    record(
        "upsert nanosecond PR before 2000",
        format!(
            "{:?}",
            store
                .upsert_pull_requests(std::slice::from_ref(&precise))
                .await
                .expect("upsert")
        ),
    );
    record(
        "upsert nanosecond PR again",
        format!(
            "{:?}",
            store
                .upsert_pull_requests(&[precise])
                .await
                .expect("upsert")
        ),
    );
    record_reads(store, &mut record, "after load").await;

    let edited = config(&generated::edited_config());
    record(
        "sync edit",
        format!("{:?}", store.sync_teams(&edited).await.expect("sync")),
    );
    record(
        "full recompute",
        format!(
            "{:?}",
            store.recompute_attributions(None).await.expect("recompute")
        ),
    );
    let logins = ["alice".to_owned(), "Carol".to_owned()];
    record(
        "login recompute",
        format!(
            "{:?}",
            store
                .recompute_attributions(Some(&logins))
                .await
                .expect("recompute")
        ),
    );
    record_reads(store, &mut record, "after edit").await;

    // A team removed (with its memberships and attributions), a bot setting flipped.
    let mut reduced = edited.clone();
    reduced.teams.retain(|t| t.id.as_str() != "tools");
    for team in &mut reduced.teams {
        if team.id.as_str() == "platform" {
            team.include_bots = !team.include_bots;
        }
    }
    record(
        "sync removal",
        format!("{:?}", store.sync_teams(&reduced).await.expect("sync")),
    );
    record(
        "full recompute after removal",
        format!(
            "{:?}",
            store.recompute_attributions(None).await.expect("recompute")
        ),
    );
    record_reads(store, &mut record, "after removal").await;
    record(
        "sync back",
        format!("{:?}", store.sync_teams(&edited).await.expect("sync")),
    );

    let state = RepoSyncState {
        repository: "acme/app".into(),
        watermark: Some(at("2025-05-01T10:00:00Z")),
        etag: Some("W/\"abc\"".into()),
        reach: SyncReach::Since(at("2024-05-01T00:00:00.5Z")),
        resume: Some(ResumePoint {
            page_url: Some("https://api.github.com/repos/acme/app/pulls?page=2".into()),
            next_url: "https://api.github.com/repos/acme/app/pulls?page=3".into(),
            floor: None,
            target_watermark: at("2025-06-01T00:00:00Z"),
            target_etag: None,
        }),
        updated_at: at("2025-06-02T03:04:05.123456Z"),
    };
    let page = [merged_pr(9_001, Some("bob"), "2025-05-20T09:00:00Z")];
    record(
        "commit page",
        format!(
            "{:?}",
            store.commit_page(&page, &state).await.expect("commit page")
        ),
    );
    record(
        "sync state",
        format!(
            "{:?}",
            store.repo_sync_state("acme/app").await.expect("state")
        ),
    );
    for reach in [SyncReach::All, SyncReach::Nothing] {
        let finished = RepoSyncState {
            reach,
            resume: None,
            ..state.clone()
        };
        store.commit_page(&[], &finished).await.expect("commit");
        record(
            &format!("sync state reaching {reach:?}"),
            format!(
                "{:?}",
                store.repo_sync_state("acme/app").await.expect("state")
            ),
        );
    }
    record(
        "unknown sync state",
        format!(
            "{:?}",
            store.repo_sync_state("acme/none").await.expect("state")
        ),
    );
    let precise_state = RepoSyncState {
        repository: "acme/old".into(),
        watermark: Some(at("1999-12-31T23:59:59.999999999Z")),
        etag: None,
        reach: SyncReach::Since(at("1969-12-31T23:59:59.9999995Z")),
        resume: Some(ResumePoint {
            page_url: Some("https://api.github.com/repos/acme/old/pulls?page=1".into()),
            next_url: "https://api.github.com/repos/acme/old/pulls?page=2".into(),
            floor: Some(at("1969-12-31T23:59:59.9999995Z")),
            target_watermark: at("2000-01-01T00:00:00.0000005Z"),
            target_etag: Some("\"old\"".into()),
        }),
        updated_at: at("1999-06-01T00:00:00.000000001Z"),
    };
    record(
        "commit nanosecond state",
        format!(
            "{:?}",
            store
                .commit_page(&[], &precise_state)
                .await
                .expect("commit page")
        ),
    );
    record(
        "nanosecond sync state",
        format!(
            "{:?}",
            store.repo_sync_state("acme/old").await.expect("state")
        ),
    );
    record_reads(store, &mut record, "after page").await;
    out
}

/// The reads the API makes, for every team and range.
async fn record_reads(store: &Store, record: &mut impl FnMut(&str, String), when: &str) {
    let config = store.load_team_config().await.expect("load config");
    record(&format!("{when} config"), format!("{config:?}"));
    for instant in [
        "2025-02-15T00:00:00Z",
        "2025-04-20T04:00:00Z",
        "2026-01-01T00:00:00Z",
        // A nanosecond before bob joins (1969-06-01) and a nanosecond before carol leaves
        // (1970-01-10): instants are floored, so bob is not yet a member and carol still is.
        "1969-05-31T23:59:59.999999999Z",
        "1970-01-09T23:59:59.999999999Z",
    ] {
        let teams = store
            .teams_with_members_at(at(instant))
            .await
            .expect("teams");
        record(&format!("{when} teams at {instant}"), format!("{teams:?}"));
    }
    for team in ["platform", "mobile", "tools", "data-eng", "nobody"] {
        let exists = store.team_exists(team).await.expect("exists");
        record(&format!("{when} {team} exists"), format!("{exists}"));
        for (start, end) in ranges() {
            let mut prs = store.attributed_prs(team, start, end).await.expect("prs");
            // Ties on merged_at come back in an unspecified order on PostgreSQL.
            prs.sort_by(|a, b| {
                (
                    a.merged_at,
                    a.weight.to_bits(),
                    a.cycle_time_hours.to_bits(),
                )
                    .cmp(&(
                        b.merged_at,
                        b.weight.to_bits(),
                        b.cycle_time_hours.to_bits(),
                    ))
            });
            record(
                &format!("{when} {team} prs {start}..{end}"),
                format!("{prs:?}"),
            );
        }
    }
}

#[tokio::test]
async fn both_backends_give_identical_results_for_the_same_calls() {
    let (_db, postgres) = TestDatabase::migrated_store().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = sqlite_store(&dir).await;

    let expected = transcript(&postgres).await;
    let actual = transcript(&sqlite).await;

    assert!(
        expected.iter().any(|line| line.contains("AttributedPr"))
            && expected
                .iter()
                .any(|line| line.contains("teams_removed: [\"tools\"]")),
        "the scenario should attribute PRs and remove a team"
    );
    assert!(
        expected
            .iter()
            .any(|line| line.contains("merged_at: 1999-12-31T23:59:59.999999Z")),
        "the nanosecond PR before 2000 should be attributed, floored"
    );
    assert_eq!(expected.len(), actual.len());
    for (pg, lite) in expected.iter().zip(&actual) {
        assert_eq!(pg, lite, "PostgreSQL and SQLite differ");
    }
}

#[tokio::test]
async fn sqlite_attributions_agree_with_the_domain_rule() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = sqlite_store(&dir).await;
    let original = config(generated::CONFIG);
    let prs = generated::pull_requests(400, 42);
    store.sync_teams(&original).await.expect("sync");
    store.upsert_pull_requests(&prs).await.expect("upsert");

    let expected = domain_attributions(&prs, &original);
    let mut total = 0;
    for team in &original.teams {
        let stored = store
            .attributed_prs(
                team.id.as_str(),
                at("1900-01-01T00:00:00Z"),
                at("2100-01-01T00:00:00Z"),
            )
            .await
            .expect("prs");
        let expected_for_team = expected
            .iter()
            .filter(|row| row.2 == team.id.as_str())
            .count();
        assert_eq!(stored.len(), expected_for_team, "team {}", team.id);
        total += stored.len();
    }
    assert_eq!(total, expected.len());
}

#[tokio::test]
async fn sqlite_migrations_apply_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("m.db").display());
    let store = Store::connect(&url, 1).await.expect("open");
    assert_eq!(
        store.migrate().await.expect("first"),
        [
            "0001_schema",
            "0002_constraints",
            "0003_views_floor",
            "0004_sync_reach",
            "0005_views_portable"
        ]
    );
    assert!(store.migrate().await.expect("second").is_empty());
    let reopened = Store::connect(&url, 1).await.expect("reopen");
    assert!(reopened.migrate().await.expect("third").is_empty());
    assert_eq!(
        reopened.target(),
        format!("sqlite:{}", dir.path().join("m.db").display())
    );
}

#[tokio::test]
async fn an_unknown_database_url_scheme_is_refused_naming_database_url() {
    let error = Store::connect("mysql://localhost/db", 1)
        .await
        .expect_err("refused");
    assert!(matches!(error, store::StoreError::UnsupportedDatabaseUrl));
    assert!(error.to_string().contains("DATABASE_URL"), "{error}");
}

#[tokio::test]
async fn two_handles_on_one_sqlite_file_see_each_others_writes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let writer = sqlite_store(&dir).await;
    let url = format!("sqlite://{}", dir.path().join("conformance.db").display());
    let reader = Store::connect(&url, 1).await.expect("second handle");
    writer
        .sync_teams(&config(generated::CONFIG))
        .await
        .expect("sync");
    writer
        .upsert_pull_requests(&[merged_pr(1, Some("bob"), "2025-05-20T09:00:00Z")])
        .await
        .expect("upsert");

    assert!(reader.team_exists("platform").await.expect("exists"));
    let prs = reader
        .attributed_prs(
            "platform",
            at("2025-05-01T00:00:00Z"),
            at("2025-06-01T00:00:00Z"),
        )
        .await
        .expect("prs");
    assert_eq!(prs.len(), 1);
    assert_eq!(prs[0].cycle_time_hours, 5.0);
}

#[tokio::test]
async fn libpq_key_value_strings_still_select_postgresql() {
    let db = TestDatabase::create().await;
    let url = url_to_key_value(&db);
    let store = Store::connect(&url, 1).await.expect("key=value connects");
    assert!(!store.is_sqlite());
}

/// `host=… port=… user=… dbname=…` for a test database.
fn url_to_key_value(db: &TestDatabase) -> String {
    let url = url::Url::parse(&db.url).expect("test database URL");
    format!(
        "host={} port={} user={} dbname={}",
        url.host_str().unwrap_or("127.0.0.1"),
        url.port().unwrap_or(5432),
        url.username(),
        db.name
    )
}
