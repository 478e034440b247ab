//! The PostgreSQL store of dorameter: the only crate that knows SQL.
//!
//! [`Store`] wraps a connection pool and offers a small API: migrations, the team config
//! (load, sync), pull requests (batched upserts, the collector's atomic page commits), set-based
//! attribution recompute, and the reads the HTTP API needs. Every write that changes PRs or
//! memberships recomputes the affected attributions in the same transaction, so
//! `pr_attributions` always agrees with `domain::attribute`.
//!
//! Writers are serialised by one advisory lock (see [`locks`]): syncs and recomputes take it
//! exclusively, PR upserts share it, so an upsert never computes attributions from memberships a
//! concurrent sync is replacing.

#![warn(missing_docs)]

mod attribution;
pub mod bench;
mod connect;
mod error;
mod metrics;
mod migrate;
mod pull_requests;
mod sync;
mod sync_state;
mod teams;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tls;

pub use error::StoreError;
pub use pull_requests::UpsertCounts;
pub use sync_state::{RepoSyncState, ResumePoint};
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

/// A handle on the database: a connection pool. Cloning is cheap and shares the pool.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// `host:port/dbname`, for error messages (never the password).
    target: Arc<str>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Builds a pool of at most `max_connections` connections to `database_url` (a
    /// `postgres://` URL or `key=value` string) and checks that one connection works. TLS follows
    /// libpq's `sslmode` (`disable`, `prefer` — the default —, `require`, `verify-ca`,
    /// `verify-full`) and `sslrootcert` (see [`tls`]); `connect_timeout` defaults to 5 s. Errors
    /// name `DATABASE_URL` and the target `host:port/dbname`, never the password.
    pub async fn connect(database_url: &str, max_connections: usize) -> Result<Store, StoreError> {
        let (config, tls) = connect::parse_connection(database_url)?;
        let target = connect::describe_target(&config);
        let pool = connect::build_pool(config, &tls, &target, max_connections)?;
        let store = Store {
            pool,
            target: target.into(),
        };
        store.ping().await?;
        Ok(store)
    }

    /// One `SELECT 1` round trip: the health check, and the benchmark's baseline.
    pub async fn ping(&self) -> Result<(), StoreError> {
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

    /// `host:port/dbname` of the database, safe to log.
    pub fn target(&self) -> &str {
        &self.target
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
