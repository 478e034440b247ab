//! The collector against what real GitHub sends and the fake now can too (shapes taken from
//! recorded sessions): unusual but valid items, items that cannot be read, impossible data,
//! renamed repositories, weak ETags, header-less rate limits, JSON 5xx bodies, huge bodies and
//! huge `retry-after` values. On both store backends where something is written.

mod support;

use chrono::{Duration, TimeZone, Utc};
use collector::Backfill;
use fake_github::{FakeGithub, FakeGithubConfig, FakePull, FakeUser, Fault};
use std::time::Duration as StdDuration;
use store::testing::{Cell, query};
use support::*;

async fn text_rows(store: &store::Store, sql: &str) -> Vec<Vec<Cell>> {
    query(store, sql).await.expect("query")
}

on_both_backends! {
    async fn unusual_but_valid_items_are_stored(backend) {
        let at = Utc
            .with_ymd_and_hms(2026, 2, 1, 0, 0, 0)
            .single()
            .expect("valid");
        let big = 1_u64 << 31;
        let mut nul = merged(1, at).with_title("Fix\u{0}the\u{0} build");
        nul.id = big + 5;
        let legacy =
            FakePull::merged(2, Some(FakeUser::user("alice", big * 2 + 7)), at, at).with_legacy_shape();
        let legacy_bot = FakePull::merged(3, Some(FakeUser::bot("renovate[bot]", 29139614)), at, at)
            .with_legacy_shape();
        let orphan = merged(4, at).with_null_branch_owners();
        // bob is in no team: whatever the statistics make of it, no team's count changes.
        let mut backwards = FakePull::merged(5, Some(FakeUser::user("bob", 2)), at, at);
        backwards.created_at = at + Duration::days(9);
        let store = &backend.store;
        let fake = fake().await;
        fake.set_pulls(
            REPO,
            vec![
                nul.clone(),
                legacy.clone(),
                legacy_bot.clone(),
                orphan.clone(),
                backwards.clone(),
            ],
        );

        let summary = sync(store, &client(&fake), &settings(Backfill::Full)).await;

        assert!(summary.complete, "{}: {summary:?}", backend.name);
        assert_eq!((summary.prs_upserted, summary.items_skipped), (5, 0));
        assert_eq!(summary.prs_merged_before_created, 1, "{summary:?}");
        let rows = text_rows(
            store,
            "SELECT number, title, author_type, CAST(github_id AS TEXT), CAST(author_id AS TEXT)
               FROM pull_requests ORDER BY number",
        )
        .await;
        let cell = |row: usize, col: usize| rows[row][col].clone();
        assert_eq!(
            cell(0, 1),
            Cell::Text("Fixthe build".into()),
            "{}",
            backend.name
        );
        assert_eq!(cell(0, 3), Cell::Text((big + 5).to_string()));
        assert_eq!(cell(1, 2), Cell::Text("User".into()));
        assert_eq!(cell(1, 4), Cell::Text((big * 2 + 7).to_string()));
        assert_eq!(cell(2, 2), Cell::Text("Bot".into()));
        // alice's three merged PRs count for her team; the bot's does not.
        assert_eq!(stored(store).await, 3, "{}", backend.name);
    }
}

