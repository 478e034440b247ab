//! Walks of a repository against the fake GitHub (real HTTP on 127.0.0.1), on both store
//! backends (a fresh PostgreSQL database and a SQLite file): PRs that leave the list between
//! pages, history asked for later, dead resume URLs, empty pages, dry runs.

mod support;

use chrono::{Duration, Utc};
use collector::{Backfill, SyncReach, run_sync};
use fake_github::Fault;
use std::time::Duration as StdDuration;
use store::testing::TestDatabase;
use support::*;

on_both_backends! {
    async fn a_pr_leaving_page_one_between_runs_does_not_skip_the_first_pr_of_the_next_page(backend) {
        let store = &backend.store;
        let fake = fake().await;
        // Newest first: 450 (closed unmerged), 449, …; page 3 starts at PR 250.
        fake.set_pulls(REPO, hourly(450, &[450]));
        let github = client(&fake);
        let settings = settings(Backfill::Full);
        fail_after(&fake, REPO, 2);
        let first = sync(store, &github, &settings).await;
        assert_eq!(first.failed, [REPO], "{}: {first:?}", backend.name);
        let state = store
            .repo_sync_state(REPO)
            .await
            .expect("state")
            .expect("some");
        let resume = state.resume.expect("interrupted after page 2");
        assert!(
            resume
                .page_url
                .as_deref()
                .is_some_and(|u| u.ends_with("page=2")),
            "{resume:?}"
        );

        // PR 450 is reopened: it leaves the closed list and PR 250 moves up onto page 2.
        assert!(fake.reopen(REPO, 450, Utc::now()));
        let second = sync(store, &github, &settings).await;

        assert!(second.complete, "{}: {second:?}", backend.name);
        assert_eq!(second.pages_refetched, 1, "{second:?}");
        assert_eq!(
            second.pages, 4,
            "page 2 again, then pages 3 to 5: {second:?}"
        );
        assert_eq!(
            stored(store).await,
            449,
            "{}: every merged PR",
            backend.name
        );
    }
}

on_both_backends! {
    async fn a_pr_leaving_the_list_while_a_walk_waits_for_a_rate_limit_is_not_skipped(backend) {
        let store = backend.store.clone();
        let fake = fake().await;
        fake.set_pulls(REPO, hourly(450, &[450]));
        let github = client(&fake);
        let settings = settings(Backfill::Full);
        // Pages 1 and 2 (and page 1 asked again) come at once; page 3 is first answered with a
        // secondary limit.
        fake.inject_for(REPO, Fault::Stall(StdDuration::ZERO), 3);
        fake.inject_for(REPO, Fault::secondary_rate_limit(), 1);
        let run = tokio::spawn({
            let (store, github, settings) = (store.clone(), github.clone(), settings.clone());
            async move { run_sync(&store, &github, &teams(), &settings).await }
        });
        // While the walk waits out the limit, PR 450 is reopened (PR 250 moves onto page 2).
        let mut limited = false;
        for _ in 0..500 {
            if fake.request_log().iter().any(|r| r.status == 403) {
                limited = true;
                break;
            }
            tokio::time::sleep(StdDuration::from_millis(10)).await;
        }
        assert!(limited, "the rate limit was served");
        assert!(fake.reopen(REPO, 450, Utc::now()));

        let summary = run.await.expect("joins").expect("starts");

        assert!(summary.complete, "{}: {summary:?}", backend.name);
        assert_eq!(summary.pages_refetched, 1, "{summary:?}");
        assert_eq!(
            stored(&store).await,
            449,
            "{}: every merged PR",
            backend.name
        );
    }
}

/// PR 450 (closed unmerged, on page 1) is reopened just before page 2 is served, after
/// `retried_502s` answers of 502 to page 2's request: PR 350 moves from page 2 onto page 1,
/// which was already fetched.
async fn check_a_pr_reopened_between_two_page_requests_is_not_lost(
    backend: Backend,
    retried_502s: usize,
) {
    let store = &backend.store;
    let fake = fake().await;
    fake.set_pulls(REPO, hourly(450, &[450]));
    let github = client(&fake);
    fake.inject_for(REPO, Fault::Stall(StdDuration::ZERO), 1);
    fake.inject_for(REPO, Fault::JsonServerError, retried_502s);
    fake.inject_for(REPO, Fault::Reopen { number: 450 }, 1);

    let summary = sync(store, &github, &settings(Backfill::Full)).await;

    assert_eq!(fake.pending_faults(), 0, "every fault was served");
    assert!(summary.complete, "{}: {summary:?}", backend.name);
    assert_eq!(summary.retries, retried_502s as u64, "{summary:?}");
    assert_eq!(
        summary.pages_refetched, 1,
        "page 1 changed and was read again: {summary:?}"
    );
    assert_eq!(
        stored(store).await,
        449,
        "{}: every merged PR, PR 350 included",
        backend.name
    );
}

on_both_backends! {
    async fn a_pr_reopened_between_two_page_requests_does_not_hide_the_next_pages_first_pr(backend) {
        check_a_pr_reopened_between_two_page_requests_is_not_lost(backend, 0).await;
    }
}

on_both_backends! {
    async fn a_pr_reopened_between_two_page_requests_with_a_retried_502_between_is_not_lost(backend) {
        check_a_pr_reopened_between_two_page_requests_is_not_lost(backend, 1).await;
    }
}

