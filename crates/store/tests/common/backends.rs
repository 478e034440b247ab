//! Every store test runs on both backends: [`on_both_backends!`] turns one async test body into
//! `name::postgres` (a fresh PostgreSQL database, dropped afterwards) and `name::sqlite` (a fresh
//! SQLite file in a temp directory, deleted afterwards). The body gets a [`TestStore`]: the
//! [`Store`] under test, plus raw SQL and whole-database snapshots for what the store API does
//! not answer.

use std::fmt::Debug;
use std::ops::Deref;
use store::testing::{Cell, Snapshot, TestDatabase};
use store::{Store, StoreError};

/// Runs each async test body against both backends, as `name::postgres` and `name::sqlite`.
/// The body's argument is a migrated [`TestStore`] (`t`), or an unmigrated one
/// (`t: unmigrated`).
///
/// ```ignore
/// on_both_backends! {
///     async fn synced_config_reads_back_equal(t) { ... }
///     async fn migrations_apply_once(t: unmigrated) { ... }
/// }
/// ```
#[macro_export]
macro_rules! on_both_backends {
    () => {};
    (async fn $name:ident($t:ident: unmigrated) $body:block $($rest:tt)*) => {
        $crate::on_both_backends!(@test $name, $t, unmigrated, $body);
        $crate::on_both_backends!($($rest)*);
    };
    (async fn $name:ident($t:ident) $body:block $($rest:tt)*) => {
        $crate::on_both_backends!(@test $name, $t, migrated, $body);
        $crate::on_both_backends!($($rest)*);
    };
    (@test $name:ident, $t:ident, $make:ident, $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body($t: $crate::common::TestStore) $body

            #[tokio::test]
            async fn postgres() {
                body($crate::common::TestStore::$make($crate::common::Backend::Postgres).await)
                    .await
            }

            #[tokio::test]
            async fn sqlite() {
                body($crate::common::TestStore::$make($crate::common::Backend::Sqlite).await).await
            }
        }
    };
}

/// Which database a [`TestStore`] is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A fresh database on the test PostgreSQL server.
    Postgres,
    /// A fresh SQLite file in a temp directory.
    Sqlite,
}

/// A store on a fresh database for one test. Derefs to the [`Store`].
pub struct TestStore {
    /// The store under test.
    pub store: Store,
    /// Which backend it is.
    pub backend: Backend,
    database: Database,
}

/// What keeps the database alive for the test, and reaches it directly.
enum Database {
    /// Dropped (the database with it) after the test; `client` is a session of its own, so
    /// session settings (`SET TIME ZONE`) persist between raw statements.
    Postgres {
        db: TestDatabase,
        client: tokio_postgres::Client,
    },
    /// The temp directory holding the file, deleted after the test.
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
    },
}

impl Deref for TestStore {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}

/// What a failing raw statement reports as its [`StoreError::failed_while`].
const RAW_SQL: &str = "running a test's SQL";

impl TestStore {
    /// A fresh database on `backend`, migrated.
    pub async fn migrated(backend: Backend) -> Self {
        let t = Self::unmigrated(backend).await;
        t.store
            .migrate()
            .await
            .unwrap_or_else(|e| panic!("migrating {}: {e:?}", t.store.target()));
        t
    }

