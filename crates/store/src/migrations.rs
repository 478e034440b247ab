//! The embedded migrations (`migrations/*.sql` for PostgreSQL, `migrations/sqlite/*.sql` for
//! SQLite; see `build.rs`) and the rule both migrators apply to what a database has recorded:
//! every recorded migration must be one this build knows, unedited.

use crate::error::StoreError;
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

/// The versions `recorded` (`(version, name, checksum)` rows of `schema_migrations`) says are
/// applied, after checking each against `known`: an unknown version is
/// [`StoreError::UnknownMigration`], an edited file [`StoreError::MigrationChanged`].
pub(crate) fn check_recorded(
    known: &[MigrationFile],
    recorded: Vec<(i64, String, String)>,
) -> Result<Vec<i64>, StoreError> {
    let mut applied = Vec::with_capacity(recorded.len());
    for (version, name, checksum) in recorded {
        let Some(file) = known.iter().find(|m| m.version == version) else {
            return Err(StoreError::UnknownMigration { version, name });
        };
        let current = file.checksum();
        if current != checksum {
            return Err(StoreError::MigrationChanged {
                file: file.file.to_owned(),
                applied: checksum,
                current,
            });
        }
        applied.push(version);
    }
    Ok(applied)
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
