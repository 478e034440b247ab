//! The store of dorameter: the only crate that knows SQL.
//!
//! [`Store`] wraps a PostgreSQL connection pool or an embedded SQLite database (chosen by the
//! URL's scheme, see [`Store::connect`]) and offers a small API: migrations, the team config
//! (load, sync), pull requests (batched upserts, the collector's atomic page commits), set-based
//! attribution recompute, and the reads the HTTP API needs. Every write that changes PRs or
//! memberships recomputes the affected attributions in the same transaction, so
//! `pr_attributions` always agrees with `domain::attribute`.
//!
//! On PostgreSQL, writers are serialised by one advisory lock (see `postgres/mod.rs`): syncs and recomputes take it
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

pub mod bench;
mod error;
mod instants;
mod migrations;
mod model;
mod operations;
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;
mod tls;

pub use error::StoreError;
pub use model::{RepoSyncState, ResumePoint, SyncReach, TeamSummary, UpsertCounts};

use postgres::Postgres;

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
    ///   `tls.rs`); `connect_timeout` defaults to 5 s. Errors name `DATABASE_URL` and the target
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
            Backend::Postgres(pg) => pg.target(),
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
