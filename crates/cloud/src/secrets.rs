//! Secrets: each one is either a plain variable (`GITHUB_TOKEN`, handy locally) or a Secrets
//! Manager secret named by ARN in `<NAME>_SECRET_ARN` (`GITHUB_TOKEN_SECRET_ARN`,
//! `DATABASE_URL_SECRET_ARN`, `API_KEYS_SECRET_ARN`, `TEAM_CONFIG_JSON_SECRET_ARN`).
//!
//! A secret is fetched once per cold start and cached; [`Secrets::refresh`] fetches it again
//! after a call failed with an authentication error (a rotated token or password), at most once
//! per `min_age` so that bad requests cannot make the function hammer Secrets Manager. Values
//! are [`SecretString`]s: they are never logged, and no error repeats them.

use crate::aws::Aws;
use crate::error::CloudError;
use crate::vars::Vars;
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, OnceCell};

/// Where a secret comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// The plain variable `NAME`.
    Plain,
    /// Secrets Manager, by this ARN (or name).
    Manager(String),
    /// Neither is set.
    Missing,
}

/// Outcome of [`Secrets::refresh`].
#[derive(Debug)]
pub enum Refreshed {
    /// Secrets Manager holds a new value; the cache now has it.
    Changed(SecretString),
    /// The value is the same as before (the failure was not a rotation).
    Unchanged,
    /// Not refreshed: a plain variable cannot change, or the last fetch is younger than
    /// `min_age`.
    Skipped,
}

#[derive(Debug)]
struct Cached {
    value: SecretString,
    fetched_at: Instant,
}

/// The secrets of one function instance, shared by its invocations.
#[derive(Debug)]
pub struct Secrets {
    vars: Vars,
    aws: Arc<Aws>,
    client: OnceCell<aws_sdk_secretsmanager::Client>,
    cache: Mutex<HashMap<String, Cached>>,
    fetches: AtomicU64,
}

impl Secrets {
    /// Reads variables from `vars`; AWS is only contacted for the first `_SECRET_ARN` secret.
    pub fn new(vars: Vars, aws: Arc<Aws>) -> Self {
        Self {
            vars,
            aws,
            client: OnceCell::new(),
            cache: Mutex::new(HashMap::new()),
            fetches: AtomicU64::new(0),
        }
    }

    /// Where `name` comes from: `<name>_SECRET_ARN` wins over `<name>`.
    pub fn source(&self, name: &str) -> SecretSource {
        if let Some(arn) = self.vars.get(&format!("{name}_SECRET_ARN")) {
            SecretSource::Manager(arn)
        } else if self.vars.get(name).is_some() {
            SecretSource::Plain
        } else {
            SecretSource::Missing
        }
    }

    /// The value: the cached one, else fetched (and cached), else the plain variable.
    pub async fn get(&self, name: &str, hint: &'static str) -> Result<SecretString, CloudError> {
        match self.source(name) {
            SecretSource::Plain => Ok(self.vars.get(name).unwrap_or_default().into()),
            SecretSource::Missing => Err(CloudError::MissingVariable {
                name: format!("{name} (or {name}_SECRET_ARN)"),
                hint,
            }),
            SecretSource::Manager(arn) => {
                let mut cache = self.cache.lock().await;
                if let Some(cached) = cache.get(name) {
                    return Ok(cached.value.clone());
                }
                let value = self.fetch(name, &arn).await?;
                cache.insert(name.to_owned(), cached(value.clone()));
                Ok(value)
            }
        }
    }

    /// Fetches `name` again unless it is plain or was fetched less than `min_age` ago.
    pub async fn refresh(&self, name: &str, min_age: Duration) -> Result<Refreshed, CloudError> {
        let SecretSource::Manager(arn) = self.source(name) else {
            return Ok(Refreshed::Skipped);
        };
        let mut cache = self.cache.lock().await;
        if cache
            .get(name)
            .is_some_and(|c| c.fetched_at.elapsed() < min_age)
        {
            return Ok(Refreshed::Skipped);
        }
        let value = self.fetch(name, &arn).await?;
        let same = cache
            .get(name)
            .is_some_and(|c| c.value.expose_secret() == value.expose_secret());
        cache.insert(name.to_owned(), cached(value.clone()));
        tracing::info!(secret = name, changed = !same, "secret refreshed");
        Ok(if same {
            Refreshed::Unchanged
        } else {
            Refreshed::Changed(value)
        })
    }

