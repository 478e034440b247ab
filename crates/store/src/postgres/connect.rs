//! Turning `DATABASE_URL` into a connection pool: the one place that knows how connections are
//! made: TCP, TLS per `sslmode` (see `crate::tls`), a connect timeout, a bounded pool.

use crate::error::StoreError;
use crate::tls::{self, TlsSettings};
use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use std::time::Duration;
use tokio_postgres::config::Host;
use tokio_postgres::{Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

/// How long to wait for a server to accept a connection unless the URL says otherwise.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a caller may wait for a free pooled connection.
const POOL_WAIT_TIMEOUT: Duration = Duration::from_secs(30);

/// Parses a connection string (`postgres://…` URL or `key=value` pairs) without ever echoing it.
#[cfg(any(test, feature = "testing"))]
pub(crate) fn parse_database_url(database_url: &str) -> Result<Config, StoreError> {
    parse_connection(database_url).map(|(config, _)| config)
}

/// Parses a connection string into the driver's settings and the TLS settings.
pub(crate) fn parse_connection(database_url: &str) -> Result<(Config, TlsSettings), StoreError> {
    if database_url.trim().is_empty() {
        return Err(StoreError::InvalidDatabaseUrl {
            reason: "it is empty".into(),
        });
    }
    let (rest, tls) = tls::split_tls_settings(database_url)?;
    let mut config: Config =
        rest.parse()
            .map_err(|e: tokio_postgres::Error| StoreError::InvalidDatabaseUrl {
                reason: safe_parse_reason(&e),
            })?;
    if config.get_hosts().is_empty() {
        return Err(StoreError::InvalidDatabaseUrl {
            reason: "it names no host".into(),
        });
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("dorameter");
    }
    config.ssl_mode(tls.mode.driver_mode());
    Ok((config, tls))
}

/// The driver's parse errors name the offending option, except one kind that quotes a character
/// of the input: that one could be part of the password, so it is replaced.
fn safe_parse_reason(error: &tokio_postgres::Error) -> String {
    let reason = std::error::Error::source(error)
        .map_or_else(|| "unparseable".to_owned(), |cause| cause.to_string());
    if reason.contains("unexpected character") {
        "unexpected character; percent-encode special characters in the user name and password"
            .into()
    } else {
        reason
    }
}

/// `host:port/dbname` for messages: enough to tell which database, never the credentials.
pub(crate) fn describe_target(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(name)) => name.clone(),
        #[cfg(unix)]
        Some(Host::Unix(path)) => path.display().to_string(),
        None => "?".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let dbname = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("postgres");
    format!("{host}:{port}/{dbname}")
}

/// Builds the pool. Connections are opened lazily; the caller checks one works.
pub(crate) fn build_pool(
    config: Config,
    tls: &TlsSettings,
    target: &str,
    max_connections: usize,
) -> Result<Pool, StoreError> {
    if max_connections == 0 {
        return Err(StoreError::PoolConfig {
            target: target.to_owned(),
            reason: "the maximum number of connections must be at least 1".into(),
        });
    }
    let manager_config = ManagerConfig {
        // A broken connection shows up as a query error and is then discarded by the pool.
        recycling_method: RecyclingMethod::Fast,
    };
    let manager = match tls::client_config(tls)? {
        None => Manager::from_config(config, NoTls, manager_config),
        Some(client) => {
            Manager::from_config(config, MakeRustlsConnect::new(client), manager_config)
        }
    };
    Pool::builder(manager)
        .max_size(max_connections)
        .wait_timeout(Some(POOL_WAIT_TIMEOUT))
        .runtime(Runtime::Tokio1)
        .build()
        .map_err(|e| StoreError::PoolConfig {
            target: target.to_owned(),
            reason: e.to_string(),
        })
}

/// Maps a failure to get a pooled connection to the situation it means.
pub(crate) fn pool_error(target: &str, error: PoolError) -> StoreError {
    use deadpool_postgres::TimeoutType;
    let target = target.to_owned();
    match error {
        PoolError::Backend(source) => StoreError::Unreachable { target, source },
        PoolError::Timeout(kind) => StoreError::PoolTimeout {
            target,
            what: match kind {
                TimeoutType::Wait => "all connections busy",
                TimeoutType::Create => "opening a connection",
                TimeoutType::Recycle => "checking a pooled connection",
            },
        },
        PoolError::Closed => StoreError::PoolConfig {
            target,
            reason: "the pool has been closed".into(),
        },
        PoolError::NoRuntimeSpecified => StoreError::PoolConfig {
            target,
            reason: "no async runtime configured".into(),
        },
        PoolError::PostCreateHook(hook) => StoreError::PoolConfig {
            target,
            reason: hook.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_description_omits_credentials() {
        let config = parse_database_url("postgres://bob:s3cret@db.example:6543/metrics").unwrap();
        assert_eq!(describe_target(&config), "db.example:6543/metrics");
    }

    #[test]
    fn parse_errors_never_repeat_the_password() {
        for url in [
            "postgres://bob:p@ss@db:99999999/x",
            "postgres://bob:hunter2@db:notaport/x",
            "host=db password='hunter2",
            "postgres://bob:hunter2@db/x?sslmode=hunter2",
        ] {
            let Err(error) = parse_database_url(url) else {
                panic!("{url} should be refused");
            };
            let message = error.to_string();
            assert!(message.starts_with("DATABASE_URL"), "{message}");
            for secret in ["hunter2", "p@ss", "w%rd"] {
                assert!(!message.contains(secret), "{message}");
            }
        }
    }

    #[test]
    fn an_empty_url_is_refused_by_name() {
        let Err(error) = parse_database_url("  ") else {
            panic!("empty URL accepted");
        };
        assert!(error.to_string().contains("DATABASE_URL"));
    }
}
