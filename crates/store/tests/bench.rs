//! The benchmark seeder loads consistent synthetic data, and concurrent writers keep
//! attributions consistent.

mod common;

use common::{config, domain_attributions, generated, stored_attributions};
use store::bench::{SeedSpec, seed, time_recompute_after_membership_edit};
use store::testing::TestDatabase;

#[tokio::test]
async fn seeding_loads_the_requested_data_and_attributes_it() {
    let (db, store) = TestDatabase::migrated_store().await;
    let spec = SeedSpec::new(3_000, 4, 40);

    let seeded = seed(&store, &spec).await.expect("seed");

    assert_eq!(seeded.pull_requests, 3_000);
    assert_eq!(store.load_team_config().await.expect("load"), seeded.config);
    let client = db.client().await;
    let count: i64 = client
        .query_one("SELECT count(*) FROM pr_attributions", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(count as u64, seeded.attributions);
    // Most PRs are by members; bots, outsiders, ghosts and unmerged ones are not attributed.
    assert!(seeded.attributions > 2_000, "{}", seeded.attributions);
    let timings = time_recompute_after_membership_edit(&store, &seeded.config)
        .await
        .expect("recompute");
    // The edit's sync already recomputed the login: the full recompute finds nothing to fix.
    assert_eq!(timings.rows, 0);
}

#[tokio::test]
async fn concurrent_upserts_and_membership_edits_leave_attributions_consistent() {
    let (db, store) = TestDatabase::migrated_store().await;
    let original = config(generated::CONFIG);
    let edited = config(&generated::edited_config());
    let prs = generated::pull_requests(300, 99);
    store.sync_teams(&original).await.expect("sync");

    let writer = {
        let store = store.clone();
        let prs = prs.clone();
        tokio::spawn(async move {
            for batch in prs.chunks(20) {
                store.upsert_pull_requests(batch).await.expect("upsert");
            }
        })
    };
    for round in 0..10 {
        let next = if round % 2 == 0 { &edited } else { &original };
        store.sync_teams(next).await.expect("sync");
    }
    writer.await.expect("writer");

    // Ten syncs end on `original`.
    let client = db.client().await;
    assert_eq!(
        stored_attributions(&client).await,
        domain_attributions(&prs, &original)
    );
}