on_both_backends! {
    async fn an_unreadable_item_is_skipped_and_the_next_run_stores_it(backend) {
        let store = &backend.store;
        let fake = fake().await;
        let mut pulls = hourly(150, &[]);
        let original = pulls[119].updated_at;
        // PR 120 says it was updated in the year 9999: impossible, so unreadable.
        pulls[119].updated_at = Utc
            .with_ymd_and_hms(9999, 12, 31, 0, 0, 0)
            .single()
            .expect("valid");
        fake.set_pulls(REPO, pulls);
        let github = client(&fake);

        let first = sync(store, &github, &settings(Backfill::Full)).await;

        assert!(first.complete, "the repository goes on: {first:?}");
        assert_eq!(first.items_skipped, 1, "{first:?}");
        let skipped = first
            .first_skipped_item
            .clone()
            .expect("the first skipped item");
        assert!(skipped.url.ends_with("/pull/120"), "{skipped:?}");
        assert!(skipped.reason.contains("updated_at"), "{skipped:?}");
        assert_eq!(first.details[0].items_skipped, 1);
        assert_eq!(stored(store).await, 149, "{}", backend.name);

        // GitHub's data is corrected: PR 120 is back in its place, far below the newest PR.
        assert!(fake.touch(REPO, 120, original));
        let second = sync(store, &github, &settings(Backfill::Full)).await;
        assert!(second.complete, "{second:?}");
        assert_eq!(second.items_skipped, 0, "{second:?}");
        assert_eq!(stored(store).await, 150, "{}: PR 120 stored", backend.name);
        // Only what was compared counts as unchanged.
        assert_eq!(
            second.prs_unchanged + second.prs_upserted,
            second.prs_fetched,
            "{second:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renamed_repository_is_followed_and_reported_and_a_redirect_is_no_retry() {
    for (status, reported) in [(301, true), (307, false)] {
        let backend = sqlite().await;
        let fake = fake().await;
        fake.set_pulls("acme/old-name", hourly(150, &[]));
        assert!(fake.rename("acme/old-name", "acme/new-name", status));

        let summary = sync(
            &backend.store,
            &client(&fake),
            &settings_for("acme/old-name", Backfill::Full),
        )
        .await;

        assert!(summary.complete, "{status}: {summary:?}");
        assert_eq!(stored(&backend.store).await, 150);
        assert_eq!(
            summary.retries, 0,
            "{status}: a redirect is no retry: {summary:?}"
        );
        let renamed: Vec<_> = summary
            .renamed
            .iter()
            .map(|r| r.moved_to.as_str())
            .collect();
        if reported {
            assert_eq!(renamed, ["acme/new-name"], "{summary:?}");
            assert_eq!(
                summary.details[0].moved_to.as_deref(),
                Some("acme/new-name")
            );
        } else {
            assert!(renamed.is_empty(), "{summary:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weak_etags_make_the_next_run_one_304() {
    let backend = sqlite().await;
    let fake = FakeGithub::start(FakeGithubConfig {
        token: Some(TOKEN.into()),
        weak_etags: true,
        ..FakeGithubConfig::default()
    })
    .await
    .expect("fake starts");
    fake.set_pulls(REPO, hourly(250, &[]));
    let github = client(&fake);
    let first = sync(&backend.store, &github, &settings(Backfill::Full)).await;
    assert!(first.complete, "{first:?}");
    let etag = backend
        .store
        .repo_sync_state(REPO)
        .await
        .expect("state")
        .and_then(|s| s.etag)
        .expect("an ETag");
    assert!(etag.starts_with("W/\""), "{etag}");
    let again = sync(&backend.store, &github, &settings(Backfill::Full)).await;
    assert_eq!((again.requests, again.not_modified), (1, 1), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn githubs_recorded_error_answers_are_waited_out_or_retried() {
    for fault in [
        Fault::AbuseDetection {
            retry_after_secs: 1,
        },
        Fault::PrimaryRateLimitWithoutReset,
        Fault::JsonServerError,
    ] {
        let backend = sqlite().await;
        let fake = fake().await;
        fake.set_pulls(REPO, hourly(50, &[]));
        fake.inject_for(REPO, fault.clone(), 1);
        let summary = sync(&backend.store, &client(&fake), &settings(Backfill::Full)).await;
        assert!(summary.complete, "{fault:?}: {summary:?}");
        assert_eq!(
            (summary.retries, summary.prs_upserted),
            (1, 50),
            "{fault:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_past_the_budget_leaves_the_repository_incomplete_with_its_reason() {
    for fault in [
        Fault::abuse_detection(),
        Fault::SecondaryRateLimit {
            retry_after_secs: Some(u64::MAX),
        },
    ] {
        let backend = sqlite().await;
        let fake = fake().await;
        fake.set_pulls(REPO, hourly(50, &[]));
        fake.set_pulls("acme/other", hourly(50, &[]));
        fake.inject_for(REPO, fault.clone(), 1);
        let mut settings = settings(Backfill::Full);
        settings.repositories.push("acme/other".into());
        settings.concurrency = 1;
        settings.budget = StdDuration::from_secs(5);

        let summary = sync(&backend.store, &client(&fake), &settings).await;

        assert_eq!(summary.incomplete.len(), 2, "{fault:?}: {summary:?}");
        for detail in &summary.details {
            let reason = detail.error.as_deref().unwrap_or("");
            assert!(
                reason.contains("secondary rate limit"),
                "{fault:?}: {detail:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_or_endless_body_fails_its_repository_clearly_and_the_others_go_on() {
    for fault in [
        Fault::HugeBody {
            bytes: 200 * 1024 * 1024,
            announced: true,
        },
        Fault::HugeBody {
            bytes: 200 * 1024 * 1024,
            announced: false,
        },
        Fault::EndlessBody,
    ] {
        let backend = sqlite().await;
        let fake = fake().await;
        fake.set_pulls(REPO, hourly(50, &[]));
        fake.set_pulls("acme/other", hourly(50, &[]));
        fake.inject_for(REPO, fault.clone(), 1);
        let mut settings = settings(Backfill::Full);
        settings.repositories.push("acme/other".into());

        let summary = sync(&backend.store, &client(&fake), &settings).await;

        assert_eq!(summary.failed, [REPO], "{fault:?}: {summary:?}");
        let error = summary.details[0].error.as_deref().unwrap_or("");
        assert!(
            error.contains("larger than the 32 MiB cap"),
            "{fault:?}: {error}"
        );
        assert_eq!(summary.details[1].status, "complete", "{summary:?}");
    }
}
