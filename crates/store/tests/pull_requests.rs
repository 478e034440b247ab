//! Pull request upserts and the collector's page commits.

mod common;

use common::{at, config, dump_all, merged_pr, stored_attributions};
use domain::PrUser;
use store::testing::TestDatabase;
use store::{RepoSyncState, ResumePoint, StoreError, SyncReach, UpsertCounts};

const TEAMS: &str = r#"{"teams":[
    {"id":"platform","members":[
        {"github":"alice","joined_at":"2026-01-01"},
        {"github":"renovate[bot]","joined_at":"2026-01-01"},
        {"github":"robot","joined_at":"2026-01-01"}]},
    {"id":"tools","include_bots":true,"members":[
        {"github":"dependabot[bot]","joined_at":"2026-01-01"}]}]}"#;

fn counts(inserted: u64, updated: u64, unchanged: u64) -> UpsertCounts {
    UpsertCounts {
        inserted,
        updated,
        unchanged,
    }
}

#[tokio::test]
async fn upserting_the_same_pr_twice_keeps_one_row_and_rewrites_nothing() {
    let (db, store) = TestDatabase::migrated_store().await;
    let prs = [
        merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z"),
        merged_pr(2, Some("alice"), "2026-02-02T00:00:00Z"),
    ];
    assert_eq!(
        store.upsert_pull_requests(&prs).await.expect("first"),
        counts(2, 0, 0)
    );
    let client = db.client().await;
    let before = dump_all(&client).await;

    let second = store.upsert_pull_requests(&prs).await.expect("second");

    assert_eq!(second, counts(0, 0, 2));
    assert_eq!(dump_all(&client).await, before);
}

#[tokio::test]
async fn changed_fields_are_updated_and_counted() {
    let (db, store) = TestDatabase::migrated_store().await;
    store.sync_teams(&config(TEAMS)).await.expect("sync");
    let open = {
        let mut pr = merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z");
        (pr.state, pr.merged_at, pr.closed_at) = ("open".into(), None, None);
        pr
    };
    store
        .upsert_pull_requests(std::slice::from_ref(&open))
        .await
        .expect("open");
    let client = db.client().await;
    assert!(stored_attributions(&client).await.is_empty());
    let merged = merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z");
    let mut renamed = merged_pr(2, Some("alice"), "2026-02-02T00:00:00Z");

    let result = store
        .upsert_pull_requests(&[merged.clone(), renamed.clone()])
        .await
        .expect("merge");
    renamed.title = "Renamed".into();
    renamed.updated_at += chrono::Duration::minutes(1);
    let rename = store
        .upsert_pull_requests(&[merged, renamed])
        .await
        .expect("rename");

    assert_eq!(result, counts(1, 1, 0));
    assert_eq!(rename, counts(0, 1, 1));
    let rows = client
        .query(
            "SELECT number, state, title, first_seen_at <= last_changed_at FROM pull_requests ORDER BY number",
            &[],
        )
        .await
        .expect("read");
    let rows: Vec<(i64, String, String, bool)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    assert_eq!(
        rows,
        [
            (1, "closed".into(), "PR 1".into(), true),
            (2, "closed".into(), "Renamed".into(), true)
        ]
    );
    assert_eq!(stored_attributions(&client).await.len(), 2);
}

#[tokio::test]
async fn a_stale_copy_never_overwrites_a_newer_one() {
    let (db, store) = TestDatabase::migrated_store().await;
    let newer = merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z");
    let mut stale = newer.clone();
    stale.title = "old title".into();
    stale.updated_at -= chrono::Duration::days(1);
    store.upsert_pull_requests(&[newer]).await.expect("newer");

    let result = store.upsert_pull_requests(&[stale]).await.expect("stale");

    assert_eq!(result, counts(0, 0, 1));
    let title: String = db
        .client()
        .await
        .query_one("SELECT title FROM pull_requests", &[])
        .await
        .expect("read")
        .get(0);
    assert_eq!(title, "PR 1");
}

#[tokio::test]
async fn a_pr_given_twice_in_one_batch_is_stored_once_from_its_latest_copy() {
    let (db, store) = TestDatabase::migrated_store().await;
    let older = merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z");
    let mut newer = older.clone();
    newer.title = "newer".into();
    newer.updated_at += chrono::Duration::hours(1);

    let result = store
        .upsert_pull_requests(&[newer, older])
        .await
        .expect("upsert");

    assert_eq!(result, counts(1, 0, 0));
    let title: String = db
        .client()
        .await
        .query_one("SELECT title FROM pull_requests", &[])
        .await
        .expect("read")
        .get(0);
    assert_eq!(title, "newer");
}