on_both_backends! {
    async fn a_later_run_asking_for_more_history_walks_down_to_it(backend) {
        let store = &backend.store;
        let fake = fake().await;
        fake.set_pulls(REPO, daily(450));
        let github = client(&fake);
        let since = |days| Backfill::Since(Utc::now() - Duration::days(days));

        let first = sync(store, &github, &settings(since(100))).await;
        assert!(first.complete, "{first:?}");
        assert_eq!(stored(store).await, 100, "{}", backend.name);
        // The same reach again: an incremental walk that ends in a 304.
        let again = sync(store, &github, &settings(since(100))).await;
        assert_eq!((again.requests, again.not_modified), (1, 1), "{again:?}");

        let deeper = sync(store, &github, &settings(since(300))).await;
        assert!(
            deeper.complete && !deeper.details[0].not_modified,
            "{deeper:?}"
        );
        assert_eq!(stored(store).await, 300, "{}: --since 300d", backend.name);
        let state = store
            .repo_sync_state(REPO)
            .await
            .expect("state")
            .expect("some");
        assert!(
            matches!(state.reach, SyncReach::Since(t) if t < Utc::now() - Duration::days(299)),
            "{:?}",
            state.reach
        );

        let full = sync(store, &github, &settings(Backfill::Full)).await;
        assert!(full.complete, "{full:?}");
        assert_eq!(full.pages, 5, "{full:?}");
        assert_eq!(stored(store).await, 450, "{}: --full", backend.name);
        let state = store
            .repo_sync_state(REPO)
            .await
            .expect("state")
            .expect("some");
        assert_eq!(state.reach, SyncReach::All);

        // All history is reached: any later run is one 304.
        for backfill in [Backfill::Full, since(400)] {
            let after = sync(store, &github, &settings(backfill)).await;
            assert_eq!((after.requests, after.not_modified), (1, 1), "{after:?}");
        }
    }
}

on_both_backends! {
    async fn a_resume_url_that_can_never_work_is_dropped_for_a_fresh_walk(backend) {
        let store = &backend.store;
        let old = fake().await;
        old.set_pulls(REPO, hourly(350, &[]));
        fail_after(&old, REPO, 2);
        let first = sync(store, &client(&old), &settings(Backfill::Full)).await;
        assert_eq!(first.failed, [REPO], "{first:?}");

        // GITHUB_API_URL changed: the stored URL is outside the new base (InvalidUrl).
        let moved = fake().await;
        moved.set_pulls(REPO, hourly(350, &[]));
        let github = client(&moved);
        let second = sync(store, &github, &settings(Backfill::Full)).await;
        assert!(second.complete, "{}: {second:?}", backend.name);
        assert_eq!(second.pages, 4, "a fresh walk of 4 pages: {second:?}");
        assert_eq!(stored(store).await, 350);
        let state = store
            .repo_sync_state(REPO)
            .await
            .expect("state")
            .expect("some");
        assert_eq!((state.resume, state.reach), (None, SyncReach::All));

        // A stored URL GitHub answers 404 for (the repository was transferred).
        let other = "acme/other";
        moved.set_pulls(other, hourly(350, &[]));
        fail_after(&moved, other, 1);
        let interrupted = sync(store, &github, &settings_for(other, Backfill::Full)).await;
        assert_eq!(interrupted.failed, [other], "{interrupted:?}");
        let not_found = Fault::Respond {
            status: 404,
            body: r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}"#
                .into(),
        };
        moved.inject_for(other, not_found, 1);
        let third = sync(store, &github, &settings_for(other, Backfill::Full)).await;
        assert!(third.complete, "{}: {third:?}", backend.name);
        assert_eq!(stored(store).await, 700);
    }
}

on_both_backends! {
    async fn an_empty_first_page_with_a_next_link_leaves_a_resume_point(backend) {
        let store = &backend.store;
        let fake = fake().await;
        fake.set_pulls(REPO, hourly(350, &[]));
        let github = client(&fake);
        fake.inject_for(REPO, Fault::EmptyPage, 1);
        // Page 2, then page 1 asked again (whole now: its PRs come with page 2's).
        fake.inject_for(REPO, Fault::Stall(StdDuration::ZERO), 2);
        fake.inject_for(REPO, Fault::MalformedJson, 1);
        let first = sync(store, &github, &settings(Backfill::Full)).await;
        assert_eq!(first.failed, [REPO], "{first:?}");
        let state = store
            .repo_sync_state(REPO)
            .await
            .expect("state")
            .expect("some");
        let resume = state.resume.expect("not finished: page 3 was never read");
        assert!(resume.page_url.is_some_and(|u| u.ends_with("page=2")));

        // The resume point gets the rest…
        let second = sync(store, &github, &settings(Backfill::Full)).await;
        assert!(second.complete, "{second:?}");
        assert_eq!(second.pages, 3, "pages 2 to 4: {second:?}");
        // Page 1's PRs are newer than the watermark the walk recorded: the next run gets them.
        let third = sync(store, &github, &settings(Backfill::Full)).await;
        assert!(third.complete, "{third:?}");
        assert_eq!(stored(store).await, 350, "{}", backend.name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_on_an_unmigrated_database_fetches_as_a_first_run_and_writes_nothing() {
    let db = TestDatabase::create().await;
    let store = db.store().await;
    let fake = fake().await;
    fake.set_pulls(REPO, hourly(150, &[]));
    let mut settings = settings(Backfill::Full);
    settings.dry_run = true;

    let summary = sync(&store, &client(&fake), &settings).await;

    assert!(summary.complete, "{summary:?}");
    assert_eq!((summary.pages, summary.prs_fetched), (2, 150));
    let tables = db.public_table_count().await;
    assert_eq!(tables, 0, "nothing created");
}
