//! The PostgreSQL backend (production): a deadpool connection pool over tokio-postgres. Its
//! files mirror `sqlite/`, one per concern; the attribution rule is applied set-based in SQL
//! (`attribution.rs`), under one advisory lock that serialises writers (see [`locks`]).

mod attribution;
mod connect;
mod migrate;
mod pull_requests;
mod reads;
mod sync_state;
mod team_sync;
mod teams;

#[cfg(feature = "testing")]
pub(crate) use connect::{describe_target, parse_database_url};

use crate::error::StoreError;
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

/// The PostgreSQL backend: a connection pool.
#[derive(Clone)]
pub(crate) struct Postgres {
    pool: Pool,
    /// `host:port/dbname`, for error messages (never the password).
    target: Arc<str>,
}

impl Postgres {
    pub(crate) async fn connect(
        database_url: &str,
        max_connections: usize,
    ) -> Result<Self, StoreError> {
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

    pub(crate) async fn ping(&self) -> Result<(), StoreError> {
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

    /// `host:port/dbname`.
    pub(crate) fn target(&self) -> &str {
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
