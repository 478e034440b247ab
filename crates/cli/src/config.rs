//! The command line and its environment: one typed struct, flags overriding variables, every
//! setting documented, secrets kept out of `Debug` output.

mod github_args;

pub use github_args::GithubArgs;

use crate::logging::LogFormat;
use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};
use collector::SyncSettings;
use collector::settings;
use secrecy::{ExposeSecret, SecretString};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Team delivery metrics (DORA and PR flow) from GitHub.
#[derive(Debug, Parser)]
#[command(name = "dorameter", version, about)]
pub struct Cli {
    /// Log format on stderr.
    #[arg(
        long,
        env = "LOG_FORMAT",
        value_enum,
        default_value = "json",
        global = true
    )]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending database migrations (safe to run repeatedly and concurrently).
    Migrate(DatabaseArgs),
    /// Manage teams and memberships.
    #[command(subcommand)]
    Teams(TeamsCommand),
    /// One collector run: write the team config, then fetch merged PRs of every repository
    /// from GitHub into the database. Prints a JSON summary line. Exit status 0: every
    /// repository completed; 2: the time budget ran out (the next run resumes); 1: a failure.
    Sync(SyncArgs),
    /// Serve the HTTP API.
    Serve(ServeArgs),
    /// Generate a realistic synthetic organisation (4 teams, 40 people, 3 repositories, six
    /// months of PRs), load it through the real sync path from an in-process fake GitHub into
    /// an in-memory SQLite database, and serve the API and dashboard. Needs no network, no
    /// token and no database server. Deterministic for a given --seed and --until.
    #[cfg(feature = "demo")]
    Demo(DemoArgs),
    /// Benchmarks (loads synthetic data into the given database).
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Subcommand)]
pub enum TeamsCommand {
    /// Validate the team config and write it to the database, recomputing attributions.
    Sync {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        config: TeamConfigArgs,
    },
    /// Validate the team config without touching any database.
    Validate {
        #[command(flatten)]
        config: TeamConfigArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Load 1,000,000 PRs, 100 teams and 2,000 members, then measure API latency and an
    /// attribution recompute. Use a throwaway database.
    Api(BenchApiArgs),
    /// Sync PRs from an in-process fake GitHub into an empty database and count requests and
    /// ingest rate against their floors.
    #[cfg(feature = "demo")]
    Sync(BenchSyncArgs),
}

#[cfg(feature = "demo")]
#[derive(Debug, Args)]
pub struct BenchSyncArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Pull requests served, spread evenly over the repositories.
    #[arg(long, default_value_t = 100_000)]
    pub prs: u64,
    /// Repositories.
    #[arg(long, default_value_t = 20)]
    pub repositories: u64,
}

#[derive(Debug, Args)]
pub struct BenchApiArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Pull requests to load.
    #[arg(long, default_value_t = 1_000_000)]
    pub prs: usize,
    /// Teams to create.
    #[arg(long, default_value_t = 100)]
    pub teams: usize,
    /// Members to create.
    #[arg(long, default_value_t = 2_000)]
    pub members: usize,
    /// Requests per measured route.
    #[arg(long, default_value_t = 500)]
    pub requests: usize,
}

/// The database used when `DATABASE_URL` is unset: an embedded SQLite file in the working
/// directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://./dorameter.db";

/// Where the database is.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// `postgres://user@host:5432/dorameter` (PostgreSQL) or `sqlite://PATH` (embedded SQLite,
    /// created if missing). Default: `sqlite://./dorameter.db`.
    #[arg(long = "database-url", env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<SecretString>,
    /// Maximum database connections.
    #[arg(
        long,
        env = settings::DATABASE_MAX_CONNECTIONS.var,
        default_value = settings::DATABASE_MAX_CONNECTIONS.default,
        value_parser = settings::DATABASE_MAX_CONNECTIONS.value_parser()
    )]
    pub max_connections: usize,
}

impl DatabaseArgs {
    /// The URL: `DATABASE_URL` (or `--database-url`), else [`DEFAULT_DATABASE_URL`].
    pub fn url(&self) -> &str {
        match &self.database_url {
            Some(url) if !url.expose_secret().trim().is_empty() => url.expose_secret(),
            _ => DEFAULT_DATABASE_URL,
        }
    }
}

/// Where the team config is.
#[derive(Debug, Args)]
pub struct TeamConfigArgs {
    /// Path of the team config JSON file.
    #[arg(long = "config", env = "TEAM_CONFIG")]
    pub path: Option<PathBuf>,
    /// The team config JSON document itself (used when no path is given).
    #[arg(long = "config-json", env = "TEAM_CONFIG_JSON", hide_env_values = true)]
    pub json: Option<String>,
}

