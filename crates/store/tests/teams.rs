//! Team config sync: writes only what changed, is idempotent, recomputes attributions of the
//! affected logins, and writes nothing when it fails. Every test runs on both backends.

mod common;

use common::{at, config, merged_pr};
use domain::{Membership, TeamId};

const PLATFORM_AND_MOBILE: &str = r#"{"teams":[
    {"id":"platform","name":"Platform","description":"infra","members":[
        {"github":"Alice","weight":0.5,"joined_at":"2026-01-01","left_at":"2026-03-01"},
        {"github":"alice","weight":1.0,"joined_at":"2026-03-01"},
        {"github":"bob","joined_at":"2025-06-01"}]},
    {"id":"mobile","members":[
        {"github":"alice","weight":0.5,"joined_at":"2026-01-01","left_at":"2026-03-01"},
        {"github":"carol","joined_at":"2025-01-01T12:30:00.123456Z"}]}]}"#;

on_both_backends! {
    async fn synced_config_reads_back_equal(t) {
        let desired = config(PLATFORM_AND_MOBILE);

        let changes = t.sync_teams(&desired).await.expect("sync");

        assert_eq!(changes.teams_added, ["mobile", "platform"]);
        assert_eq!(changes.members_added.len(), 5);
        assert_eq!(t.load_team_config().await.expect("load"), desired);
    }

    async fn syncing_the_same_config_twice_changes_nothing_the_second_time(t) {
        let desired = config(PLATFORM_AND_MOBILE);
        t.sync_teams(&desired).await.expect("first sync");
        t.upsert_pull_requests(&[merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z")])
            .await
            .expect("upsert");
        let before = t.snapshot().await;

        let changes = t.sync_teams(&desired).await.expect("second sync");

        assert!(changes.is_empty(), "{changes:?}");
        assert_eq!(t.snapshot().await, before);
    }

    async fn a_config_the_database_refuses_leaves_every_table_unchanged(t) {
        t.sync_teams(&config(PLATFORM_AND_MOBILE)).await.expect("sync");
        t.upsert_pull_requests(&[merged_pr(1, Some("bob"), "2026-02-01T00:00:00Z")])
            .await
            .expect("upsert");
        let before = t.snapshot().await;
        // Built by hand, bypassing domain validation: a new team (written first) and a member
        // whose spans overlap (refused by the no-overlap constraint, written later: EXCLUDE on
        // PostgreSQL, a trigger on SQLite).
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

        let result = t.sync_teams(&bad).await;

        t.assert_failed_while(&result, "adding memberships");
        assert!(
            result.as_ref().is_err_and(|e| e.is_constraint_violation()),
            "{result:?}"
        );
        assert_eq!(t.snapshot().await, before);
    }

    async fn a_team_id_that_is_not_a_slug_is_refused_by_the_database(t) {
        t.sync_teams(&config(PLATFORM_AND_MOBILE)).await.expect("sync");
        let before = t.snapshot().await;
        for id in ["Web", "web team", "-web", "web_", "we--b", "", "wéb", &"a".repeat(65)] {
            // Built by hand, bypassing domain validation (TeamId::parse refuses these).
            let mut bad = config(PLATFORM_AND_MOBILE);
            bad.teams.push(domain::Team {
                id: TeamId::new_unchecked(id),
                name: "Web".into(),
                description: None,
                include_bots: false,
                members: vec![],
            });

            let result = t.sync_teams(&bad).await;

            t.assert_failed_while(&result, "adding teams");
            assert!(
                result.as_ref().is_err_and(|e| e.is_constraint_violation()),
                "{id:?}: {result:?}"
            );
            assert_eq!(t.snapshot().await, before, "{id:?}");
        }
        let longest = "a".repeat(64);
        for id in ["web", "web-2", "w_e-b", "9", longest.as_str()] {
            let mut good = config(PLATFORM_AND_MOBILE);
            good.teams.push(domain::Team {
                id: TeamId::new_unchecked(id),
                name: "Web".into(),
                description: None,
                include_bots: false,
                members: vec![],
            });
            t.sync_teams(&good).await.unwrap_or_else(|e| panic!("{id:?}: {e:?}"));
        }
    }

    async fn a_membership_edit_recomputes_historic_attributions(t) {
        t.sync_teams(&config(PLATFORM_AND_MOBILE)).await.expect("sync");
        t.upsert_pull_requests(&[
            merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z"),
            merged_pr(2, Some("alice"), "2026-03-15T00:00:00Z"),
            merged_pr(3, Some("bob"), "2025-07-01T00:00:00Z"),
        ])
        .await
        .expect("upsert");
        let row = |n: i64, team: &str, weight: f64| {
            ("acme/app".to_owned(), n, team.to_owned(), weight, 5.0)
        };
        assert_eq!(
            t.stored_attributions().await,
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

        let changes = t.sync_teams(&edited).await.expect("sync edit");

        assert_eq!(changes.members_changed.len(), 1);
        assert_eq!(changes.members_added.len(), 1);
        assert_eq!(changes.members_removed.len(), 1);
        assert_eq!(
            t.stored_attributions().await,
            [
                row(1, "mobile", 0.5),
                row(1, "platform", 0.25),
                row(2, "platform", 1.0)
            ]
        );
    }

    async fn a_team_removed_from_the_config_disappears_with_its_memberships_and_attributions(t) {
        t.sync_teams(&config(PLATFORM_AND_MOBILE)).await.expect("sync");
        t.upsert_pull_requests(&[
            merged_pr(1, Some("alice"), "2026-02-01T00:00:00Z"),
            merged_pr(2, Some("carol"), "2026-02-01T00:00:00Z"),
        ])
        .await
        .expect("upsert");
        let mut without_mobile = config(PLATFORM_AND_MOBILE);
        without_mobile.teams.retain(|t| t.id.as_str() != "mobile");

        let changes = t.sync_teams(&without_mobile).await.expect("sync");

        assert_eq!(changes.teams_removed, ["mobile"]);
        assert!(!t.team_exists("mobile").await.expect("exists"));
        assert!(t.team_exists("platform").await.expect("exists"));
        for table in ["team_memberships", "pr_attributions"] {
            let sql = format!("SELECT count(*) FROM {table} WHERE team_id = 'mobile'");
            assert_eq!(t.scalar::<i64>(&sql).await, 0, "{table}");
        }
        assert_eq!(
            t.stored_attributions().await,
            [("acme/app".to_owned(), 1, "platform".to_owned(), 0.5, 5.0)]
        );
        assert_eq!(t.load_team_config().await.expect("load"), without_mobile);
    }

    async fn team_settings_changes_are_written_and_reported(t) {
        t.sync_teams(&config(PLATFORM_AND_MOBILE)).await.expect("sync");
        let renamed =
            config(&PLATFORM_AND_MOBILE.replace(r#""name":"Platform""#, r#""name":"Infra""#));

        let changes = t.sync_teams(&renamed).await.expect("sync");

        assert_eq!(changes.teams_changed, ["platform"]);
        assert_eq!(t.load_team_config().await.expect("load"), renamed);
    }

    async fn teams_with_members_at_lists_only_memberships_active_then(t) {
        t.sync_teams(&config(PLATFORM_AND_MOBILE)).await.expect("sync");

        let teams = t
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

    async fn nanosecond_instants_sync_idempotently(t) {
        let precise = config(
            r#"{"teams":[{"id":"a","members":[{"github":"x","joined_at":"2026-01-01T00:00:00.123456789Z"}]}]}"#,
        );
        t.sync_teams(&precise).await.expect("first");

        assert!(t.sync_teams(&precise).await.expect("second").is_empty());
    }

    async fn nanosecond_instants_before_2000_and_1970_sync_idempotently_and_read_back_floored(t) {
        let precise = config(
            r#"{"teams":[{"id":"a","members":[
                {"github":"x","joined_at":"1969-12-31T23:59:59.999999999Z","left_at":"1999-12-31T23:59:59.999999999Z"},
                {"github":"x","joined_at":"2000-01-01T00:00:00.000000500Z"}]}]}"#,
        );
        t.sync_teams(&precise).await.expect("first");

        assert!(t.sync_teams(&precise).await.expect("second").is_empty());
        let members = t.load_team_config().await.expect("load").teams[0].members.clone();
        let spans: Vec<_> = members.iter().map(|m| (m.joined_at, m.left_at)).collect();
        assert_eq!(
            spans,
            [
                (
                    at("1969-12-31T23:59:59.999999Z"),
                    Some(at("1999-12-31T23:59:59.999999Z"))
                ),
                (at("2000-01-01T00:00:00Z"), None),
            ]
        );
    }

    async fn a_leap_second_syncs_once_and_then_changes_nothing(t) {
        let leap = config(
            r#"{"teams":[{"id":"a","members":[
                {"github":"x","joined_at":"2016-06-01","left_at":"2016-12-31T23:59:60Z"},
                {"github":"x","joined_at":"2016-12-31T23:59:60.5Z"}]}]}"#,
        );
        t.sync_teams(&leap).await.expect("first");
        let before = t.snapshot().await;

        let changes = t.sync_teams(&leap).await.expect("second");

        assert!(changes.is_empty(), "{changes:?}");
        assert_eq!(t.snapshot().await, before);
        let members = t.load_team_config().await.expect("load").teams[0].members.clone();
        assert_eq!(members[0].left_at, Some(at("2017-01-01T00:00:00Z")));
        assert_eq!(members[1].joined_at, at("2017-01-01T00:00:00.5Z"));
    }

    async fn a_weight_of_minus_zero_is_stored_and_read_as_zero(t) {
        let desired = config(
            r#"{"teams":[{"id":"a","members":[{"github":"x","weight":-0,"joined_at":"2026-01-01"}]}]}"#,
        );
        t.sync_teams(&desired).await.expect("sync");

        let weight = t.load_team_config().await.expect("load").teams[0].members[0].weight;
        assert_eq!(weight.to_bits(), 0.0_f64.to_bits(), "{weight}");
        let stored: f64 = t.scalar("SELECT weight FROM team_memberships").await;
        assert_eq!(stored.to_bits(), 0.0_f64.to_bits(), "{stored}");
    }

    async fn a_refused_statement_reports_the_database_message_but_no_row_values(t) {
        t.sync_teams(&config(PLATFORM_AND_MOBILE)).await.expect("sync");
        // Built by hand, bypassing domain validation: bob's spans overlap.
        let mut bad = config(PLATFORM_AND_MOBILE);
        bad.teams[1].members.push(Membership {
            login: "bob".into(),
            weight: 1.0,
            joined_at: at("2025-07-01T00:00:00Z"),
            left_at: None,
        });

        let error = t.sync_teams(&bad).await.expect_err("refused").to_string();

        let cause = match t.backend {
            common::Backend::Postgres => "violates exclusion constraint",
            common::Backend::Sqlite => "team_memberships_spans_do_not_overlap",
        };
        assert!(error.contains("while adding memberships: "), "{error}");
        assert!(error.contains(cause), "{error}");
        let code = match t.backend {
            common::Backend::Postgres => "SQLSTATE 23P01",
            common::Backend::Sqlite => "ConstraintViolation",
        };
        assert!(error.contains(code), "{error}");
        // PostgreSQL's DETAIL quotes the row ("Key (team_id, login, …)=(platform, bob, …)").
        assert!(!error.contains("DETAIL") && !error.contains("bob"), "{error}");
    }
}
