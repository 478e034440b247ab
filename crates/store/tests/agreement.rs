//! The stored attributions agree with `domain::attribute` on generated data, through every
//! recompute path (PR upserts, membership edits, per-login and full recomputes), on both
//! backends: PostgreSQL applies the rule in SQL, SQLite with `domain::attribute` itself.

mod common;

use common::{config, domain_attributions, generated};

on_both_backends! {
    async fn sql_attribution_agrees_with_the_domain_rule_on_generated_data(t) {
        let original = config(generated::CONFIG);
        let prs = generated::pull_requests(400, 42);
        t.sync_teams(&original).await.expect("sync");

        // Upserts in three batches: attributions computed per PR.
        for batch in prs.chunks(150) {
            t.upsert_pull_requests(batch).await.expect("upsert");
        }
        let expected = domain_attributions(&prs, &original);
        assert!(
            expected.len() > 150,
            "too few attributions: {}",
            expected.len()
        );
        assert_eq!(t.stored_attributions().await, expected);

        // A membership edit: recomputed for the affected logins.
        let edited = config(&generated::edited_config());
        let changes = t.sync_teams(&edited).await.expect("sync edit");
        assert_eq!(changes.members_changed.len(), 2, "{changes:#?}");
        assert_eq!(changes.members_removed.len(), 1, "{changes:#?}");
        let expected = domain_attributions(&prs, &edited);
        assert_eq!(t.stored_attributions().await, expected);

        // Nothing is left for full or per-login recomputes to fix.
        assert_eq!(t.recompute_attributions(None).await.expect("full"), 0);
        let logins = ["alice".to_owned(), "Carol".to_owned()];
        assert_eq!(
            t.recompute_attributions(Some(&logins))
                .await
                .expect("per login"),
            0
        );
        assert_eq!(t.stored_attributions().await, expected);
    }

    async fn recomputes_repair_attributions_edited_behind_the_stores_back(t) {
        let teams = config(generated::CONFIG);
        let prs = generated::pull_requests(200, 3);
        t.sync_teams(&teams).await.expect("sync");
        t.upsert_pull_requests(&prs).await.expect("upsert");
        let expected = domain_attributions(&prs, &teams);
        // The login's first two attributed PRs (each by its first team): the first one's weight
        // is changed, the second one's row deleted. SQL both dialects speak.
        let tamper = "WITH victims AS (
                          SELECT a.pr_id, min(a.team_id) AS team_id FROM pr_attributions a
                          JOIN team_memberships m ON m.id = a.membership_id
                          WHERE m.login = '{login}'
                          GROUP BY a.pr_id ORDER BY a.pr_id LIMIT 2)
                      {action}";
        for login in ["alice", "bob"] {
            for action in [
                "UPDATE pr_attributions SET weight = 0.123
                 WHERE (pr_id, team_id) IN (SELECT pr_id, team_id FROM victims
                                            WHERE pr_id = (SELECT min(pr_id) FROM victims))",
                "DELETE FROM pr_attributions
                 WHERE (pr_id, team_id) IN (SELECT pr_id, team_id FROM victims
                                            WHERE pr_id = (SELECT max(pr_id) FROM victims))",
            ] {
                t.execute(&tamper.replace("{login}", login).replace("{action}", action))
                    .await
                    .unwrap_or_else(|e| panic!("tamper {login}: {e:?}"));
            }
        }
        assert_ne!(t.stored_attributions().await, expected);

        // Alice's rows: one changed (deleted + inserted), one missing (inserted).
        let alice = t
            .recompute_attributions(Some(&["ALICE".to_owned()]))
            .await
            .expect("per login");
        let everyone = t.recompute_attributions(None).await.expect("full");

        assert_eq!((alice, everyone), (3, 3));
        assert_eq!(t.stored_attributions().await, expected);
    }

    async fn attribution_does_not_depend_on_the_order_prs_and_memberships_arrive(t) {
        let full = config(generated::CONFIG);
        let prs = generated::pull_requests(200, 7);

        // PRs first, teams after: the sync's recompute must find the stored PRs.
        t.upsert_pull_requests(&prs).await.expect("upsert");
        assert!(t.stored_attributions().await.is_empty());
        t.sync_teams(&full).await.expect("sync");

        assert_eq!(t.stored_attributions().await, domain_attributions(&prs, &full));
    }
}
