//! Test support (feature `testing`): a fresh PostgreSQL database per test, dropped afterwards;
//! and, on either backend, raw SQL and whole-database snapshots ([`snapshot`], [`query`],
//! [`execute`]) for assertions the store API does not answer.
//!
//! The server comes from `TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). A test that cannot reach it panics with a
//! message saying so: tests needing PostgreSQL never skip silently.

mod sql;

pub use sql::{Cell, Snapshot, execute, postgres_row, query, snapshot};

use crate::Store;
use crate::postgres::{describe_target, parse_database_url};
use tokio_postgres::NoTls;

/// The server used when `TEST_DATABASE_URL` is not set.
pub const DEFAULT_TEST_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database created for one test (`t_<uuid>`), dropped (`WITH (FORCE)`) when this is dropped.
pub struct TestDatabase {
    /// Connection URL of the test database.
    pub url: String,
    /// Its name, `t_<uuid without dashes>`.
    pub name: String,
    admin_url: String,
}

/// `TEST_DATABASE_URL`, or the default.
pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_TEST_DATABASE_URL.to_owned())
}

/// Connects to `url` with a plain client, panicking with a clear message when it cannot.
async fn connect_or_panic(url: &str) -> tokio_postgres::Client {
    let config = parse_database_url(url).unwrap_or_else(|e| panic!("TEST_DATABASE_URL: {e}"));
    let target = describe_target(&config);
    match config.connect(NoTls).await {
        Ok((client, connection)) => {
            tokio::spawn(connection);
            client
        }
        Err(e) => panic!(
            "cannot reach the test PostgreSQL at {target}: {e}. Start it (e.g. \
             `pg_ctlcluster 15 main start`) or point TEST_DATABASE_URL at one."
        ),
    }
}

impl TestDatabase {
    /// Creates an empty database on the test server. Panics if the server is unreachable.
    pub async fn create() -> Self {
        let admin_url = admin_url();
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut url = url::Url::parse(&admin_url)
            .unwrap_or_else(|e| panic!("TEST_DATABASE_URL must be a postgres:// URL: {e}"));
        url.set_path(&format!("/{name}"));
        let admin = connect_or_panic(&admin_url).await;
        admin
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e:?}"));
        Self {
            url: url.into(),
            name,
            admin_url,
        }
    }

    /// A fresh, migrated database and a store connected to it.
    pub async fn migrated_store() -> (Self, Store) {
        let db = Self::create().await;
        let store = db.store().await;
        store
            .migrate()
            .await
            .unwrap_or_else(|e| panic!("migrating test database {}: {e:?}", db.name));
        (db, store)
    }

    /// A store on this database (pool of 4).
    pub async fn store(&self) -> Store {
        Store::connect(&self.url, 4)
            .await
            .unwrap_or_else(|e| panic!("connecting to test database {}: {e:?}", self.name))
    }

    /// A plain client on this database, for assertions in raw SQL.
    pub async fn client(&self) -> tokio_postgres::Client {
        connect_or_panic(&self.url).await
    }

    /// How many tables the `public` schema holds (0 before any migration).
    pub async fn public_table_count(&self) -> i64 {
        self.client()
            .await
            .query_one(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
                &[],
            )
            .await
            .unwrap_or_else(|e| panic!("counting the tables of {}: {e:?}", self.name))
            .get(0)
    }
}

impl std::fmt::Debug for TestDatabase {
    /// The name only: the URLs may carry a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDatabase")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Drop for TestDatabase {
    /// Drops the database from a thread with its own runtime, so this works inside (and after)
    /// the test's runtime.
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        let dropped = std::thread::spawn(move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let (client, connection) = tokio_postgres::connect(&admin_url, NoTls)
                    .await
                    .map_err(|e| e.to_string())?;
                tokio::spawn(connection);
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await
                    .map_err(|e| format!("{e:?}"))
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("warning: could not drop test database {}: {e}", self.name),
            Err(_) => eprintln!("warning: dropping test database {} panicked", self.name),
        }
    }
}
