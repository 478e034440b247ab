//! The functions' settings, read from [`Vars`] under the CLI's variable names, checked at cold
//! start with errors that name the variable; and the database connection both functions make.

use crate::error::CloudError;
use crate::secrets::{Refreshed, Secrets, database_url_from_secret};
use crate::vars::Vars;
use chrono::{DateTime, Duration as Span, Utc};
use collector::SyncSettings;
use collector::settings::{self, Since};
use secrecy::{ExposeSecret, SecretString};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};
use store::Store;

/// Where the collector reads the team config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamSource {
    /// `TEAM_CONFIG`: a file, relative paths from `LAMBDA_TASK_ROOT` (where `bootstrap` and
    /// the files bundled with it are unpacked).
    File(PathBuf),
    /// `TEAM_CONFIG_JSON`, or the secret named by `TEAM_CONFIG_JSON_SECRET_ARN` (up to 64 KB,
    /// past Lambda's 4 KB of environment).
    Document,
}

/// Everything a collector run needs besides secrets.
#[derive(Debug, Clone)]
pub struct CollectorSettings {
    pub repositories: Vec<String>,
    /// `SYNC_SINCE`, resolved against each run's start.
    pub since: Since,
    pub overlap: Span,
    /// `SYNC_BUDGET`: a cap on a run's length; the invocation deadline usually binds first.
    pub budget_cap: Option<Duration>,
    /// `SYNC_BUDGET`'s default, the budget of a run without a deadline (as `dorameter sync`).
    default_budget: Duration,
    /// `SYNC_SAFETY_MARGIN` (default 30s): time kept back before the invocation's deadline to
    /// finish the page in flight, publish metrics and return.
    pub safety_margin: Duration,
    pub concurrency: usize,
    /// `DATABASE_MAX_CONNECTIONS` (default 2, at most 4: Lambda instances multiply it).
    pub max_connections: usize,
    /// `DATABASE_MIGRATE` (default true): apply pending migrations once per cold start, before
    /// the first run, so a new deployment needs no separate step to reach a private database.
    pub migrate: bool,
    pub teams: TeamSource,
    github_api_url: String,
    github_timeout: Duration,
    github_max_attempts: u32,
    github_retry_base_delay: Duration,
    github_secondary_wait: Duration,
}

/// Largest pool one instance opens: every concurrent instance opens its own, and a small RDS
/// instance allows ~80 connections in all.
const MAX_POOL_SIZE: usize = 4;
/// The pool size when `DATABASE_MAX_CONNECTIONS` is unset.
const DEFAULT_POOL_SIZE: usize = 2;

/// `DATABASE_MAX_CONNECTIONS` (default 2), kept within 1..=4 with a warning when set outside.
pub(crate) fn pool_size(vars: &Vars) -> Result<usize, CloudError> {
    let asked = if vars.is_set(settings::DATABASE_MAX_CONNECTIONS.var) {
        vars.setting(&settings::DATABASE_MAX_CONNECTIONS)?
    } else {
        DEFAULT_POOL_SIZE
    };
    let size = asked.clamp(1, MAX_POOL_SIZE);
    if size != asked {
        tracing::warn!(
            asked,
            used = size,
            "DATABASE_MAX_CONNECTIONS is kept within 1..=4 in Lambda"
        );
    }
    Ok(size)
}

impl CollectorSettings {
    /// Reads and checks every plain setting; each shared with the CLI is read through its one
    /// definition in [`collector::settings`].
    pub fn from_vars(vars: &Vars) -> Result<Self, CloudError> {
        if !vars.is_set("REPOSITORIES") {
            return Err(CloudError::MissingVariable {
                name: "REPOSITORIES".into(),
                hint: "comma-separated owner/name",
            });
        }
        let repositories = settings::repositories(vars.get("REPOSITORIES").as_deref())?;
        let teams = match vars.get("TEAM_CONFIG") {
            Some(path) => {
                let path = PathBuf::from(path);
                match (path.is_relative(), vars.get("LAMBDA_TASK_ROOT")) {
                    (true, Some(root)) => TeamSource::File(PathBuf::from(root).join(path)),
                    _ => TeamSource::File(path),
                }
            }
            None => TeamSource::Document,
        };
        let overlap = vars.setting(&settings::SYNC_OVERLAP)?;
        let budget = vars.setting(&settings::SYNC_BUDGET)?;
        let budget_cap = vars.is_set(settings::SYNC_BUDGET.var).then_some(budget);
        // A date in the future is refused at cold start as the CLI refuses it; a duration is
        // resolved again at each run.
        let since = vars.setting(&settings::SYNC_SINCE)?;
        since.backfill(Utc::now())?;
        Ok(Self {
            repositories,
            since,
            overlap: settings::span(&settings::SYNC_OVERLAP, overlap)?,
            budget_cap,
            default_budget: budget,
            safety_margin: vars.duration("SYNC_SAFETY_MARGIN", Duration::from_secs(30))?,
            concurrency: vars.setting(&settings::SYNC_CONCURRENCY)?.max(1),
            max_connections: pool_size(vars)?,
            migrate: vars.flag("DATABASE_MIGRATE", true)?,
            teams,
            github_api_url: vars.setting(&settings::GITHUB_API_URL)?,
            github_timeout: vars.setting(&settings::GITHUB_REQUEST_TIMEOUT)?,
            github_max_attempts: vars.setting(&settings::GITHUB_MAX_ATTEMPTS)?,
            github_retry_base_delay: vars.setting(&settings::GITHUB_RETRY_BASE_DELAY)?,
            github_secondary_wait: vars.setting(&settings::GITHUB_SECONDARY_RATE_LIMIT_WAIT)?,
        })
    }

