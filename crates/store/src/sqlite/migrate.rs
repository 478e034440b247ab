//! The SQLite migrator: applies the embedded `migrations/sqlite/*.sql` not yet recorded in
//! `schema_migrations`, all in one IMMEDIATE transaction, so two processes migrating at once
//! take turns (the second finds nothing left to do).

use super::{Sqlite, now_micros};
use crate::error::StoreError;
use crate::migrations::{SQLITE_MIGRATIONS, check_recorded};
use rusqlite::{Connection, TransactionBehavior, params};

impl Sqlite {
    /// See [`crate::Store::migrate`].
    pub(crate) async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        self.run("migrating", apply_pending).await
    }
}

fn apply_pending(connection: &mut Connection) -> Result<Vec<String>, StoreError> {
    let what = "reading schema_migrations";
    let tx = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(StoreError::sqlite("starting the migration transaction"))?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             checksum   TEXT NOT NULL,
             applied_at INTEGER NOT NULL)",
    )
    .map_err(StoreError::sqlite("creating schema_migrations"))?;
    let recorded: Vec<(i64, String, String)> = {
        let mut statement = tx
            .prepare("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
            .map_err(StoreError::sqlite(what))?;
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .map_err(StoreError::sqlite(what))?;
        rows.collect::<Result<_, _>>()
            .map_err(StoreError::sqlite(what))?
    };
    let applied = check_recorded(SQLITE_MIGRATIONS, recorded)?;
    let mut names = Vec::new();
    for migration in SQLITE_MIGRATIONS
        .iter()
        .filter(|m| !applied.contains(&m.version))
    {
        let failed = |cause| StoreError::SqliteMigration {
            file: migration.file.to_owned(),
            cause,
        };
        tx.execute_batch(migration.sql).map_err(failed)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                migration.version,
                migration.name(),
                migration.checksum(),
                now_micros()
            ],
        )
        .map_err(failed)?;
        tracing::info!(migration = migration.name(), "applied SQLite migration");
        names.push(migration.name().to_owned());
    }
    tx.commit()
        .map_err(StoreError::sqlite("committing the migrations"))?;
    Ok(names)
}
