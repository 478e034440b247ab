//! Raw SQL for tests, on whichever backend a [`Store`] has: [`execute`] and [`query`] run on the
//! store's own connections (so SQLite's registered functions, such as `percentile_cont`, are
//! there), and [`snapshot`] captures every row of every table together with what tells a
//! rewritten row from an untouched one, for "this changed nothing" assertions.

use crate::error::StoreError;
use crate::{Backend, Store};
use std::collections::BTreeMap;
use tokio_postgres::types::Type;

/// What a failing test statement reports as [`StoreError::failed_while`].
const WHAT: &str = "running a test's SQL";

/// One value of a [`query`] result, the same shape on both backends (SQLite has no booleans:
/// they come back as `Integer` 0 or 1).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// SQL NULL.
    Null,
    /// An integer column (PostgreSQL `int2`, `int4`, `int8`).
    Integer(i64),
    /// A floating-point column.
    Real(f64),
    /// A text column.
    Text(String),
    /// A PostgreSQL `boolean`.
    Bool(bool),
}

/// Every row of every table of a database, for comparing before and after an operation that
/// should have changed nothing.
///
/// Equal snapshots mean no row was written, not only that the values are the same. On
/// PostgreSQL each row carries its `xmin` (the transaction that last wrote it). On SQLite, the
/// first snapshot of a store handle installs temporary triggers on its connection that log every
/// row inserted, updated (even to its own values) or deleted through it; the log lives in the
/// writer's transaction, so a rolled-back write leaves no trace, as on PostgreSQL. A SQLite
/// file's bytes (database and write-ahead log) are compared too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// Table name → its rows, each a JSON object (prefixed with `xmin` on PostgreSQL), sorted.
    pub tables: BTreeMap<String, Vec<String>>,
    /// SQLite only: `"table OPERATION count"` of the committed row writes made through this
    /// handle since its first snapshot.
    pub row_writes: Vec<String>,
    /// SQLite only (and not in memory): hex SHA-256 of the database file followed by its
    /// `-wal` file.
    pub storage_digest: Option<String>,
}

/// Runs `sql` (one or more statements) on the store's database.
pub async fn execute(store: &Store, sql: &str) -> Result<(), StoreError> {
    match &store.backend {
        Backend::Postgres(pg) => pg
            .client()
            .await?
            .batch_execute(sql)
            .await
            .map_err(StoreError::query(WHAT)),
        #[cfg(feature = "sqlite")]
        Backend::Sqlite(db) => {
            let sql = sql.to_owned();
            db.run(WHAT, move |c| {
                c.execute_batch(&sql).map_err(StoreError::sqlite(WHAT))
            })
            .await
        }
    }
}

/// The rows `sql` (one statement) returns on the store's database. On PostgreSQL, columns must
/// be booleans, integers, floats or text (cast anything else in the SQL).
pub async fn query(store: &Store, sql: &str) -> Result<Vec<Vec<Cell>>, StoreError> {
    match &store.backend {
        Backend::Postgres(pg) => {
            let rows = pg
                .client()
                .await?
                .query(sql, &[])
                .await
                .map_err(StoreError::query(WHAT))?;
            rows.iter().map(postgres_row).collect()
        }
        #[cfg(feature = "sqlite")]
        Backend::Sqlite(db) => {
            let sql = sql.to_owned();
            db.run(WHAT, move |c| sqlite_rows(c, &sql)).await
        }
    }
}

/// Every row of every table of the store's database (see [`Snapshot`]). Panics if the
/// database cannot be read.
pub async fn snapshot(store: &Store) -> Snapshot {
    let snapshot = match &store.backend {
        Backend::Postgres(_) => postgres_snapshot(store).await,
        #[cfg(feature = "sqlite")]
        Backend::Sqlite(db) => sqlite::snapshot(db).await,
    };
    snapshot.unwrap_or_else(|e| panic!("snapshot of {}: {e:?}", store.target()))
}

