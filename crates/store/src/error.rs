//! The one error type of the store: what went wrong talking to PostgreSQL or SQLite, named by
//! situation.
//!
//! No variant ever carries the database password: connection targets are shown as
//! `host:port/dbname` only, and URL parse errors are reduced to the option they concern.

use thiserror::Error;

/// Why a store operation failed.
#[derive(Debug, Error)]
pub enum StoreError {
    /// `DATABASE_URL` could not be parsed (the password, if any, is not repeated here).
    #[error(
        "DATABASE_URL is not a valid PostgreSQL connection string ({reason}); expected postgres://user[:password]@host[:port]/dbname"
    )]
    InvalidDatabaseUrl {
        /// What is wrong with it, without its value.
        reason: String,
    },
    /// The TLS settings of `DATABASE_URL` (`sslmode`, `sslrootcert`) cannot be used.
    #[error("DATABASE_URL TLS settings: {reason}")]
    TlsConfig {
        /// What is wrong, e.g. an unreadable `sslrootcert` file.
        reason: String,
    },
    /// The connection pool could not be built (e.g. a zero maximum size).
    #[error("cannot build the PostgreSQL connection pool for {target}: {reason}")]
    PoolConfig {
        /// `host:port/dbname` of the database.
        target: String,
        /// Why the pool was refused.
        reason: String,
    },
    /// No connection could be opened: server down, wrong host or port, authentication refused,
    /// database missing.
    #[error("cannot connect to PostgreSQL at {target} (check DATABASE_URL)")]
    Unreachable {
        /// `host:port/dbname` of the database.
        target: String,
        /// What the driver reported.
        #[source]
        source: tokio_postgres::Error,
    },
    /// Every pooled connection stayed busy for longer than the pool's wait timeout.
    #[error("timed out waiting for a PostgreSQL connection to {target} ({what})")]
    PoolTimeout {
        /// `host:port/dbname` of the database.
        target: String,
        /// Which kind of wait timed out.
        what: &'static str,
    },
    /// A migration file failed to apply; it was rolled back.
    #[error("migration {file} failed: {}", postgres_cause(cause))]
    Migration {
        /// File name, e.g. `0003_attributions.sql`.
        file: String,
        /// What PostgreSQL reported (shown as its SQLSTATE and message only).
        cause: tokio_postgres::Error,
    },
    /// A migration that was already applied has been edited since.
    #[error(
        "migration {file} was applied with checksum {applied} but the file now has checksum {current}; \
         never edit an applied migration, add a new one instead"
    )]
    MigrationChanged {
        /// File name.
        file: String,
        /// SHA-256 recorded when it was applied.
        applied: String,
        /// SHA-256 of the file now.
        current: String,
    },
    /// The database records a migration this build does not know (a newer build migrated it).
    #[error(
        "the database has migration {version} ({name}) applied that this build does not know; \
         upgrade dorameter before running it against this database"
    )]
    UnknownMigration {
        /// Version number recorded in `schema_migrations`.
        version: i64,
        /// Name recorded in `schema_migrations`.
        name: String,
    },
    /// A statement failed.
    #[error("database query failed while {what}: {}", postgres_cause(cause))]
    Query {
        /// What the store was doing, e.g. `"upserting pull requests"`.
        what: &'static str,
        /// What PostgreSQL reported (shown as its SQLSTATE and message only).
        cause: tokio_postgres::Error,
    },
    /// `DATABASE_URL` names no backend this build knows.
    #[error(
        "DATABASE_URL must start with postgres://, postgresql:// or sqlite:// (for example sqlite://./dorameter.db or postgres://user@host/dbname)"
    )]
    UnsupportedDatabaseUrl,
    /// A `sqlite://` URL given to a build without the `sqlite` feature (the Lambda functions).
    #[error(
        "DATABASE_URL names SQLite, but this build of dorameter is PostgreSQL-only; use a postgres:// URL"
    )]
    SqliteNotBuilt,
    /// The SQLite file could not be opened or set up (missing directory, not a database, …).
    #[cfg(feature = "sqlite")]
    #[error("cannot open the SQLite database {path} (check DATABASE_URL)")]
    SqliteOpen {
        /// The file, as given in `DATABASE_URL`.
        path: String,
        /// What SQLite reported.
        #[source]
        source: rusqlite::Error,
    },
    /// A SQLite statement failed.
    #[cfg(feature = "sqlite")]
    #[error("SQLite query failed while {what}: {}", sqlite_cause(cause))]
    Sqlite {
        /// What the store was doing.
        what: &'static str,
        /// What SQLite reported (shown as its message and result code).
        cause: rusqlite::Error,
    },
    /// A SQLite migration file failed to apply; it was rolled back.
    #[cfg(feature = "sqlite")]
    #[error("SQLite migration {file} failed: {}", sqlite_cause(cause))]
    SqliteMigration {
        /// File name, e.g. `0001_schema.sql`.
        file: String,
        /// What SQLite reported (shown as its message and result code).
        cause: rusqlite::Error,
    },
    /// The blocking task running a SQLite call panicked or was cancelled.
    #[error("the SQLite worker stopped while {what}")]
    SqliteWorker {
        /// What the store was doing.
        what: &'static str,
    },
    /// The operation exists only on the PostgreSQL backend.
    #[error("{what} needs PostgreSQL (DATABASE_URL=postgres://…); it is not available on SQLite")]
    Unsupported {
        /// The operation, e.g. `"bench seeding"`.
        what: &'static str,
    },
    /// A value read from the database breaks an invariant the schema should guarantee.
    #[error("the database holds invalid data: {what}")]
    Corrupt {
        /// What is wrong.
        what: String,
    },
}

