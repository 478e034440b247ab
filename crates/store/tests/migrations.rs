//! Migrations: idempotent, safe to run concurrently, and refusing edited history, on both
//! backends; connection failures, named without secrets.

mod common;

use common::Backend;
use store::testing::TestDatabase;
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

#[tokio::test]
async fn sync_states_recorded_before_reach_existed_reach_their_oldest_stored_pr() {
    let (db, store) = TestDatabase::migrated_store().await;
    let client = db.client().await;
    // Back to the schema of a database migrated by the build before 0006.
    client
        .batch_execute(
            "ALTER TABLE repo_sync_state DROP COLUMN reach_since, DROP COLUMN reach_all,
                 DROP COLUMN resume_page_url;
             DELETE FROM schema_migrations WHERE name = '0006_sync_reach'",
        )
        .await
        .expect("undo 0006");
    let prs = [
        common::merged_pr(1, Some("alice"), "2025-03-01T10:00:00Z"),
        common::merged_pr(2, Some("alice"), "2025-01-15T08:30:00Z"),
        common::merged_pr(3, Some("bob"), "2025-06-01T00:00:00Z"),
    ];
    store.upsert_pull_requests(&prs).await.expect("upsert");
    client
        .batch_execute(
            "INSERT INTO repo_sync_state (repository, watermark, etag, updated_at) VALUES
                 ('acme/app', '2025-06-01T00:00:00Z', '\"e\"', now()),
                 ('acme/empty', NULL, '\"e\"', now())",
        )
        .await
        .expect("old states");

    assert_eq!(store.migrate().await.expect("migrate"), ["0006_sync_reach"]);

    let reach = |repository: &'static str| {
        let store = store.clone();
        async move {
            store
                .repo_sync_state(repository)
                .await
                .expect("read")
                .expect("state")
                .reach
        }
    };
    assert_eq!(
        reach("acme/app").await,
        store::SyncReach::Since(common::at("2025-01-15T08:30:00Z"))
    );
    assert_eq!(reach("acme/empty").await, store::SyncReach::Nothing);
}

#[tokio::test]
async fn an_unmigrated_or_missing_database_is_named_as_such() {
    let db = TestDatabase::create().await;
    let unmigrated = db.store().await;
    let error = unmigrated
        .repo_sync_state("acme/app")
        .await
        .expect_err("no table");
    assert!(
        error.is_missing_schema() && !error.is_transient(),
        "{error:?}"
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("fresh.db").display());
    let sqlite = Store::connect(&url, 1).await.expect("open");
    let error = sqlite
        .repo_sync_state("acme/app")
        .await
        .expect_err("no table");
    assert!(error.is_missing_schema(), "{error:?}");

    let missing = db.url.replace(&db.name, &format!("{}_absent", db.name));
    match Store::connect(&missing, 1).await {
        Err(error) => assert!(error.is_missing_database(), "{error:?}"),
        Ok(_) => panic!("connected to a database that does not exist"),
    }
    // connect_existing creates nothing: no PostgreSQL database, no SQLite file.
    assert!(
        Store::connect_existing(&missing, 1)
            .await
            .expect("no error")
            .is_none()
    );
    let absent = dir.path().join("absent.db");
    let absent_url = format!("sqlite://{}", absent.display());
    assert!(
        Store::connect_existing(&absent_url, 1)
            .await
            .expect("no error")
            .is_none()
    );
    assert!(!absent.exists());
    assert!(
        Store::connect_existing(&url, 1)
            .await
            .expect("opens")
            .is_some()
    );
    assert!(
        Store::connect_existing(&db.url, 1)
            .await
            .expect("opens")
            .is_some()
    );
}