/// The cells of a PostgreSQL row (booleans, integers, floats or text; panics on other types:
/// cast them in the SQL), for tests reading with their own `tokio_postgres::Client`.
pub fn postgres_row(row: &tokio_postgres::Row) -> Result<Vec<Cell>, StoreError> {
    (0..row.len())
        .map(|i| {
            let get_err = StoreError::query(WHAT);
            let column = &row.columns()[i];
            let ty = column.type_();
            let cell = if *ty == Type::BOOL {
                row.try_get::<_, Option<bool>>(i).map(|v| v.map(Cell::Bool))
            } else if *ty == Type::INT2 {
                row.try_get::<_, Option<i16>>(i)
                    .map(|v| v.map(|n| Cell::Integer(n.into())))
            } else if *ty == Type::INT4 {
                row.try_get::<_, Option<i32>>(i)
                    .map(|v| v.map(|n| Cell::Integer(n.into())))
            } else if *ty == Type::INT8 {
                row.try_get::<_, Option<i64>>(i)
                    .map(|v| v.map(Cell::Integer))
            } else if *ty == Type::FLOAT4 {
                row.try_get::<_, Option<f32>>(i)
                    .map(|v| v.map(|x| Cell::Real(x.into())))
            } else if *ty == Type::FLOAT8 {
                row.try_get::<_, Option<f64>>(i).map(|v| v.map(Cell::Real))
            } else if [Type::TEXT, Type::VARCHAR, Type::NAME, Type::BPCHAR].contains(ty) {
                row.try_get::<_, Option<String>>(i)
                    .map(|v| v.map(Cell::Text))
            } else {
                panic!(
                    "column {} has type {ty}: cast it to text in the test's SQL",
                    column.name()
                )
            };
            Ok(cell.map_err(get_err)?.unwrap_or(Cell::Null))
        })
        .collect()
}

async fn postgres_snapshot(store: &Store) -> Result<Snapshot, StoreError> {
    let names = query(
        store,
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    )
    .await?;
    let mut tables = BTreeMap::new();
    for name in names {
        let [Cell::Text(name)] = name.as_slice() else {
            unreachable!("one text column")
        };
        let sql = format!(
            "SELECT xmin::text || ' ' || to_jsonb(t)::text FROM \"{name}\" t
             ORDER BY to_jsonb(t)::text"
        );
        let rows = query(store, &sql)
            .await?
            .into_iter()
            .map(|row| match row.as_slice() {
                [Cell::Text(text)] => text.clone(),
                other => unreachable!("one text column, got {other:?}"),
            })
            .collect();
        tables.insert(name.clone(), rows);
    }
    Ok(Snapshot {
        tables,
        row_writes: Vec::new(),
        storage_digest: None,
    })
}

