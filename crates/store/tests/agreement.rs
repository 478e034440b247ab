//! The SQL attribution rule agrees with `domain::attribute` on generated data, through every
//! recompute path: PR upserts, membership edits, per-login and full recomputes.

mod common;

use common::{config, domain_attributions, generated, stored_attributions};
use store::testing::TestDatabase;

#[tokio::test]
async fn sql_attribution_agrees_with_the_domain_rule_on_generated_data() {
    let (db, store) = TestDatabase::migrated_store().await;
    let client = db.client().await;
    let original = config(generated::CONFIG);
    let prs = generated::pull_requests(400, 42);
    store.sync_teams(&original).await.expect("sync");

    // Upserts in three batches: attributions computed per PR.
    for batch in prs.chunks(150) {
        store.upsert_pull_requests(batch).await.expect("upsert");
    }
    let expected = domain_attributions(&prs, &original);
    assert!(
        expected.len() > 150,
        "too few attributions: {}",
        expected.len()
    );
    assert_eq!(stored_attributions(&client).await, expected);

    // A membership edit: recomputed for the affected logins.
    let edited = config(&generated::edited_config());
    let changes = store.sync_teams(&edited).await.expect("sync edit");
    assert_eq!(changes.members_changed.len(), 2, "{changes:#?}");
    assert_eq!(changes.members_removed.len(), 1, "{changes:#?}");
    let expected = domain_attributions(&prs, &edited);
    assert_eq!(stored_attributions(&client).await, expected);

    // Nothing is left for full or per-login recomputes to fix.
    assert_eq!(store.recompute_attributions(None).await.expect("full"), 0);
    let logins = ["alice".to_owned(), "Carol".to_owned()];
    assert_eq!(
        store
            .recompute_attributions(Some(&logins))
            .await
            .expect("per login"),
        0
    );
    assert_eq!(stored_attributions(&client).await, expected);
}

#[tokio::test]
async fn recomputes_repair_attributions_edited_behind_the_stores_back() {
    let (db, store) = TestDatabase::migrated_store().await;
    let client = db.client().await;
    let teams = config(generated::CONFIG);
    let prs = generated::pull_requests(200, 3);
    store.sync_teams(&teams).await.expect("sync");
    store.upsert_pull_requests(&prs).await.expect("upsert");
    let expected = domain_attributions(&prs, &teams);
    let tamper =
        "WITH victims AS (SELECT DISTINCT ON (a.pr_id) a.pr_id, a.team_id FROM pr_attributions a
                      JOIN team_memberships m ON m.id = a.membership_id
                      WHERE m.login = $1 ORDER BY a.pr_id, a.team_id LIMIT 2)
                  {action}";
    for login in ["alice", "bob"] {
        client
            .execute(
                &tamper.replace(
                    "{action}",
                    "UPDATE pr_attributions a SET weight = 0.123 FROM victims v
                     WHERE (a.pr_id, a.team_id) = (v.pr_id, v.team_id)
                       AND v.pr_id = (SELECT min(pr_id) FROM victims)",
                ),
                &[&login],
            )
            .await
            .expect("tamper weight");
        client
            .execute(
                &tamper.replace(
                    "{action}",
                    "DELETE FROM pr_attributions a USING victims v
                     WHERE (a.pr_id, a.team_id) = (v.pr_id, v.team_id)
                       AND v.pr_id = (SELECT max(pr_id) FROM victims)",
                ),
                &[&login],
            )
            .await
            .expect("tamper delete");
    }
    assert_ne!(stored_attributions(&client).await, expected);

    // Alice's rows: one changed (deleted + inserted), one missing (inserted).
    let alice = store
        .recompute_attributions(Some(&["ALICE".to_owned()]))
        .await
        .expect("per login");
    let everyone = store.recompute_attributions(None).await.expect("full");

    assert_eq!((alice, everyone), (3, 3));
    assert_eq!(stored_attributions(&client).await, expected);
}

#[tokio::test]
async fn attribution_does_not_depend_on_the_order_prs_and_memberships_arrive() {
    let (db, store) = TestDatabase::migrated_store().await;
    let client = db.client().await;
    let full = config(generated::CONFIG);
    let prs = generated::pull_requests(200, 7);

    // PRs first, teams after: the sync's recompute must find the stored PRs.
    store.upsert_pull_requests(&prs).await.expect("upsert");
    assert!(stored_attributions(&client).await.is_empty());
    store.sync_teams(&full).await.expect("sync");

    assert_eq!(
        stored_attributions(&client).await,
        domain_attributions(&prs, &full)
    );
}
