//! The embedded SQLite backend: one connection to a file (or memory) in WAL mode, shared behind a
//! mutex and used from `tokio::task::spawn_blocking`, so async callers never block the runtime.
//! It offers the same operations as the PostgreSQL backend, with the same results (see
//! `crates/store/tests/conformance.rs`).

mod attribution;
mod functions;
mod migrate;
mod pull_requests;
mod teams;

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

/// The path of a `sqlite://PATH` (or `sqlite:PATH`) URL; `None` for other URLs and for
/// `sqlite::memory:`.
pub(crate) fn file_path(database_url: &str) -> Option<&str> {
    url_path(database_url).filter(|path| *path != ":memory:")
}

fn url_path(database_url: &str) -> Option<&str> {
    database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .filter(|path| !path.is_empty())
}

impl Sqlite {
    /// Opens (creating if missing) the database of a `sqlite://PATH` or `sqlite::memory:` URL,
    /// in WAL mode with foreign keys enforced, and registers the store's SQL functions.
    pub(crate) async fn open(database_url: &str) -> Result<Self, StoreError> {
        let path = url_path(database_url)
            .ok_or(StoreError::UnsupportedDatabaseUrl)?
            .to_owned();
        let target: Arc<str> = format!("sqlite:{path}").into();
        let opened = tokio::task::spawn_blocking(move || open_blocking(&path))
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

fn open_blocking(path: &str) -> Result<Connection, StoreError> {
    let failed = |source| StoreError::SqliteOpen {
        path: path.to_owned(),
        source,
    };
    let connection = if path == ":memory:" {
        Connection::open_in_memory()
    } else {
        Connection::open(path)
    }
    .map_err(failed)?;
    // busy_timeout first: switching a new file to WAL takes a lock that another process opening
    // or migrating the same file may hold for a moment. WAL: readers in other processes (a
    // second `serve`) do not block the writer. NORMAL synchronous is durable across application
    // crashes, which is what a local tool needs.
    connection
        .execute_batch(
            "PRAGMA busy_timeout = 5000;
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;",
        )
        .map_err(failed)?;
    functions::register(&connection).map_err(failed)?;
    Ok(connection)
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

#[cfg(test)]
mod views_tests;