#[cfg(feature = "sqlite")]
fn sqlite_rows(c: &rusqlite::Connection, sql: &str) -> Result<Vec<Vec<Cell>>, StoreError> {
    use rusqlite::types::Value;
    let mut statement = c.prepare(sql).map_err(StoreError::sqlite(WHAT))?;
    let width = statement.column_count();
    let rows = statement
        .query_map([], |row| {
            (0..width)
                .map(|i| {
                    Ok(match row.get::<_, Value>(i)? {
                        Value::Null => Cell::Null,
                        Value::Integer(n) => Cell::Integer(n),
                        Value::Real(x) => Cell::Real(x),
                        Value::Text(s) => Cell::Text(s),
                        Value::Blob(b) => Cell::Text(format!("blob {b:02x?}")),
                    })
                })
                .collect::<rusqlite::Result<Vec<Cell>>>()
        })
        .map_err(StoreError::sqlite(WHAT))?;
    rows.collect::<Result<_, _>>()
        .map_err(StoreError::sqlite(WHAT))
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::{Cell, Snapshot, WHAT, sqlite_rows};
    use crate::error::StoreError;
    use crate::sqlite::Sqlite;
    use sha2::{Digest, Sha256};
    use std::collections::BTreeMap;

    /// The temporary log of row writes (see [`Snapshot`]).
    const LOG: &str = "CREATE TEMP TABLE IF NOT EXISTS snapshot_row_writes (
                           table_name TEXT NOT NULL, operation TEXT NOT NULL)";

    pub(super) async fn snapshot(db: &Sqlite) -> Result<Snapshot, StoreError> {
        let (tables, row_writes) = db
            .run(WHAT, |c| {
                let names = sqlite_rows(
                    c,
                    "SELECT name FROM main.sqlite_schema WHERE type = 'table' ORDER BY name",
                )?;
                c.execute_batch(LOG).map_err(StoreError::sqlite(WHAT))?;
                let mut tables = BTreeMap::new();
                for name in names {
                    let [Cell::Text(name)] = name.as_slice() else {
                        unreachable!("one text column")
                    };
                    // SQLite's own tables (sqlite_sequence) take no triggers.
                    if !name.starts_with("sqlite_") {
                        log_writes(c, name)?;
                    }
                    tables.insert(name.clone(), table_rows(c, name)?);
                }
                let row_writes = sqlite_rows(
                    c,
                    "SELECT table_name || ' ' || operation || ' ' || count(*)
                     FROM snapshot_row_writes GROUP BY table_name, operation
                     ORDER BY table_name, operation",
                )?
                .into_iter()
                .map(|row| match row.as_slice() {
                    [Cell::Text(text)] => text.clone(),
                    other => unreachable!("one text column, got {other:?}"),
                })
                .collect();
                Ok((tables, row_writes))
            })
            .await?;
        let storage_digest = db
            .target()
            .strip_prefix("sqlite:")
            .filter(|path| *path != ":memory:")
            .map(file_digest);
        Ok(Snapshot {
            tables,
            row_writes,
            storage_digest,
        })
    }

    /// Installs (once per connection) the temporary triggers logging writes to `table`.
    fn log_writes(c: &rusqlite::Connection, table: &str) -> Result<(), StoreError> {
        for operation in ["INSERT", "UPDATE", "DELETE"] {
            c.execute_batch(&format!(
                "CREATE TEMP TRIGGER IF NOT EXISTS \"snapshot_{table}_{operation}\"
                 AFTER {operation} ON \"{table}\"
                 BEGIN
                     INSERT INTO snapshot_row_writes VALUES ('{table}', '{operation}');
                 END"
            ))
            .map_err(StoreError::sqlite(WHAT))?;
        }
        Ok(())
    }

    /// Every row of `table` as a JSON object, sorted.
    fn table_rows(c: &rusqlite::Connection, table: &str) -> Result<Vec<String>, StoreError> {
        let sql = format!("SELECT * FROM main.\"{table}\"");
        let columns: Vec<String> = c
            .prepare(&sql)
            .map_err(StoreError::sqlite(WHAT))?
            .column_names()
            .into_iter()
            .map(str::to_owned)
            .collect();
        let mut rows: Vec<String> = sqlite_rows(c, &sql)?
            .into_iter()
            .map(|cells| json_object(&columns, cells))
            .collect();
        rows.sort();
        Ok(rows)
    }

    /// The row as a JSON object, floats in their shortest exact form.
    fn json_object(columns: &[String], cells: Vec<Cell>) -> String {
        let object: serde_json::Map<String, serde_json::Value> = columns
            .iter()
            .cloned()
            .zip(cells.into_iter().map(|cell| match cell {
                Cell::Null => serde_json::Value::Null,
                Cell::Integer(n) => n.into(),
                Cell::Real(x) => x.into(),
                Cell::Text(s) => s.into(),
                Cell::Bool(b) => b.into(),
            }))
            .collect();
        serde_json::Value::Object(object).to_string()
    }

    /// SHA-256 of the database file followed by its write-ahead log (absent: empty).
    fn file_digest(path: &str) -> String {
        let read = |path: &str| match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => panic!("reading {path}: {e}"),
        };
        let mut hasher = Sha256::new();
        let database = read(path);
        hasher.update((database.len() as u64).to_le_bytes());
        hasher.update(&database);
        hasher.update(read(&format!("{path}-wal")));
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}
