//! TLS to PostgreSQL: libpq's `sslmode` and `sslrootcert` read from `DATABASE_URL`, and the
//! rustls connector (aws-lc-rs, the one TLS stack of the workspace) they call for.
//!
//! tokio-postgres itself knows only `disable`, `prefer` and `require` and rejects `sslrootcert`,
//! so both are taken out of the connection string here before the driver parses the rest.
//!
//! | `sslmode`     | encrypted                  | certificate checked                       |
//! |---------------|----------------------------|-------------------------------------------|
//! | `disable`     | no                         | —                                         |
//! | `prefer`      | when the server offers TLS | no (as libpq, unless `sslrootcert` is set) |
//! | `require`     | yes, or the connection fails | no (as libpq, unless `sslrootcert` is set) |
//! | `verify-ca`   | yes                        | chain to a trusted root                   |
//! | `verify-full` | yes                        | chain, and the host name                  |
//!
//! Trusted roots are the file named by `sslrootcert`, else the embedded Amazon RDS CA bundle plus
//! the Amazon Trust Services roots RDS Proxy's certificates chain to. Use `verify-full` in AWS.

mod client_config;

pub(crate) use client_config::client_config;

use crate::error::StoreError;
use std::path::PathBuf;
use tokio_postgres::config::SslMode as DriverSslMode;

/// libpq's `sslmode`, all five values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SslMode {
    /// Plain TCP.
    Disable,
    /// TLS when the server offers it (the default, as in libpq).
    Prefer,
    /// TLS or fail; the certificate is not checked unless `sslrootcert` is given.
    Require,
    /// TLS, certificate chained to a trusted root; any host name.
    VerifyCa,
    /// TLS, certificate chained to a trusted root and issued for the host.
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Result<Self, StoreError> {
        Ok(match value {
            "disable" => Self::Disable,
            "allow" | "prefer" => Self::Prefer,
            "require" => Self::Require,
            "verify-ca" => Self::VerifyCa,
            "verify-full" => Self::VerifyFull,
            _ => {
                return Err(StoreError::InvalidDatabaseUrl {
                    reason: "sslmode must be disable, prefer, require, verify-ca or verify-full"
                        .into(),
                });
            }
        })
    }

    /// What the driver is told: it only needs to know whether TLS is optional.
    pub(crate) fn driver_mode(self) -> DriverSslMode {
        match self {
            Self::Disable => DriverSslMode::Disable,
            Self::Prefer => DriverSslMode::Prefer,
            Self::Require | Self::VerifyCa | Self::VerifyFull => DriverSslMode::Require,
        }
    }
}

/// The TLS settings of a connection string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TlsSettings {
    /// `sslmode`, `prefer` when absent.
    pub(crate) mode: SslMode,
    /// `sslrootcert`: a PEM file of trusted roots replacing the embedded ones.
    pub(crate) root_cert: Option<PathBuf>,
}

/// Splits `sslmode` and `sslrootcert` out of a `postgres://` URL or a `key=value` string; returns
/// the rest for the driver.
pub(crate) fn split_tls_settings(database_url: &str) -> Result<(String, TlsSettings), StoreError> {
    let trimmed = database_url.trim();
    let (rest, pairs) =
        if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
            split_url_query(trimmed)
        } else {
            split_key_values(trimmed)
        };
    let mut settings = TlsSettings {
        mode: SslMode::Prefer,
        root_cert: None,
    };
    for (key, value) in pairs {
        match key.as_str() {
            "sslmode" => settings.mode = SslMode::parse(&value)?,
            _ => settings.root_cert = Some(PathBuf::from(value)),
        }
    }
    Ok((rest, settings))
}

fn is_tls_key(key: &str) -> bool {
    key == "sslmode" || key == "sslrootcert"
}

/// URL form: drops the TLS parameters from the query string (values are percent-decoded).
fn split_url_query(url: &str) -> (String, Vec<(String, String)>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), Vec::new());
    };
    let mut kept = Vec::new();
    let mut taken = Vec::new();
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if is_tls_key(key) {
            taken.push((key.to_owned(), percent_decode(value)));
        } else {
            kept.push(pair);
        }
    }
    let rest = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (rest, taken)
}

fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `key=value` form (values optionally single-quoted with backslash escapes, as libpq): drops
/// the TLS pairs, keeps every other byte as written.
fn split_key_values(input: &str) -> (String, Vec<(String, String)>) {
    let mut rest = String::with_capacity(input.len());
    let mut taken = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut key = String::new();
        while let Some(&(_, c)) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        while chars
            .next_if(|&(_, c)| c.is_whitespace() || c == '=')
            .is_some()
        {}
        let mut value = String::new();
        if chars.next_if(|&(_, c)| c == '\'').is_some() {
            while let Some((_, c)) = chars.next() {
                match c {
                    '\'' => break,
                    '\\' => value.extend(chars.next().map(|(_, c)| c)),
                    c => value.push(c),
                }
            }
        } else {
            while let Some((_, c)) = chars.next_if(|&(_, c)| !c.is_whitespace()) {
                value.push(c);
            }
        }
        let end = chars.peek().map_or(input.len(), |&(i, _)| i);
        if is_tls_key(&key) {
            taken.push((key, value));
        } else {
            rest.push_str(&input[start..end]);
            rest.push(' ');
        }
    }
    (rest.trim_end().to_owned(), taken)
}

fn tls_error(reason: impl Into<String>) -> StoreError {
    StoreError::TlsConfig {
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::client_config::trusted_roots;
    use super::*;

    #[track_caller]
    fn check(input: &str, rest: &str, mode: SslMode, root_cert: Option<&str>) {
        let (got_rest, settings) = split_tls_settings(input).expect("parses");
        assert_eq!(got_rest, rest, "rest of {input}");
        assert_eq!(settings.mode, mode, "mode of {input}");
        assert_eq!(
            settings.root_cert,
            root_cert.map(PathBuf::from),
            "root of {input}"
        );
    }

    #[test]
    fn tls_parameters_are_taken_out_of_urls_and_key_value_strings() {
        use SslMode::*;
        check("postgres://u:p@h/db", "postgres://u:p@h/db", Prefer, None);
        check(
            "postgres://u@h/db?sslmode=disable",
            "postgres://u@h/db",
            Disable,
            None,
        );
        check(
            "postgresql://u@h/db?application_name=x&sslmode=verify-full&connect_timeout=3",
            "postgresql://u@h/db?application_name=x&connect_timeout=3",
            VerifyFull,
            None,
        );
        check(
            "postgres://u@h/db?sslrootcert=%2Fetc%2Fca.pem&sslmode=verify-ca",
            "postgres://u@h/db",
            VerifyCa,
            Some("/etc/ca.pem"),
        );
        check(
            "host=h user=u sslmode=require",
            "host=h user=u",
            Require,
            None,
        );
        check(
            "host=h password='a \\' sslmode=x' sslmode = verify-full sslrootcert='/a b.pem' dbname=d",
            "host=h password='a \\' sslmode=x' dbname=d",
            VerifyFull,
            Some("/a b.pem"),
        );
    }

    #[test]
    fn an_unknown_sslmode_is_refused_without_echoing_the_url() {
        let Err(error) = split_tls_settings("postgres://u:hunter2@h/db?sslmode=hunter2") else {
            panic!("accepted");
        };
        let message = error.to_string();
        assert!(
            message.contains("verify-full") && !message.contains("hunter2"),
            "{message}"
        );
    }

    #[test]
    fn the_embedded_bundle_loads_rds_and_rds_proxy_roots() {
        let roots = trusted_roots(None).expect("embedded roots");
        assert!(roots.len() >= 100, "{} roots", roots.len());
        let config = client_config(&TlsSettings {
            mode: SslMode::VerifyFull,
            root_cert: None,
        })
        .expect("config");
        assert!(config.is_some());
    }

    #[test]
    fn disable_needs_no_tls_config_and_a_missing_root_file_is_named() {
        let disabled = TlsSettings {
            mode: SslMode::Disable,
            root_cert: None,
        };
        assert!(client_config(&disabled).expect("ok").is_none());
        let missing = TlsSettings {
            mode: SslMode::VerifyFull,
            root_cert: Some("/nonexistent/root.pem".into()),
        };
        let Err(error) = client_config(&missing) else {
            panic!("accepted a missing file");
        };
        assert!(
            error.to_string().contains("/nonexistent/root.pem"),
            "{error}"
        );
    }
}