impl TeamConfigArgs {
    /// Reads and validates the config; errors name the file or variable.
    pub fn load(&self) -> anyhow::Result<domain::TeamConfig> {
        if let Some(path) = &self.path {
            let document = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read TEAM_CONFIG file {}", path.display()))?;
            return domain::TeamConfig::from_json(&document)
                .with_context(|| format!("in TEAM_CONFIG file {}", path.display()));
        }
        if let Some(document) = &self.json {
            return domain::TeamConfig::from_json(document).context("in TEAM_CONFIG_JSON");
        }
        bail!(
            "no team config: set TEAM_CONFIG to a file path (or --config), or TEAM_CONFIG_JSON to the document"
        )
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Address to listen on (port 0 picks a free port; the bound address is printed).
    #[arg(long, env = "LISTEN_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Comma-separated API keys accepted in the x-api-key header.
    #[arg(long = "api-keys", env = "API_KEYS", hide_env_values = true)]
    api_keys: Option<SecretString>,
}

impl ServeArgs {
    /// The keys, or an error naming the variable.
    pub fn api_keys(&self) -> anyhow::Result<api::ApiKeys> {
        let Some(keys) = &self.api_keys else {
            bail!(
                "API_KEYS is not set: set it (or pass --api-keys) to one or more comma-separated keys"
            );
        };
        api::ApiKeys::from_comma_separated(keys.expose_secret()).context(
            "API_KEYS holds no key (only commas or blanks): set it to one or more comma-separated keys",
        )
    }
}

/// `dorameter demo`.
#[cfg(feature = "demo")]
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed of the synthetic organisation: the same seed and --until give the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Last day (UTC, YYYY-MM-DD) of the six months of history; the API's clock is pinned to
    /// noon of that day. Default: today (UTC), so the dashboard's default range shows the data.
    #[arg(long)]
    pub until: Option<chrono::NaiveDate>,
    /// Address to listen on (port 0 picks a free port; the bound address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The API key the demo accepts (and prints).
    #[arg(long = "api-key", default_value = DEMO_API_KEY)]
    pub api_key: String,
}

/// The demo's API key unless `--api-key` is given: local demo data only, never a real key.
#[cfg(feature = "demo")]
pub const DEMO_API_KEY: &str = "demo-key";

/// `dorameter sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub config: TeamConfigArgs,
    #[command(flatten)]
    pub github: GithubArgs,
    /// Repositories to collect, comma-separated `owner/name`.
    #[arg(long, env = "REPOSITORIES", value_delimiter = ',')]
    pub repositories: Vec<String>,
    /// How far back a repository's first run reaches: `full`, a duration (`365d`) or a date
    /// (`2025-01-01`, or an RFC 3339 instant) not in the future.
    #[arg(
        long,
        env = settings::SYNC_SINCE.var,
        default_value = settings::SYNC_SINCE.default,
        value_parser = settings::SYNC_SINCE.value_parser(),
        conflicts_with = "full"
    )]
    pub since: settings::Since,
    /// A repository's first run fetches all history (as `--since full`).
    #[arg(long)]
    pub full: bool,
    /// Later runs re-read PRs updated this long before the last watermark.
    #[arg(
        long,
        env = settings::SYNC_OVERLAP.var,
        default_value = settings::SYNC_OVERLAP.default,
        value_parser = settings::SYNC_OVERLAP.value_parser()
    )]
    pub overlap: std::time::Duration,
    /// Wall-clock budget: the run stops between pages when it runs out, and reports itself
    /// incomplete.
    #[arg(
        long,
        env = settings::SYNC_BUDGET.var,
        default_value = settings::SYNC_BUDGET.default,
        value_parser = settings::SYNC_BUDGET.value_parser()
    )]
    pub budget: std::time::Duration,
    /// Repositories synced at once.
    #[arg(
        long,
        env = settings::SYNC_CONCURRENCY.var,
        default_value = settings::SYNC_CONCURRENCY.default,
        value_parser = settings::SYNC_CONCURRENCY.value_parser()
    )]
    pub concurrency: usize,
    /// Fetch and report, write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

impl SyncArgs {
    /// The run's settings for a run starting at `now`, or an error naming the variable.
    pub fn sync_settings(&self, now: DateTime<Utc>) -> anyhow::Result<SyncSettings> {
        if self.repositories.iter().all(|r| r.trim().is_empty()) {
            bail!(
                "REPOSITORIES is not set: set it (or pass --repositories) to comma-separated owner/name"
            );
        }
        let repositories = settings::repositories(self.repositories.iter().map(String::as_str))?;
        let since = if self.full {
            settings::Since::Full
        } else {
            self.since
        };
        let mut sync = SyncSettings::new(repositories, now);
        sync.backfill = since.backfill(now)?;
        sync.overlap = settings::span(&settings::SYNC_OVERLAP, self.overlap)?;
        sync.budget = self.budget;
        sync.concurrency = self.concurrency.max(1);
        sync.dry_run = self.dry_run;
        Ok(sync)
    }
}

/// For a value clap refused, the environment variable it came from, when that variable is set:
/// clap's own message names only the flag (`--addr <ADDR>`), which confuses someone who never
/// passed it.
pub fn env_source_of_refused_value(error: &clap::Error) -> Option<String> {
    use clap::CommandFactory;
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if !matches!(
        error.kind(),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation
    ) {
        return None;
    }
    let Some(ContextValue::String(flag)) = error.get(ContextKind::InvalidArg) else {
        return None;
    };
    fn find(command: &clap::Command, flag: &str) -> Option<String> {
        let own = command.get_arguments().find_map(|arg| {
            let long = arg.get_long()?;
            let env = arg.get_env()?.to_str()?;
            let named = flag == format!("--{long}") || flag.starts_with(&format!("--{long} "));
            let passed = std::env::args()
                .any(|a| a == format!("--{long}") || a.starts_with(&format!("--{long}=")));
            (named && !passed && std::env::var_os(env).is_some()).then(|| env.to_owned())
        });
        own.or_else(|| command.get_subcommands().find_map(|c| find(c, flag)))
    }
    find(&Cli::command(), flag)
}

#[cfg(test)]
mod tests;
