//! Migrations: idempotent, safe to run concurrently, and refusing edited history.

mod common;

use store::testing::TestDatabase;
use store::{Store, StoreError};

#[tokio::test]
async fn migrations_applied_twice_apply_nothing_the_second_time() {
    let db = TestDatabase::create().await;
    let store = db.store().await;

    let first = store.migrate().await.expect("first migrate");
    let second = store.migrate().await.expect("second migrate");

    assert!(first.len() >= 5, "{first:?}");
    assert_eq!(first[0], "0001_teams_and_memberships");
    assert!(second.is_empty(), "{second:?}");
    let client = db.client().await;
    let recorded: Vec<String> = client
        .query("SELECT name FROM schema_migrations ORDER BY version", &[])
        .await
        .expect("schema_migrations")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(recorded, first);
}

#[tokio::test]
async fn two_concurrent_migrations_both_succeed_and_apply_each_file_once() {
    let db = TestDatabase::create().await;
    let (a, b) = (db.store().await, db.store().await);

    let (ra, rb) = tokio::join!(a.migrate(), b.migrate());

    let (ra, rb) = (ra.expect("migrate a"), rb.expect("migrate b"));
    // One of them did the work, the other found nothing left.
    assert!(ra.is_empty() != rb.is_empty(), "{ra:?} / {rb:?}");
    assert!(a.migrate().await.expect("third").is_empty());
}

#[tokio::test]
async fn an_edited_applied_migration_is_refused_by_name() {
    let (db, store) = TestDatabase::migrated_store().await;
    db.client()
        .await
        .execute(
            "UPDATE schema_migrations SET checksum = 'abc' WHERE version = 2",
            &[],
        )
        .await
        .expect("tamper");

    let error = store
        .migrate()
        .await
        .expect_err("edited migration accepted");

    assert!(
        matches!(error, StoreError::MigrationChanged { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("0002_pull_requests.sql"),
        "{error}"
    );
}

#[tokio::test]
async fn a_migration_unknown_to_this_build_is_refused() {
    let (db, store) = TestDatabase::migrated_store().await;
    db.client()
        .await
        .execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, '9999_future', 'x')",
            &[],
        )
        .await
        .expect("insert");

    let error = store
        .migrate()
        .await
        .expect_err("unknown migration accepted");

    assert!(
        matches!(error, StoreError::UnknownMigration { version: 9999, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn ping_round_trips() {
    let (_db, store) = TestDatabase::migrated_store().await;
    store.ping().await.expect("ping");
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
