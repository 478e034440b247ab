//! The store of dorameter: the only crate that knows SQL.
//!
//! [`Store`] wraps a PostgreSQL connection pool or an embedded SQLite database (chosen by the
//! URL's scheme, see [`Store::connect`]) and offers a small API: migrations, the team config
//! (load, sync), pull requests (batched upserts, the collector's atomic page commits), set-based
//! attribution recompute, and the reads the HTTP API needs. Every write that changes PRs or
//! memberships recomputes the affected attributions in the same transaction, so
//! `pr_attributions` always agrees with `domain::attribute`.
//!
//! On PostgreSQL, writers are serialised by one advisory lock (see [`locks`]): syncs and recomputes take it
//! exclusively, PR upserts share it, so an upsert never computes attributions from memberships a
//! concurrent sync is replacing. SQLite has one connection, so writers take turns anyway; it
//! applies the attribution rule with `domain::attribute` itself (see `sqlite/attribution.rs`).

#![warn(missing_docs)]

/// Calls the same method on whichever backend the store has.
macro_rules! dispatch {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        match &$self.backend {
            Backend::Postgres(pg) => pg.$method($($arg),*).await,
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(db) => db.$method($($arg),*).await,
        }
    };
}

mod api;
mod attribution;
pub mod bench;
mod connect;
mod error;
mod instants;
mod metrics;
mod migrate;
mod pull_requests;
#[cfg(feature = "sqlite")]
mod sqlite;
mod sync;
mod sync_state;
mod teams;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tls;

pub use error::StoreError;
pub use pull_requests::UpsertCounts;
pub use sync_state::{RepoSyncState, ResumePoint, SyncReach};
pub use teams::TeamSummary;

use deadpool_postgres::{Object, Pool, Transaction};
use std::sync::Arc;
use tokio_postgres::Row;
use tokio_postgres::types::FromSql;

/// Advisory lock keys (arbitrary constants, unique to dorameter).
pub(crate) mod locks {
    /// Held (session level) while migrating.
    pub(crate) const MIGRATIONS: i64 = 0x646f_7261_0001;
    /// Held (transaction level) by every writer of memberships, PRs or attributions: exclusively
    /// by syncs and recomputes, shared by PR upserts.
    pub(crate) const ATTRIBUTION: i64 = 0x646f_7261_0002;
}

/// A handle on the database: a PostgreSQL connection pool or an embedded SQLite file, chosen by
/// the URL given to [`Store::connect`]. Cloning is cheap and shares the pool or connection.
/// Both backends behave the same for every method (every test in `crates/store/tests` runs on
/// both, and `conformance.rs` compares their output call by call).
#[derive(Clone)]
pub struct Store {
    backend: Backend,
}

/// The database behind a [`Store`].
#[derive(Clone)]
enum Backend {
    /// A server reached over the network (the production backend).
    Postgres(Postgres),
    /// A file (or memory) opened in-process (the local default and the demo).
    #[cfg(feature = "sqlite")]
    Sqlite(sqlite::Sqlite),
}

/// The PostgreSQL backend: a connection pool.
#[derive(Clone)]
pub(crate) struct Postgres {
    pool: Pool,
    /// `host:port/dbname`, for error messages (never the password).
    target: Arc<str>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("target", &self.target())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the database named by `database_url`:
    ///
    /// - `postgres://…`, `postgresql://…` or libpq's `key=value` pairs: a pool of at most `max_connections` connections to
    ///   PostgreSQL, checked with one round trip. TLS follows libpq's `sslmode` (`disable`,
    ///   `prefer` — the default —, `require`, `verify-ca`, `verify-full`) and `sslrootcert` (see
    ///   [`tls`]); `connect_timeout` defaults to 5 s. Errors name `DATABASE_URL` and the target
    ///   `host:port/dbname`, never the password.
    /// - `sqlite://PATH` (relative or absolute; created if missing) or `sqlite::memory:`: an
    ///   embedded SQLite database in WAL mode (`max_connections` is ignored: one connection
    ///   serves every call, in turn). Needs the `sqlite` feature (the CLI has it, the Lambda
    ///   functions do not): without it, [`StoreError::SqliteNotBuilt`].
    ///
    /// Anything else is [`StoreError::UnsupportedDatabaseUrl`].
    pub async fn connect(database_url: &str, max_connections: usize) -> Result<Store, StoreError> {
        // libpq's `key=value` form (`host=… dbname=…`) has no scheme and is PostgreSQL too.
        let key_value = !database_url.contains("://") && database_url.contains('=');
        let scheme = if key_value {
            Some("postgres")
        } else {
            database_url.split_once(':').map(|(scheme, _)| scheme)
        };
        let backend = match scheme {
            Some("postgres" | "postgresql") => {
                Backend::Postgres(Postgres::connect(database_url, max_connections).await?)
            }
            #[cfg(feature = "sqlite")]
            Some("sqlite") => Backend::Sqlite(sqlite::Sqlite::open(database_url).await?),
            #[cfg(not(feature = "sqlite"))]
            Some("sqlite") => return Err(StoreError::SqliteNotBuilt),
            _ => return Err(StoreError::UnsupportedDatabaseUrl),
        };
        Ok(Store { backend })
    }

