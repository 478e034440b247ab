//! Team config sync: writes only what changed, is idempotent, recomputes attributions of the
//! affected logins, and writes nothing when it fails.

mod common;

use common::{at, config, dump_all, merged_pr, stored_attributions};
use domain::{Membership, TeamId};
use store::StoreError;
use store::testing::TestDatabase;

const PLATFORM_AND_MOBILE: &str = r#"{"teams":[
    {"id":"platform","name":"Platform","description":"infra","members":[
        {"github":"Alice","weight":0.5,"joined_at":"2026-01-01","left_at":"2026-03-01"},
        {"github":"alice","weight":1.0,"joined_at":"2026-03-01"},
        {"github":"bob","joined_at":"2025-06-01"}]},
    {"id":"mobile","members":[
        {"github":"alice","weight":0.5,"joined_at":"2026-01-01","left_at":"2026-03-01"},
        {"github":"carol","joined_at":"2025-01-01T12:30:00.123456Z"}]}]}"#;

#[tokio::test]
async fn synced_config_reads_back_equal() {
    let (_db, store) = TestDatabase::migrated_store().await;
    let desired = config(PLATFORM_AND_MOBILE);

    let changes = store.sync_teams(&desired).await.expect("sync");

    assert_eq!(changes.teams_added, ["mobile", "platform"]);
    assert_eq!(changes.members_added.len(), 5);
    assert_eq!(store.load_team_config().await.expect("load"), desired);
}

