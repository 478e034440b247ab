//! The benchmark seeder loads consistent synthetic data (PostgreSQL only, refused on SQLite
//! before anything is written), and concurrent writers keep attributions consistent on both
//! backends.

mod common;

use common::{Backend, TestStore, config, domain_attributions, generated};
use store::StoreError;
use store::bench::{SeedSpec, seed, time_recompute_after_membership_edit};

#[tokio::test]
async fn seeding_loads_the_requested_data_and_attributes_it() {
    let t = TestStore::migrated(Backend::Postgres).await;
    let spec = SeedSpec::new(3_000, 4, 40);

    let seeded = seed(&t, &spec).await.expect("seed");

    assert_eq!(seeded.pull_requests, 3_000);
    assert_eq!(t.load_team_config().await.expect("load"), seeded.config);
    let count: i64 = t.scalar("SELECT count(*) FROM pr_attributions").await;
    assert_eq!(count as u64, seeded.attributions);
    // Most PRs are by members; bots, outsiders, ghosts and unmerged ones are not attributed.
    assert!(seeded.attributions > 2_000, "{}", seeded.attributions);
    let timings = time_recompute_after_membership_edit(&t, &seeded.config)
        .await
        .expect("recompute");
    // The edit's sync already recomputed the login: the full recompute finds nothing to fix.
    assert_eq!(timings.rows, 0);
}

#[tokio::test]
async fn seeding_is_refused_on_sqlite_before_anything_is_written() {
    let t = TestStore::migrated(Backend::Sqlite).await;
    let before = t.snapshot().await;

    let result = seed(&t, &SeedSpec::new(10, 2, 4)).await;

    assert!(
        matches!(
            result,
            Err(StoreError::Unsupported {
                what: "bench seeding"
            })
        ),
        "{result:?}"
    );
    assert_eq!(t.snapshot().await, before);
}

on_both_backends! {
    async fn concurrent_upserts_and_membership_edits_leave_attributions_consistent(t) {
        let original = config(generated::CONFIG);
        let edited = config(&generated::edited_config());
        let prs = generated::pull_requests(300, 99);
        t.sync_teams(&original).await.expect("sync");

        let writer = {
            let store = t.store.clone();
            let prs = prs.clone();
            tokio::spawn(async move {
                for batch in prs.chunks(20) {
                    store.upsert_pull_requests(batch).await.expect("upsert");
                }
            })
        };
        for round in 0..10 {
            let next = if round % 2 == 0 { &edited } else { &original };
            t.sync_teams(next).await.expect("sync");
        }
        writer.await.expect("writer");

        // Ten syncs end on `original`.
        assert_eq!(
            t.stored_attributions().await,
            domain_attributions(&prs, &original)
        );
    }
}