    /// As [`Store::connect`], but creates nothing: `None` when the database does not exist yet
    /// (a SQLite file that is not there, a PostgreSQL database the server does not have). For
    /// callers that must write nothing, such as a dry run.
    pub async fn connect_existing(
        database_url: &str,
        max_connections: usize,
    ) -> Result<Option<Store>, StoreError> {
        #[cfg(feature = "sqlite")]
        if let Some(path) = sqlite::file_path(database_url)
            && !std::path::Path::new(path).exists()
        {
            return Ok(None);
        }
        match Self::connect(database_url, max_connections).await {
            Ok(store) => Ok(Some(store)),
            Err(e) if e.is_missing_database() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// One trivial query round trip: the health check, and the benchmark's baseline.
    pub async fn ping(&self) -> Result<(), StoreError> {
        dispatch!(self.ping())
    }

    /// Where the data lives, safe to log: `host:port/dbname` for PostgreSQL, `sqlite:PATH` for
    /// SQLite.
    pub fn target(&self) -> &str {
        match &self.backend {
            Backend::Postgres(pg) => &pg.target,
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(db) => db.target(),
        }
    }

    /// Whether this store is the embedded SQLite backend.
    pub fn is_sqlite(&self) -> bool {
        match self.backend {
            Backend::Postgres(_) => false,
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(_) => true,
        }
    }

    /// The PostgreSQL backend, or [`StoreError::Unsupported`] naming `what` needs it.
    pub(crate) fn postgres(&self, what: &'static str) -> Result<&Postgres, StoreError> {
        #[cfg(not(feature = "sqlite"))]
        let _ = what;
        match &self.backend {
            Backend::Postgres(pg) => Ok(pg),
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(_) => Err(StoreError::Unsupported { what }),
        }
    }
}

impl Postgres {
    async fn connect(database_url: &str, max_connections: usize) -> Result<Self, StoreError> {
        let (config, tls) = connect::parse_connection(database_url)?;
        let target = connect::describe_target(&config);
        let pool = connect::build_pool(config, &tls, &target, max_connections)?;
        let store = Postgres {
            pool,
            target: target.into(),
        };
        store.ping().await?;
        Ok(store)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached("SELECT 1")
            .await
            .map_err(StoreError::query("pinging the database"))?;
        client
            .query_one(&statement, &[])
            .await
            .map_err(StoreError::query("pinging the database"))?;
        Ok(())
    }

    /// A pooled connection.
    pub(crate) async fn client(&self) -> Result<Object, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|e| connect::pool_error(&self.target, e))
    }
}

/// Which hold of [`locks::ATTRIBUTION`] a write transaction takes.
#[derive(Clone, Copy)]
pub(crate) enum LockMode {
    /// Syncs and recomputes: alone.
    Exclusive,
    /// PR upserts: alongside each other, never alongside a sync.
    Shared,
}

/// Takes the attribution lock for the rest of `tx`. Must be the transaction's first statement,
/// so later statements (READ COMMITTED) see everything committed by the previous holder.
pub(crate) async fn lock_attributions(
    tx: &Transaction<'_>,
    mode: LockMode,
) -> Result<(), StoreError> {
    let sql = match mode {
        LockMode::Exclusive => "SELECT pg_advisory_xact_lock($1)",
        LockMode::Shared => "SELECT pg_advisory_xact_lock_shared($1)",
    };
    let what = "taking the attribution lock";
    let statement = tx
        .prepare_cached(sql)
        .await
        .map_err(StoreError::query(what))?;
    tx.execute(&statement, &[&locks::ATTRIBUTION])
        .await
        .map_err(StoreError::query(what))?;
    Ok(())
}

/// Reads column `index` of `row`, naming `what` the store was doing if the type is wrong.
pub(crate) fn column<'a, T: FromSql<'a>>(
    row: &'a Row,
    index: usize,
    what: &'static str,
) -> Result<T, StoreError> {
    row.try_get(index).map_err(StoreError::query(what))
}
