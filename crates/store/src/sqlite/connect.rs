//! Opening a SQLite database: the `sqlite://PATH` URL forms, the connection's pragmas (WAL,
//! foreign keys, a busy timeout) and the SQL functions the views need.

use crate::error::StoreError;
use rusqlite::Connection;

/// The path of a `sqlite://PATH` (or `sqlite:PATH`) URL; `None` for other URLs and for
/// `sqlite::memory:`.
pub(crate) fn file_path(database_url: &str) -> Option<&str> {
    url_path(database_url).filter(|path| *path != ":memory:")
}

pub(super) fn url_path(database_url: &str) -> Option<&str> {
    database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .filter(|path| !path.is_empty())
}

pub(super) fn open_blocking(path: &str) -> Result<Connection, StoreError> {
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
    super::reads::register_functions(&connection).map_err(failed)?;
    Ok(connection)
}
