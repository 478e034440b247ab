//! Migrations: idempotent, safe to run concurrently, and refusing edited history, on both
//! backends; connection failures, named without secrets.

mod common;

use common::Backend;
use store::{Store, StoreError};

on_both_backends! {
    async fn migrations_applied_twice_apply_nothing_the_second_time(t: unmigrated) {
        let first = t.migrate().await.expect("first migrate");
        let second = t.migrate().await.expect("second migrate");

        let (first_name, at_least) = match t.backend {
            Backend::Postgres => ("0001_teams_and_memberships", 5),
            Backend::Sqlite => ("0001_schema", 3),
        };
        assert!(first.len() >= at_least, "{first:?}");
        assert_eq!(first[0], first_name);
        assert!(second.is_empty(), "{second:?}");
        let recorded: Vec<(String,)> = t
            .rows("SELECT name FROM schema_migrations ORDER BY version")
            .await;
        let recorded: Vec<String> = recorded.into_iter().map(|(name,)| name).collect();
        assert_eq!(recorded, first);
    }

    async fn two_concurrent_migrations_both_succeed_and_apply_each_file_once(t: unmigrated) {
        // Two handles of their own: two pools on PostgreSQL (serialised by an advisory lock),
        // two connections to one file on SQLite (serialised by its write lock).
        let (a, b) = (t.another_handle().await, t.another_handle().await);

        let (ra, rb) = tokio::join!(a.migrate(), b.migrate());

        let (ra, rb) = (ra.expect("migrate a"), rb.expect("migrate b"));
        // One of them did the work, the other found nothing left.
        assert!(ra.is_empty() != rb.is_empty(), "{ra:?} / {rb:?}");
        assert!(a.migrate().await.expect("third").is_empty());
        assert!(t.migrate().await.expect("fourth").is_empty());
    }

    async fn an_edited_applied_migration_is_refused_by_name(t) {
        t.execute("UPDATE schema_migrations SET checksum = 'abc' WHERE version = 2")
            .await
            .expect("tamper");

        let error = t.migrate().await.expect_err("edited migration accepted");

        assert!(
            matches!(error, StoreError::MigrationChanged { .. }),
            "{error:?}"
        );
        let file = t.sql("0002_pull_requests.sql", "0002_constraints.sql");
        assert!(error.to_string().contains(file), "{error}");
    }

    async fn a_migration_unknown_to_this_build_is_refused(t) {
        t.execute(t.sql(
            "INSERT INTO schema_migrations (version, name, checksum)
             VALUES (9999, '9999_future', 'x')",
            "INSERT INTO schema_migrations (version, name, checksum, applied_at)
             VALUES (9999, '9999_future', 'x', 0)",
        ))
        .await
        .expect("insert");

        let error = t.migrate().await.expect_err("unknown migration accepted");

        assert!(
            matches!(error, StoreError::UnknownMigration { version: 9999, .. }),
            "{error:?}"
        );
    }

    async fn ping_round_trips(t) {
        t.ping().await.expect("ping");
    }
}

#[tokio::test]
async fn an_unreachable_server_is_named_without_the_password() {
    // Port 1 on loopback: nothing listens there.
    let error = Store::connect("postgres://bob:hunter2@127.0.0.1:1/metrics", 2)
        .await
        .expect_err("connected to nothing");

    let message = format!("{error} / {error:?}");
    assert!(matches!(error, StoreError::Unreachable { .. }), "{message}");
    assert!(message.contains("127.0.0.1:1/metrics"), "{message}");
    assert!(message.contains("DATABASE_URL"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}

#[tokio::test]
async fn a_missing_database_is_reported_as_unreachable() {
    let url = format!(
        "{}_does_not_exist",
        store::testing::admin_url().trim_end_matches('/')
    );
    let error = Store::connect(&url, 1).await.expect_err("connected");
    assert!(matches!(error, StoreError::Unreachable { .. }), "{error:?}");
}

#[tokio::test]
async fn a_pool_of_zero_connections_is_refused() {
    let error = Store::connect(&store::testing::admin_url(), 0)
        .await
        .expect_err("zero-size pool accepted");
    assert!(matches!(error, StoreError::PoolConfig { .. }), "{error:?}");
}

#[tokio::test]
async fn a_sqlite_file_that_cannot_be_opened_is_named_with_database_url() {
    // SQLite's equivalent of an unreachable server: a directory that does not exist.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("missing").join("dorameter.db");

    let error = Store::connect(&format!("sqlite://{}", path.display()), 1)
        .await
        .expect_err("opened a file in a missing directory");

    let message = error.to_string();
    assert!(matches!(error, StoreError::SqliteOpen { .. }), "{error:?}");
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("DATABASE_URL"), "{message}");
    assert!(!error.is_transient(), "{error:?}");
}