impl StoreError {
    /// Whether PostgreSQL refused the credentials (SQLSTATE class 28: wrong password, unknown
    /// role): the caller may re-read a rotated `DATABASE_URL` secret and reconnect.
    pub fn is_auth_failure(&self) -> bool {
        let source = match self {
            Self::Unreachable { source, .. } => source,
            Self::Query { cause, .. } | Self::Migration { cause, .. } => cause,
            _ => return false,
        };
        source
            .code()
            .is_some_and(|code| code.code().starts_with("28"))
    }

    /// Whether the database lacks the store's tables or columns: it was never migrated, or by an
    /// older build (PostgreSQL `undefined_table` / `undefined_column`, SQLite "no such table" /
    /// "no such column"). A dry run reads that as "nothing synced yet".
    pub fn is_missing_schema(&self) -> bool {
        match self {
            Self::Query { cause, .. } => cause
                .code()
                .is_some_and(|code| matches!(code.code(), "42P01" | "42703")),
            #[cfg(feature = "sqlite")]
            Self::Sqlite { cause, .. } => {
                let text = cause.to_string();
                text.contains("no such table") || text.contains("no such column")
            }
            _ => false,
        }
    }

    /// Whether PostgreSQL answered that the database named in `DATABASE_URL` does not exist
    /// (SQLSTATE 3D000).
    pub fn is_missing_database(&self) -> bool {
        match self {
            Self::Unreachable { source: cause, .. } | Self::Query { cause, .. } => {
                cause.code().is_some_and(|code| code.code() == "3D000")
            }
            _ => false,
        }
    }

    /// Whether the same operation may succeed later with nothing changed (server down or
    /// restarting, connection lost, pool busy); `false` for configuration and data problems.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::PoolTimeout { .. } => true,
            // Another process held the SQLite file's write lock past busy_timeout.
            #[cfg(feature = "sqlite")]
            Self::Sqlite { cause, .. } => matches!(
                cause.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ),
            Self::Unreachable { source: cause, .. } | Self::Query { cause, .. } => {
                !self.is_auth_failure()
                    && cause.code().is_none_or(|code| {
                        // 08: connection exception, 40: rollback (serialization, deadlock),
                        // 53: insufficient resources, 57: operator intervention (shutdown).
                        ["08", "40", "53", "57"]
                            .iter()
                            .any(|class| code.code().starts_with(class))
                    })
            }
            _ => false,
        }
    }

    /// What the store was doing when a statement failed (the `what` of [`StoreError::Query`]
    /// on PostgreSQL and of `StoreError::Sqlite` on SQLite): the same text on both backends for
    /// the same operation, so callers and tests need not match the backend's variant.
    pub fn failed_while(&self) -> Option<&'static str> {
        match self {
            Self::Query { what, .. } => Some(what),
            #[cfg(feature = "sqlite")]
            Self::Sqlite { what, .. } => Some(what),
            _ => None,
        }
    }

    /// Whether the database refused the data because it breaks a schema constraint (a unique
    /// key, a check, a foreign key, the no-overlap rule of memberships, the slug rule of team
    /// ids): SQLSTATE class 23 on PostgreSQL, `SQLITE_CONSTRAINT` on SQLite (which is also what
    /// the constraint triggers of `migrations/sqlite/0002_constraints.sql` raise). Retrying the
    /// same write cannot succeed.
    pub fn is_constraint_violation(&self) -> bool {
        match self {
            Self::Query { cause, .. } => cause
                .code()
                .is_some_and(|code| code.code().starts_with("23")),
            #[cfg(feature = "sqlite")]
            Self::Sqlite { cause, .. } => {
                cause.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation)
            }
            _ => false,
        }
    }

    /// A closure for `map_err` naming what the SQLite store was doing.
    #[cfg(feature = "sqlite")]
    pub(crate) fn sqlite(what: &'static str) -> impl FnOnce(rusqlite::Error) -> Self {
        move |cause| Self::Sqlite { what, cause }
    }

    /// A closure for `map_err` naming what the store was doing.
    pub(crate) fn query(what: &'static str) -> impl FnOnce(tokio_postgres::Error) -> Self {
        move |cause| Self::Query { what, cause }
    }
}

/// What PostgreSQL said, for messages and logs: the SQLSTATE and the primary message only.
/// The `DETAIL` and `WHERE` parts are left out because they may quote row values (`Key
/// (login)=(…) already exists`); parameters are never part of an error. Errors that did not
/// come from the server (a lost connection, a value that cannot be encoded) are shown as the
/// driver words them.
pub(crate) fn postgres_cause(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => error.to_string(),
    }
}

/// What SQLite said, for messages and logs: its message and its (extended) result code.
#[cfg(feature = "sqlite")]
pub(crate) fn sqlite_cause(error: &rusqlite::Error) -> String {
    match error {
        rusqlite::Error::SqliteFailure(failure, message) => format!(
            "{} ({:?}, code {})",
            message.as_deref().unwrap_or("no message"),
            failure.code,
            failure.extended_code
        ),
        other => other.to_string(),
    }
}