#[tokio::test]
async fn deleted_account_and_unmerged_prs_are_stored_and_attributed_to_nobody() {
    let (db, store) = TestDatabase::migrated_store().await;
    store.sync_teams(&config(TEAMS)).await.expect("sync");
    let ghost = merged_pr(1, None, "2026-02-01T00:00:00Z");
    let mut unmerged = merged_pr(2, Some("alice"), "2026-02-01T00:00:00Z");
    unmerged.merged_at = None;

    let result = store
        .upsert_pull_requests(&[ghost, unmerged])
        .await
        .expect("upsert");

    assert_eq!(result, counts(2, 0, 0));
    let client = db.client().await;
    let authors: Vec<Option<String>> = client
        .query(
            "SELECT author_login FROM pull_requests ORDER BY number",
            &[],
        )
        .await
        .expect("read")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(authors, [None, Some("alice".into())]);
    assert!(stored_attributions(&client).await.is_empty());
}

#[tokio::test]
async fn bot_prs_count_only_for_teams_that_include_bots() {
    let (db, store) = TestDatabase::migrated_store().await;
    store.sync_teams(&config(TEAMS)).await.expect("sync");
    let by = |n, login: &str, user_type: &str| {
        let mut pr = merged_pr(n, Some(login), "2026-02-01T00:00:00Z");
        pr.author = Some(PrUser {
            login: login.into(),
            id: n,
            user_type: user_type.into(),
        });
        pr
    };

    store
        .upsert_pull_requests(&[
            by(1, "Dependabot[BOT]", "Bot"),
            by(2, "renovate[bot]", "User"),
            by(3, "robot", "Bot"),
            by(4, "robot", "User"),
        ])
        .await
        .expect("upsert");

    let teams: Vec<(i64, String)> = stored_attributions(&db.client().await)
        .await
        .into_iter()
        .map(|(_, n, team, _, _)| (n, team))
        .collect();
    assert_eq!(teams, [(1, "tools".into()), (4, "platform".into())]);
}

fn state(repository: &str, watermark: &str, etag: Option<&str>) -> RepoSyncState {
    RepoSyncState {
        repository: repository.into(),
        watermark: Some(at(watermark)),
        etag: etag.map(Into::into),
        reach: SyncReach::Since(at("2025-03-01T00:00:00Z")),
        resume: None,
        updated_at: at("2026-03-01T12:00:00Z"),
    }
}

#[tokio::test]
async fn commit_page_writes_prs_and_sync_state_together() {
    let (db, store) = TestDatabase::migrated_store().await;
    store.sync_teams(&config(TEAMS)).await.expect("sync");
    assert_eq!(store.repo_sync_state("acme/app").await.expect("read"), None);
    let page = [merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z")];
    let first = state("acme/app", "2026-02-01T00:00:00Z", Some("\"etag-1\""));

    let result = store.commit_page(&page, &first).await.expect("commit");

    assert_eq!(result, counts(1, 0, 0));
    assert_eq!(
        store.repo_sync_state("acme/app").await.expect("read"),
        Some(first.clone())
    );
    assert_eq!(stored_attributions(&db.client().await).await.len(), 1);
    let interrupted = RepoSyncState {
        resume: Some(ResumePoint {
            page_url: Some("https://api.github.com/repositories/7/pulls?page=2".into()),
            next_url: "https://api.github.com/repos/acme/app/pulls?page=3".into(),
            floor: Some(at("2026-02-01T00:00:00Z")),
            target_watermark: at("2026-02-05T00:00:00Z"),
            target_etag: Some("\"etag-2\"".into()),
        }),
        ..first.clone()
    };
    store
        .commit_page(&[], &interrupted)
        .await
        .expect("interrupted");
    assert_eq!(
        store.repo_sync_state("acme/app").await.expect("read"),
        Some(interrupted)
    );
    let next = RepoSyncState {
        reach: SyncReach::All,
        ..state("acme/app", "2026-02-05T00:00:00Z", None)
    };
    store.commit_page(&[], &next).await.expect("empty page");
    assert_eq!(
        store.repo_sync_state("acme/app").await.expect("read"),
        Some(next)
    );
}

#[tokio::test]
async fn a_page_whose_sync_state_cannot_be_written_stores_none_of_its_prs() {
    let (db, store) = TestDatabase::migrated_store().await;
    let page = [merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z")];
    // PostgreSQL text cannot hold NUL: the state write fails after the PRs were upserted.
    let broken = state("acme/\0app", "2026-02-01T00:00:00Z", None);

    let result = store.commit_page(&page, &broken).await;

    assert!(
        matches!(
            result,
            Err(StoreError::Query {
                what: "recording the repository sync state",
                ..
            })
        ),
        "{result:?}"
    );
    let client = db.client().await;
    let count: i64 = client
        .query_one("SELECT count(*) FROM pull_requests", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(count, 0);
}
