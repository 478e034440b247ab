//! The migrator: applies the embedded `migrations/*.sql` files not yet recorded in
//! `schema_migrations`, in version order, each in its own transaction, under an advisory lock so
//! two processes migrating at once take turns (the second finds nothing left to do).

use crate::error::StoreError;
use crate::{Postgres, column, locks};
use deadpool_postgres::Object;
use sha2::{Digest, Sha256};

/// One embedded migration file.
pub(crate) struct MigrationFile {
    /// The number the file name starts with.
    pub(crate) version: i64,
    /// The file name, e.g. `0001_teams_and_memberships.sql`.
    pub(crate) file: &'static str,
    /// Its content.
    pub(crate) sql: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

impl MigrationFile {
    /// The name recorded and reported: the file name without `.sql`.
    pub(crate) fn name(&self) -> &'static str {
        self.file.strip_suffix(".sql").unwrap_or(self.file)
    }

    /// Hex SHA-256 of the content, recorded to detect edits of applied migrations.
    pub(crate) fn checksum(&self) -> String {
        Sha256::digest(self.sql.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

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
    pub async fn migrate(&self) -> Result<Vec<String>, StoreError> {
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
    let mut applied = Vec::with_capacity(rows.len());
    for row in &rows {
        let what = "reading schema_migrations";
        let version: i64 = column(row, 0, what)?;
        let name: String = column(row, 1, what)?;
        let checksum: String = column(row, 2, what)?;
        let Some(known) = MIGRATIONS.iter().find(|m| m.version == version) else {
            return Err(StoreError::UnknownMigration { version, name });
        };
        let current = known.checksum();
        if current != checksum {
            return Err(StoreError::MigrationChanged {
                file: known.file.to_owned(),
                applied: checksum,
                current,
            });
        }
        applied.push(version);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_embedded_in_version_order() {
        assert!(!MIGRATIONS.is_empty());
        assert!(MIGRATIONS.windows(2).all(|w| w[0].version < w[1].version));
        assert_eq!(MIGRATIONS[0].name(), "0001_teams_and_memberships");
    }

    #[test]
    fn checksum_is_hex_sha256() {
        let m = &MIGRATIONS[0];
        assert_eq!(m.checksum().len(), 64);
        assert!(m.checksum().bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
