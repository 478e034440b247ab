//! Pull request upserts and the collector's page commits, on both backends.

mod common;

use common::{Backend, TestStore, at, config, merged_pr};
use domain::PrUser;
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

on_both_backends! {
    async fn upserting_the_same_pr_twice_keeps_one_row_and_rewrites_nothing(t) {
        let prs = [
            merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z"),
            merged_pr(2, Some("alice"), "2026-02-02T00:00:00Z"),
        ];
        assert_eq!(
            t.upsert_pull_requests(&prs).await.expect("first"),
            counts(2, 0, 0)
        );
        let before = t.snapshot().await;

        let second = t.upsert_pull_requests(&prs).await.expect("second");

        assert_eq!(second, counts(0, 0, 2));
        assert_eq!(t.snapshot().await, before);
        assert_eq!(t.scalar::<i64>("SELECT count(*) FROM pull_requests").await, 2);
    }

    async fn changed_fields_are_updated_and_counted(t) {
        t.sync_teams(&config(TEAMS)).await.expect("sync");
        let open = {
            let mut pr = merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z");
            (pr.state, pr.merged_at, pr.closed_at) = ("open".into(), None, None);
            pr
        };
        t.upsert_pull_requests(std::slice::from_ref(&open))
            .await
            .expect("open");
        assert!(t.stored_attributions().await.is_empty());
        let merged = merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z");
        let mut renamed = merged_pr(2, Some("alice"), "2026-02-02T00:00:00Z");

        let result = t
            .upsert_pull_requests(&[merged.clone(), renamed.clone()])
            .await
            .expect("merge");
        renamed.title = "Renamed".into();
        renamed.updated_at += chrono::Duration::minutes(1);
        let rename = t
            .upsert_pull_requests(&[merged, renamed])
            .await
            .expect("rename");

        assert_eq!(result, counts(1, 1, 0));
        assert_eq!(rename, counts(0, 1, 1));
        let rows: Vec<(i64, String, String, bool)> = t
            .rows(
                "SELECT number, state, title, first_seen_at <= last_changed_at
                 FROM pull_requests ORDER BY number",
            )
            .await;
        assert_eq!(
            rows,
            [
                (1, "closed".into(), "PR 1".into(), true),
                (2, "closed".into(), "Renamed".into(), true)
            ]
        );
        assert_eq!(t.stored_attributions().await.len(), 2);
    }

    async fn a_stale_copy_never_overwrites_a_newer_one(t) {
        let newer = merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z");
        let mut stale = newer.clone();
        stale.title = "old title".into();
        stale.updated_at -= chrono::Duration::days(1);
        t.upsert_pull_requests(&[newer]).await.expect("newer");

        let result = t.upsert_pull_requests(&[stale]).await.expect("stale");

        assert_eq!(result, counts(0, 0, 1));
        let title: String = t.scalar("SELECT title FROM pull_requests").await;
        assert_eq!(title, "PR 1");
    }

    async fn a_pr_given_twice_in_one_batch_is_stored_once_from_its_latest_copy(t) {
        let older = merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z");
        let mut newer = older.clone();
        newer.title = "newer".into();
        newer.updated_at += chrono::Duration::hours(1);

        let result = t
            .upsert_pull_requests(&[newer, older])
            .await
            .expect("upsert");

        assert_eq!(result, counts(1, 0, 0));
        let title: String = t.scalar("SELECT title FROM pull_requests").await;
        assert_eq!(title, "newer");
    }

    async fn deleted_account_and_unmerged_prs_are_stored_and_attributed_to_nobody(t) {
        t.sync_teams(&config(TEAMS)).await.expect("sync");
        let ghost = merged_pr(1, None, "2026-02-01T00:00:00Z");
        let mut unmerged = merged_pr(2, Some("alice"), "2026-02-01T00:00:00Z");
        unmerged.merged_at = None;

        let result = t
            .upsert_pull_requests(&[ghost, unmerged])
            .await
            .expect("upsert");

        assert_eq!(result, counts(2, 0, 0));
        let authors: Vec<(Option<String>,)> = t
            .rows("SELECT author_login FROM pull_requests ORDER BY number")
            .await;
        assert_eq!(authors, [(None,), (Some("alice".into()),)]);
        assert!(t.stored_attributions().await.is_empty());
    }

    async fn bot_prs_count_only_for_teams_that_include_bots(t) {
        t.sync_teams(&config(TEAMS)).await.expect("sync");
        let by = |n, login: &str, user_type: &str| {
            let mut pr = merged_pr(n, Some(login), "2026-02-01T00:00:00Z");
            pr.author = Some(PrUser {
                login: login.into(),
                id: n,
                user_type: user_type.into(),
            });
            pr
        };

        t.upsert_pull_requests(&[
            by(1, "Dependabot[BOT]", "Bot"),
            by(2, "renovate[bot]", "User"),
            by(3, "robot", "Bot"),
            by(4, "robot", "User"),
        ])
        .await
        .expect("upsert");

        let teams: Vec<(i64, String)> = t
            .stored_attributions()
            .await
            .into_iter()
            .map(|(_, n, team, _, _)| (n, team))
            .collect();
        assert_eq!(teams, [(1, "tools".into()), (4, "platform".into())]);
    }

    async fn nanosecond_pr_instants_are_stored_floored_to_the_microsecond(t) {
        t.sync_teams(&config(
            r#"{"teams":[{"id":"old","members":[{"github":"ada","joined_at":"1960-01-01"}]}]}"#,
        ))
        .await
        .expect("sync");
        let mut pr = merged_pr(1, Some("ada"), "1999-12-31T23:59:59.999999999Z");
        pr.created_at = at("1969-12-31T23:59:59.000000500Z");
        pr.updated_at = at("2000-01-01T00:00:00.000000999Z");

        t.upsert_pull_requests(std::slice::from_ref(&pr)).await.expect("upsert");

        let attributed = t
            .attributed_prs("old", at("1999-12-31T00:00:00Z"), at("2000-01-01T00:00:00Z"))
            .await
            .expect("read");
        let merged = at("1999-12-31T23:59:59.999999Z");
        assert_eq!(attributed.len(), 1, "{attributed:?}");
        assert_eq!(attributed[0].merged_at, merged);
        assert_eq!(
            attributed[0].cycle_time_hours,
            domain::cycle_time_hours(at("1969-12-31T23:59:59Z"), merged)
        );
        // The same PR again is the same row: nothing to update.
        assert_eq!(
            t.upsert_pull_requests(&[pr]).await.expect("again"),
            counts(0, 0, 1)
        );
    }

    async fn commit_page_writes_prs_and_sync_state_together(t) {
        t.sync_teams(&config(TEAMS)).await.expect("sync");
        assert_eq!(t.repo_sync_state("acme/app").await.expect("read"), None);
        let page = [merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z")];
        let first = state("acme/app", "2026-02-01T00:00:00Z", Some("\"etag-1\""));

        let result = t.commit_page(&page, &first).await.expect("commit");

        assert_eq!(result, counts(1, 0, 0));
        assert_eq!(
            t.repo_sync_state("acme/app").await.expect("read"),
            Some(first.clone())
        );
        assert_eq!(t.stored_attributions().await.len(), 1);
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
        t.commit_page(&[], &interrupted).await.expect("interrupted");
        assert_eq!(
            t.repo_sync_state("acme/app").await.expect("read"),
            Some(interrupted)
        );
        let next = RepoSyncState {
            reach: SyncReach::All,
            ..state("acme/app", "2026-02-05T00:00:00Z", None)
        };
        t.commit_page(&[], &next).await.expect("empty page");
        assert_eq!(
            t.repo_sync_state("acme/app").await.expect("read"),
            Some(next)
        );
    }

    async fn a_page_whose_sync_state_write_fails_stores_none_of_its_prs(t) {
        // The state write is made to fail after the PRs were upserted, by a trigger.
        t.execute(t.sql(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql
                 AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
             CREATE TRIGGER refuse BEFORE INSERT ON repo_sync_state
                 FOR EACH ROW EXECUTE FUNCTION refuse();",
            "CREATE TRIGGER refuse BEFORE INSERT ON repo_sync_state
                 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
        ))
        .await
        .expect("install the trigger");
        let before = t.snapshot().await;
        let page = [merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z")];

        let result = t
            .commit_page(&page, &state("acme/app", "2026-02-01T00:00:00Z", None))
            .await;

        t.assert_failed_while(&result, "recording the repository sync state");
        assert_eq!(t.scalar::<i64>("SELECT count(*) FROM pull_requests").await, 0);
        assert_eq!(t.snapshot().await, before);
    }
}

#[tokio::test]
async fn a_page_whose_sync_state_cannot_be_written_stores_none_of_its_prs() {
    let t = TestStore::migrated(Backend::Postgres).await;
    let page = [merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z")];
    // PostgreSQL text cannot hold NUL: the state write fails after the PRs were upserted.
    // (SQLite text can; the test above breaks the write on both backends.)
    let broken = state("acme/\0app", "2026-02-01T00:00:00Z", None);

    let result = t.commit_page(&page, &broken).await;

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
    assert_eq!(
        t.scalar::<i64>("SELECT count(*) FROM pull_requests").await,
        0
    );
}
