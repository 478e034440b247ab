//! The migrator: applies the embedded `migrations/*.sql` files not yet recorded in
//! `schema_migrations`, in version order, each in its own transaction, under an advisory lock so
//! two processes migrating at once take turns (the second finds nothing left to do).

use super::{Postgres, column, locks};
use crate::error::StoreError;
use crate::migrations::{MIGRATIONS, MigrationFile, check_recorded};
use deadpool_postgres::Object;

const CREATE_SCHEMA_MIGRATIONS: &str = "
    CREATE TABLE IF NOT EXISTS schema_migrations (
        version    bigint PRIMARY KEY,
        name       text NOT NULL,
        checksum   text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
    )";

impl Postgres {
    /// Applies the migrations (`migrations/*.sql`, embedded at build time) not yet applied, in
    /// order, and returns their names (`0001_teams_and_memberships`, …). Idempotent, and safe when
    /// several processes run it at once: they are serialised by a session advisory lock. Refuses
    /// with [`StoreError::MigrationChanged`] if an applied file has been edited since.
    pub(crate) async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        let mut client = self.client().await?;
        client
            .execute("SELECT pg_advisory_lock($1)", &[&locks::MIGRATIONS])
            .await
            .map_err(StoreError::query("taking the migration lock"))?;
        let result = apply_pending(&mut client).await;
        // A lock that cannot be released must not go back to the pool: closing the connection
        // releases it.
        if let Err(error) = client
            .execute("SELECT pg_advisory_unlock($1)", &[&locks::MIGRATIONS])
            .await
        {
            tracing::warn!(%error, "could not release the migration lock; closing the connection");
            drop(Object::take(client));
        }
        result
    }
}

async fn apply_pending(client: &mut Object) -> Result<Vec<String>, StoreError> {
    client
        .batch_execute(CREATE_SCHEMA_MIGRATIONS)
        .await
        .map_err(StoreError::query("creating schema_migrations"))?;
    let rows = client
        .query(
            "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .map_err(StoreError::query("reading schema_migrations"))?;
    let what = "reading schema_migrations";
    let recorded = rows
        .iter()
        .map(|row| {
            Ok((
                column(row, 0, what)?,
                column(row, 1, what)?,
                column(row, 2, what)?,
            ))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let applied = check_recorded(MIGRATIONS, recorded)?;
    let mut names = Vec::new();
    for migration in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
        apply_one(client, migration).await?;
        tracing::info!(migration = migration.name(), "applied migration");
        names.push(migration.name().to_owned());
    }
    Ok(names)
}

async fn apply_one(client: &mut Object, migration: &MigrationFile) -> Result<(), StoreError> {
    let failed = |cause| StoreError::Migration {
        file: migration.file.to_owned(),
        cause,
    };
    let tx = client.transaction().await.map_err(failed)?;
    tx.batch_execute(migration.sql).await.map_err(failed)?;
    tx.execute(
        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
        &[&migration.version, &migration.name(), &migration.checksum()],
    )
    .await
    .map_err(failed)?;
    tx.commit().await.map_err(failed)
}