#[tokio::test]
async fn syncing_the_same_config_twice_changes_nothing_the_second_time() {
    let (db, store) = TestDatabase::migrated_store().await;
    let desired = config(PLATFORM_AND_MOBILE);
    store.sync_teams(&desired).await.expect("first sync");
    store
        .upsert_pull_requests(&[merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z")])
        .await
        .expect("upsert");
    let client = db.client().await;
    let before = dump_all(&client).await;

    let changes = store.sync_teams(&desired).await.expect("second sync");

    assert!(changes.is_empty(), "{changes:?}");
    assert_eq!(dump_all(&client).await, before);
}

#[tokio::test]
async fn a_config_the_database_refuses_leaves_every_table_unchanged() {
    let (db, store) = TestDatabase::migrated_store().await;
    store
        .sync_teams(&config(PLATFORM_AND_MOBILE))
        .await
        .expect("sync");
    store
        .upsert_pull_requests(&[merged_pr(1, Some("bob"), "2026-02-01T00:00:00Z")])
        .await
        .expect("upsert");
    let client = db.client().await;
    let before = dump_all(&client).await;
    // Built by hand, bypassing domain validation: a new team (written first) and a member whose
    // spans overlap (refused by the EXCLUDE constraint, written later).
    let mut bad = config(PLATFORM_AND_MOBILE);
    bad.teams.push(domain::Team {
        id: TeamId::new_unchecked("web"),
        name: "Web".into(),
        description: None,
        include_bots: false,
        members: vec![],
    });
    let overlapping = Membership {
        login: "bob".into(),
        weight: 1.0,
        joined_at: at("2025-07-01T00:00:00Z"),
        left_at: None,
    };
    bad.teams[1].members.push(overlapping);

    let result = store.sync_teams(&bad).await;

    assert!(
        matches!(
            result,
            Err(StoreError::Query {
                what: "adding memberships",
                ..
            })
        ),
        "{result:?}"
    );
    assert_eq!(dump_all(&client).await, before);
}

#[tokio::test]
async fn a_membership_edit_recomputes_historic_attributions() {
    let (db, store) = TestDatabase::migrated_store().await;
    store
        .sync_teams(&config(PLATFORM_AND_MOBILE))
        .await
        .expect("sync");
    store
        .upsert_pull_requests(&[
            merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z"),
            merged_pr(2, Some("alice"), "2026-03-15T00:00:00Z"),
            merged_pr(3, Some("bob"), "2025-07-01T00:00:00Z"),
        ])
        .await
        .expect("upsert");
    let client = db.client().await;
    let row =
        |n: i64, team: &str, weight: f64| ("acme/app".to_owned(), n, team.to_owned(), weight, 5.0);
    assert_eq!(
        stored_attributions(&client).await,
        [
            row(1, "mobile", 0.5),
            row(1, "platform", 0.5),
            row(2, "platform", 1.0),
            row(3, "platform", 1.0)
        ]
    );
    // Alice's first platform span now weighs 0.25 and ends a month earlier; bob joined later.
    let edited = config(
        &PLATFORM_AND_MOBILE
            .replace(
                r#""weight":0.5,"joined_at":"2026-01-01","left_at":"2026-03-01"},
        {"github":"alice""#,
                r#""weight":0.25,"joined_at":"2026-01-01","left_at":"2026-03-01"},
        {"github":"alice""#,
            )
            .replace("2025-06-01", "2025-08-01"),
    );

    let changes = store.sync_teams(&edited).await.expect("sync edit");

    assert_eq!(changes.members_changed.len(), 1);
    assert_eq!(changes.members_added.len(), 1);
    assert_eq!(changes.members_removed.len(), 1);
    assert_eq!(
        stored_attributions(&client).await,
        [
            row(1, "mobile", 0.5),
            row(1, "platform", 0.25),
            row(2, "platform", 1.0)
        ]
    );
}

#[tokio::test]
async fn a_team_removed_from_the_config_disappears_with_its_memberships_and_attributions() {
    let (db, store) = TestDatabase::migrated_store().await;
    store
        .sync_teams(&config(PLATFORM_AND_MOBILE))
        .await
        .expect("sync");
    store
        .upsert_pull_requests(&[
            merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z"),
            merged_pr(2, Some("carol"), "2026-02-01T00:00:00Z"),
        ])
        .await
        .expect("upsert");
    let mut without_mobile = config(PLATFORM_AND_MOBILE);
    without_mobile.teams.retain(|t| t.id.as_str() != "mobile");

    let changes = store.sync_teams(&without_mobile).await.expect("sync");

    assert_eq!(changes.teams_removed, ["mobile"]);
    assert!(!store.team_exists("mobile").await.expect("exists"));
    assert!(store.team_exists("platform").await.expect("exists"));
    let client = db.client().await;
    let count = |table: &'static str| {
        let client = &client;
        async move {
            let sql = format!("SELECT count(*) FROM {table} WHERE team_id = 'mobile'");
            client
                .query_one(&sql, &[])
                .await
                .expect("count")
                .get::<_, i64>(0)
        }
    };
    assert_eq!(count("team_memberships").await, 0);
    assert_eq!(count("pr_attributions").await, 0);
    assert_eq!(
        stored_attributions(&client).await,
        [("acme/app".to_owned(), 1, "platform".to_owned(), 0.5, 5.0)]
    );
    assert_eq!(
        store.load_team_config().await.expect("load"),
        without_mobile
    );
}

#[tokio::test]
async fn team_settings_changes_are_written_and_reported() {
    let (_db, store) = TestDatabase::migrated_store().await;
    store
        .sync_teams(&config(PLATFORM_AND_MOBILE))
        .await
        .expect("sync");
    let renamed = config(&PLATFORM_AND_MOBILE.replace(r#""name":"Platform""#, r#""name":"Infra""#));

    let changes = store.sync_teams(&renamed).await.expect("sync");

    assert_eq!(changes.teams_changed, ["platform"]);
    assert_eq!(store.load_team_config().await.expect("load"), renamed);
}

#[tokio::test]
async fn teams_with_members_at_lists_only_memberships_active_then() {
    let (_db, store) = TestDatabase::migrated_store().await;
    store
        .sync_teams(&config(PLATFORM_AND_MOBILE))
        .await
        .expect("sync");

    let teams = store
        .teams_with_members_at(at("2026-03-01T00:00:00Z"))
        .await
        .expect("teams");

    let summary: Vec<(String, Vec<(String, f64)>)> = teams
        .iter()
        .map(|t| {
            (
                t.id.clone(),
                t.members
                    .iter()
                    .map(|m| (m.login.clone(), m.weight))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("mobile".to_owned(), vec![("carol".to_owned(), 1.0)]),
            (
                "platform".to_owned(),
                vec![("alice".to_owned(), 1.0), ("bob".to_owned(), 1.0)]
            ),
        ]
    );
    assert_eq!(teams[1].name, "Platform");
    assert_eq!(teams[1].description.as_deref(), Some("infra"));
}

#[tokio::test]
async fn nanosecond_instants_sync_idempotently() {
    let (_db, store) = TestDatabase::migrated_store().await;
    let precise = config(
        r#"{"teams":[{"id":"a","members":[{"github":"x","joined_at":"2026-01-01T00:00:00.123456789Z"}]}]}"#,
    );
    store.sync_teams(&precise).await.expect("first");

    assert!(store.sync_teams(&precise).await.expect("second").is_empty());
}
