//! The schema itself refuses what domain validation refuses, so no writer (a hand-built config,
//! another tool, a manual fix) can store it: on PostgreSQL by CHECK and EXCLUDE constraints, on
//! SQLite by CHECKs and the triggers of `migrations/sqlite/0002_constraints.sql`. Both report a
//! constraint violation, and the refused statement changes nothing.

mod common;

use common::{Backend, TestStore, at};

/// `s` (RFC 3339, or a day: its midnight UTC) as an instant literal of `t`'s dialect.
fn instant(t: &TestStore, s: &str) -> String {
    let s = if s.len() == 10 {
        format!("{s}T00:00:00Z")
    } else {
        s.to_owned()
    };
    match t.backend {
        Backend::Postgres => format!("'{s}'::timestamptz"),
        Backend::Sqlite => at(&s).timestamp_micros().to_string(),
    }
}

/// An INSERT of a membership of `login` in `team` over `[joined, left)` (`left` "NULL": open).
fn membership(
    t: &TestStore,
    team: &str,
    login: &str,
    weight: f64,
    joined: &str,
    left: &str,
) -> String {
    let left = if left == "NULL" {
        left.to_owned()
    } else {
        instant(t, left)
    };
    let now = instant(t, "2026-01-01");
    format!(
        "INSERT INTO team_memberships
             (team_id, login, weight, joined_at, left_at, created_at, updated_at)
         VALUES ('{team}', '{login}', {weight}, {}, {left}, {now}, {now})",
        instant(t, joined)
    )
}

fn team(t: &TestStore, id: &str) -> String {
    let now = instant(t, "2026-01-01");
    format!(
        "INSERT INTO teams (id, name, created_at, updated_at) VALUES ('{id}', 'Team', {now}, {now})"
    )
}

on_both_backends! {
    async fn the_schema_refuses_what_domain_validation_refuses(t) {
        for sql in [
            team(&t, "platform"),
            team(&t, "mobile"),
            membership(&t, "platform", "alice", 0.5, "2025-01-01", "2025-03-01"),
            membership(&t, "platform", "alice", 1.0, "2025-03-01", "2025-05-01"),
            membership(&t, "platform", "bob", 1.0, "2025-01-01", "NULL"),
        ] {
            t.execute(&sql).await.unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        }
        let before = t.snapshot().await;
        let now = instant(&t, "2026-01-01");
        let refused = [
            // Team ids are URL slugs.
            team(&t, "Platform-2"),
            team(&t, "a--b"),
            team(&t, "-a"),
            team(&t, "a_"),
            team(&t, "a b"),
            team(&t, ""),
            team(&t, &"a".repeat(65)),
            "UPDATE teams SET id = 'Bad Id' WHERE id = 'mobile'".to_owned(),
            // Spans of one login in one team do not overlap (open ends included).
            membership(&t, "platform", "alice", 0.5, "2025-02-01", "2025-04-01"),
            membership(&t, "platform", "alice", 0.5, "2024-01-01", "NULL"),
            membership(&t, "platform", "alice", 0.5, "2025-04-30T23:59:59Z", "2025-06-01"),
            membership(&t, "platform", "bob", 0.5, "2024-01-01", "2025-01-01T00:00:01Z"),
            membership(&t, "platform", "bob", 0.5, "2030-01-01", "NULL"),
            format!(
                "UPDATE team_memberships SET left_at = {} WHERE login = 'alice' AND weight = 0.5",
                instant(&t, "2025-03-01T00:00:00.000001Z")
            ),
            format!(
                "UPDATE team_memberships SET joined_at = {} WHERE login = 'alice' AND weight = 1.0",
                instant(&t, "2025-02-28")
            ),
            // Weights in [0, 1], left after joined, logins lowercased.
            membership(&t, "mobile", "carol", 1.5, "2025-01-01", "NULL"),
            membership(&t, "mobile", "carol", -0.1, "2025-01-01", "NULL"),
            membership(&t, "mobile", "carol", 1.0, "2025-01-01", "2025-01-01"),
            membership(&t, "mobile", "carol", 1.0, "2025-01-02", "2025-01-01"),
            membership(&t, "mobile", "Carol", 1.0, "2025-01-01", "NULL"),
            // A sync state without a page to resume from has no floor or target ETag.
            format!(
                "INSERT INTO repo_sync_state (repository, resume_floor, updated_at)
                 VALUES ('acme/app', {now}, {now})"
            ),
            format!(
                "INSERT INTO repo_sync_state (repository, resume_target_etag, updated_at)
                 VALUES ('acme/app', 'x', {now})"
            ),
            format!(
                "INSERT INTO repo_sync_state (repository, resume_next_url, updated_at)
                 VALUES ('acme/app', 'https://example.com', {now})"
            ),
        ];
        for sql in &refused {
            let error = t.execute(sql).await.expect_err(sql);
            assert!(error.is_constraint_violation(), "{sql}: {error:?}");
            assert!(!error.is_transient(), "{sql}: {error:?}");
        }
        assert_eq!(t.snapshot().await, before);

        // What the rules allow: spans that touch, the same span in another team, slugs.
        for sql in [
            membership(&t, "platform", "alice", 0.5, "2025-05-01", "NULL"),
            membership(&t, "platform", "bob", 0.5, "2024-01-01", "2025-01-01"),
            membership(&t, "mobile", "alice", 0.5, "2025-01-01", "NULL"),
            format!(
                "UPDATE team_memberships SET left_at = {} WHERE login = 'alice' AND weight = 0.5
                 AND team_id = 'platform' AND left_at IS NOT NULL",
                instant(&t, "2025-02-01")
            ),
            team(&t, "a-b_c9"),
            team(&t, &"a".repeat(64)),
            format!(
                "INSERT INTO repo_sync_state (repository, resume_next_url, resume_floor,
                     resume_target_watermark, resume_target_etag, updated_at)
                 VALUES ('acme/app', 'https://example.com', {now}, {now}, 'x', {now})"
            ),
        ] {
            t.execute(&sql).await.unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        }
        assert_eq!(
            t.scalar::<i64>("SELECT count(*) FROM team_memberships").await,
            6
        );
    }
}