    /// The variables secrets are looked up in.
    pub fn vars(&self) -> &Vars {
        &self.vars
    }

    /// Calls to Secrets Manager so far (tests check the cache with it).
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    async fn fetch(&self, name: &str, arn: &str) -> Result<SecretString, CloudError> {
        let unavailable = |reason: String| CloudError::SecretUnavailable {
            name: name.to_owned(),
            arn: arn.to_owned(),
            reason,
        };
        let client = self
            .client
            .get_or_init(|| async {
                let config = aws_sdk_secretsmanager::config::Builder::from(self.aws.config().await);
                let config = match self.aws.endpoint("AWS_ENDPOINT_URL_SECRETS_MANAGER") {
                    Some(url) => config.endpoint_url(url),
                    None => config,
                };
                aws_sdk_secretsmanager::Client::from_conf(config.build())
            })
            .await;
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let output = client
            .get_secret_value()
            .secret_id(arn)
            .send()
            .await
            .map_err(|e| {
                unavailable(aws_sdk_secretsmanager::error::DisplayErrorContext(e).to_string())
            })?;
        tracing::info!(secret = name, "secret fetched from Secrets Manager");
        match output.secret_string() {
            Some(text) => Ok(SecretString::from(text.trim().to_owned())),
            None => Err(unavailable(
                "the secret has no string value (binary secrets are not supported)".into(),
            )),
        }
    }
}

fn cached(value: SecretString) -> Cached {
    Cached {
        value,
        fetched_at: Instant::now(),
    }
}

/// `DATABASE_URL` from its secret: either the URL itself, or the JSON document RDS and its
/// rotation functions keep (`username`, `password`, `host`, `port`, `dbname`), turned into a
/// libpq `key=value` string; `extra` (e.g. `sslmode=verify-full`) is appended to the latter.
pub fn database_url_from_secret(
    value: &SecretString,
    extra: Option<&str>,
) -> Result<SecretString, CloudError> {
    let text = value.expose_secret();
    if !text.starts_with('{') {
        return Ok(value.clone());
    }
    let invalid = |reason: &str| CloudError::InvalidVariable {
        name: "DATABASE_URL secret".into(),
        reason: reason.to_owned(),
    };
    let document: HashMap<String, serde_json::Value> = serde_json::from_str(text)
        .map_err(|_| invalid("it starts with { but is not a JSON object"))?;
    let field = |key: &str| -> Option<String> {
        match document.get(key)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let quote = |v: &str| format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"));
    let mut pairs = Vec::new();
    for (key, param, required) in [
        ("host", "host", true),
        ("port", "port", false),
        ("username", "user", true),
        ("password", "password", true),
        ("dbname", "dbname", false),
    ] {
        match field(key) {
            Some(v) => pairs.push(format!("{param}={}", quote(&v))),
            None if required => {
                return Err(invalid(&format!("the JSON secret has no string {key:?}")));
            }
            None => {}
        }
    }
    if let Some(extra) = extra {
        pairs.push(extra.to_owned());
    }
    Ok(SecretString::from(pairs.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_rds_json_secret_becomes_a_quoted_connection_string() {
        let secret = SecretString::from(
            r#"{"engine":"postgres","host":"db.x.rds.amazonaws.com","port":5432,"username":"app","password":"p'w\\d","dbname":"dorameter"}"#,
        );

        let url = database_url_from_secret(&secret, Some("sslmode=verify-full")).expect("valid");

        assert_eq!(
            url.expose_secret(),
            r"host='db.x.rds.amazonaws.com' port='5432' user='app' password='p\'w\\d' dbname='dorameter' sslmode=verify-full"
        );
    }

    #[test]
    fn a_json_secret_without_a_password_is_refused_without_echoing_it() {
        let secret = SecretString::from(r#"{"host":"h","username":"u","note":"hunter2"}"#);

        let error = database_url_from_secret(&secret, None).expect_err("accepted");

        assert!(error.to_string().contains("password"), "{error}");
        assert!(!error.to_string().contains("hunter2"));
    }
}
