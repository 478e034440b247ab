//! The embedded SQLite backend: one connection to a file (or memory) in WAL mode, shared behind a
//! mutex and used from `tokio::task::spawn_blocking`, so async callers never block the runtime.
//! It offers the same operations as the PostgreSQL backend, with the same results (see
//! `crates/store/tests/conformance.rs`).

mod attribution;
mod connect;
mod migrate;
mod pull_requests;
mod reads;
mod sync_state;
mod team_sync;
mod teams;

pub(crate) use connect::file_path;

use crate::error::StoreError;
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use std::sync::{Arc, Mutex, PoisonError};

/// A SQLite database opened in-process.
#[derive(Clone)]
pub(crate) struct Sqlite {
    connection: Arc<Mutex<Connection>>,
    /// `sqlite:PATH`, for logs.
    target: Arc<str>,
}

impl Sqlite {
    /// Opens (creating if missing) the database of a `sqlite://PATH` or `sqlite::memory:` URL,
    /// in WAL mode with foreign keys enforced, and registers the store's SQL functions.
    pub(crate) async fn open(database_url: &str) -> Result<Self, StoreError> {
        let path = connect::url_path(database_url)
            .ok_or(StoreError::UnsupportedDatabaseUrl)?
            .to_owned();
        let target: Arc<str> = format!("sqlite:{path}").into();
        let opened = tokio::task::spawn_blocking(move || connect::open_blocking(&path))
            .await
            .map_err(|_| StoreError::SqliteWorker {
                what: "opening the database",
            })??;
        Ok(Self {
            connection: Arc::new(Mutex::new(opened)),
            target,
        })
    }

    /// `sqlite:PATH`.
    pub(crate) fn target(&self) -> &str {
        &self.target
    }

    /// Runs `f` on the connection in a blocking task.
    pub(crate) async fn run<T, F>(&self, what: &'static str, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            // A panic in an earlier call rolled its transaction back (Transaction's Drop), so
            // the connection is usable: take it back from the poisoned mutex.
            let mut connection = connection.lock().unwrap_or_else(PoisonError::into_inner);
            f(&mut connection)
        })
        .await
        .map_err(|_| StoreError::SqliteWorker { what })?
    }

    /// `SELECT 1`.
    pub(crate) async fn ping(&self) -> Result<(), StoreError> {
        let what = "pinging the database";
        self.run(what, move |c| {
            c.query_row("SELECT 1", [], |_| Ok(()))
                .map_err(StoreError::sqlite(what))
        })
        .await
    }
}

/// An instant as stored: microseconds since the epoch, floored (PostgreSQL's precision; the
/// shared path of [`crate::Store`] already rounds every instant it is given to whole
/// microseconds, so nothing is lost here).
pub(crate) fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// An instant read back from a microseconds column.
pub(crate) fn instant(us: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(us).ok_or_else(|| StoreError::Corrupt {
        what: format!("instant {us} µs is out of range"),
    })
}

/// An optional instant read back.
pub(crate) fn optional_instant(us: Option<i64>) -> Result<Option<DateTime<Utc>>, StoreError> {
    us.map(instant).transpose()
}

/// Now, in stored form (for `created_at`/`updated_at` bookkeeping columns).
pub(crate) fn now_micros() -> i64 {
    micros(Utc::now())
}