    /// The run's budget: what is left before `deadline` minus the safety margin, capped by
    /// `SYNC_BUDGET`; without a deadline, `SYNC_BUDGET` (default 10 minutes).
    pub fn budget(&self, deadline: Option<SystemTime>, now: SystemTime) -> Duration {
        match deadline {
            Some(deadline) => {
                let left = deadline.duration_since(now).unwrap_or(Duration::ZERO);
                let budget = left.saturating_sub(self.safety_margin);
                self.budget_cap.map_or(budget, |cap| budget.min(cap))
            }
            None => self.budget_cap.unwrap_or(self.default_budget),
        }
    }

    /// The collector's settings for a run with `budget` starting at `now`.
    pub fn sync_settings(
        &self,
        budget: Duration,
        now: DateTime<Utc>,
    ) -> Result<SyncSettings, CloudError> {
        let mut settings = SyncSettings::new(self.repositories.clone(), now);
        settings.backfill = self.since.backfill(now)?;
        settings.overlap = self.overlap;
        settings.budget = budget;
        settings.concurrency = self.concurrency;
        Ok(settings)
    }

    /// The GitHub client's settings with `token`.
    pub fn github_config(&self, token: SecretString) -> github::GithubConfig {
        let mut config = github::GithubConfig::new(self.github_api_url.clone(), token);
        config.request_timeout = self.github_timeout;
        config.max_attempts = self.github_max_attempts;
        config.retry_base_delay = self.github_retry_base_delay;
        config.secondary_rate_limit_wait = self.github_secondary_wait;
        config.max_concurrent_requests = self.concurrency;
        config
    }
}

const DATABASE_URL_HINT: &str =
    "a PostgreSQL URL, e.g. postgres://user:pass@host:5432/dorameter?sslmode=verify-full";

/// Connects to `DATABASE_URL` (plain or from its secret). When PostgreSQL refuses the
/// credentials, the secret is re-read (if older than `min_age`) and, if it changed, the
/// connection tried once more.
pub async fn connect_store(
    secrets: &Secrets,
    max_connections: usize,
    min_age: Duration,
) -> Result<Store, CloudError> {
    let url = database_url(
        secrets,
        secrets.get("DATABASE_URL", DATABASE_URL_HINT).await?,
    )?;
    match Store::connect(url.expose_secret(), max_connections).await {
        Err(error) if error.is_auth_failure() => {
            if let Refreshed::Changed(value) = secrets.refresh("DATABASE_URL", min_age).await? {
                tracing::warn!(
                    "PostgreSQL refused the credentials; retrying with the rotated secret"
                );
                let url = database_url(secrets, value)?;
                return Ok(Store::connect(url.expose_secret(), max_connections).await?);
            }
            Err(error.into())
        }
        other => Ok(other?),
    }
}

/// A secret in RDS's JSON form gets `DATABASE_SSLMODE` (default `verify-full`) appended.
fn database_url(secrets: &Secrets, value: SecretString) -> Result<SecretString, CloudError> {
    let sslmode = secrets
        .vars()
        .get("DATABASE_SSLMODE")
        .unwrap_or_else(|| "verify-full".into());
    database_url_from_secret(&value, Some(&format!("sslmode={sslmode}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(extra: &[(&str, &str)]) -> CollectorSettings {
        let vars = Vars::from_pairs([("REPOSITORIES", "acme/widgets")]).with(extra.to_vec());
        CollectorSettings::from_vars(&vars).expect("valid settings")
    }

    #[test]
    fn the_budget_is_the_time_left_minus_the_margin_capped_by_sync_budget() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let in_15_min = Some(now + Duration::from_secs(900));
        let plain = settings(&[]);
        let capped = settings(&[("SYNC_BUDGET", "5m"), ("SYNC_SAFETY_MARGIN", "10s")]);

        assert_eq!(plain.budget(in_15_min, now), Duration::from_secs(870));
        assert_eq!(capped.budget(in_15_min, now), Duration::from_secs(300));
        assert_eq!(plain.budget(Some(now), now), Duration::ZERO);
        assert_eq!(plain.budget(None, now), Duration::from_secs(600));
    }

    #[test]
    fn a_relative_team_config_path_is_found_next_to_bootstrap() {
        let s = settings(&[
            ("TEAM_CONFIG", "teams.json"),
            ("LAMBDA_TASK_ROOT", "/var/task"),
        ]);
        assert_eq!(s.teams, TeamSource::File("/var/task/teams.json".into()));
        assert_eq!(settings(&[]).teams, TeamSource::Document);
    }

    #[test]
    fn missing_or_bad_settings_name_their_variable() {
        let none = CollectorSettings::from_vars(&Vars::from_pairs([("X", "y")]));
        let bad = CollectorSettings::from_vars(&Vars::from_pairs([
            ("REPOSITORIES", "acme/widgets"),
            ("SYNC_SINCE", "sometime"),
        ]));

        assert!(
            none.expect_err("accepted")
                .to_string()
                .contains("REPOSITORIES")
        );
        assert!(
            bad.expect_err("accepted")
                .to_string()
                .contains("SYNC_SINCE")
        );
    }
}