    /// A fresh, empty database on `backend`.
    pub async fn unmigrated(backend: Backend) -> Self {
        match backend {
            Backend::Postgres => Self::on_postgres(TestDatabase::create().await).await,
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                let store = Store::connect(&url, 1)
                    .await
                    .unwrap_or_else(|e| panic!("opening {url}: {e:?}"));
                assert!(store.is_sqlite());
                Self {
                    store,
                    backend,
                    database: Database::Sqlite { _dir: dir, url },
                }
            }
        }
    }

    /// A store on `db` as it is (for tests that configure the database first).
    pub async fn on_postgres(db: TestDatabase) -> Self {
        let store = db.store().await;
        let client = db.client().await;
        Self {
            store,
            backend: Backend::Postgres,
            database: Database::Postgres { db, client },
        }
    }

    /// A second, independent handle on the same database (its own pool or connection).
    pub async fn another_handle(&self) -> Store {
        match &self.database {
            Database::Postgres { db, .. } => db.store().await,
            Database::Sqlite { url, .. } => Store::connect(url, 1)
                .await
                .unwrap_or_else(|e| panic!("opening {url} again: {e:?}")),
        }
    }

    /// `postgres` on PostgreSQL, `sqlite` on SQLite: for the few statements whose dialects
    /// differ.
    pub fn sql<'a>(&self, postgres: &'a str, sqlite: &'a str) -> &'a str {
        match self.backend {
            Backend::Postgres => postgres,
            Backend::Sqlite => sqlite,
        }
    }

    /// Every row of every table, with what tells a rewritten row from an untouched one.
    pub async fn snapshot(&self) -> Snapshot {
        store::testing::snapshot(&self.store).await
    }

    /// Runs `sql` (one or more statements) directly on the database.
    pub async fn execute(&self, sql: &str) -> Result<(), StoreError> {
        match &self.database {
            Database::Postgres { client, .. } => {
                client
                    .batch_execute(sql)
                    .await
                    .map_err(|cause| StoreError::Query {
                        what: RAW_SQL,
                        cause,
                    })
            }
            Database::Sqlite { .. } => store::testing::execute(&self.store, sql).await,
        }
    }

    /// The rows of `sql` (one statement), each converted to `T` (a tuple of column types).
    /// Panics if the query fails or a value does not convert.
    pub async fn rows<T: FromRow>(&self, sql: &str) -> Vec<T> {
        let rows = match &self.database {
            Database::Postgres { client, .. } => client
                .query(sql, &[])
                .await
                .map_err(|cause| StoreError::Query {
                    what: RAW_SQL,
                    cause,
                })
                .and_then(|rows| rows.iter().map(store::testing::postgres_row).collect()),
            Database::Sqlite { .. } => store::testing::query(&self.store, sql).await,
        }
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        rows.iter()
            .map(|row| {
                T::from_row(row).unwrap_or_else(|| panic!("{sql}: cannot convert the row {row:?}"))
            })
            .collect()
    }

    /// The one value of a one-row, one-column query.
    pub async fn scalar<T: FromCell>(&self, sql: &str) -> T {
        let rows: Vec<(T,)> = self.rows(sql).await;
        match <[(T,); 1]>::try_from(rows) {
            Ok([(value,)]) => value,
            Err(rows) => panic!("{sql}: expected one row, got {}", rows.len()),
        }
    }

    /// `(repository, number, team_id, weight, cycle_time_hours)` of every stored attribution.
    pub async fn stored_attributions(&self) -> Vec<(String, i64, String, f64, f64)> {
        let order = self.sql(
            "ORDER BY p.repository, p.number, a.team_id COLLATE \"C\"",
            "ORDER BY p.repository, p.number, a.team_id",
        );
        self.rows(&format!(
            "SELECT p.repository, p.number, a.team_id, a.weight, a.cycle_time_hours
             FROM pr_attributions a JOIN pull_requests p ON p.id = a.pr_id
             {order}"
        ))
        .await
    }

    /// Asserts that `result` is the error of a statement that failed while `what`:
    /// [`StoreError::Query`] on PostgreSQL, `StoreError::Sqlite` on SQLite, with the same
    /// [`StoreError::failed_while`] on both.
    #[track_caller]
    pub fn assert_failed_while<T: Debug>(&self, result: &Result<T, StoreError>, what: &str) {
        let variant = match self.backend {
            Backend::Postgres => {
                matches!(result, Err(StoreError::Query { what: w, .. }) if *w == what)
            }
            Backend::Sqlite => {
                matches!(result, Err(StoreError::Sqlite { what: w, .. }) if *w == what)
            }
        };
        assert!(variant, "{:?}: {result:?}", self.backend);
        assert_eq!(
            result.as_ref().err().and_then(StoreError::failed_while),
            Some(what),
            "{result:?}"
        );
    }
}

/// A value of a raw query's column.
pub trait FromCell: Sized {
    /// `None` when the cell holds another type.
    fn from_cell(cell: &Cell) -> Option<Self>;
}

impl FromCell for i64 {
    fn from_cell(cell: &Cell) -> Option<Self> {
        match cell {
            Cell::Integer(n) => Some(*n),
            _ => None,
        }
    }
}

impl FromCell for f64 {
    fn from_cell(cell: &Cell) -> Option<Self> {
        match cell {
            Cell::Real(x) => Some(*x),
            _ => None,
        }
    }
}

/// PostgreSQL booleans, and SQLite's 0 and 1.
impl FromCell for bool {
    fn from_cell(cell: &Cell) -> Option<Self> {
        match cell {
            Cell::Bool(b) => Some(*b),
            Cell::Integer(0) => Some(false),
            Cell::Integer(1) => Some(true),
            _ => None,
        }
    }
}

impl FromCell for String {
    fn from_cell(cell: &Cell) -> Option<Self> {
        match cell {
            Cell::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl<T: FromCell> FromCell for Option<T> {
    fn from_cell(cell: &Cell) -> Option<Self> {
        match cell {
            Cell::Null => Some(None),
            other => T::from_cell(other).map(Some),
        }
    }
}

/// A row of a raw query: a tuple of [`FromCell`] values, one per column.
pub trait FromRow: Sized {
    /// `None` when the row has another width or a cell another type.
    fn from_row(cells: &[Cell]) -> Option<Self>;
}

macro_rules! from_row_for_tuples {
    ($(($($t:ident),+)),+) => {$(
        impl<$($t: FromCell),+> FromRow for ($($t,)+) {
            #[allow(non_snake_case)]
            fn from_row(cells: &[Cell]) -> Option<Self> {
                let [$($t),+] = cells else { return None };
                Some(($($t::from_cell($t)?,)+))
            }
        }
    )+};
}

from_row_for_tuples!((A), (A, B), (A, B, C), (A, B, C, D), (A, B, C, D, E));
