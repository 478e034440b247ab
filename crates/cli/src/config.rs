//! The command line and its environment: one typed struct, flags overriding variables, every
//! setting documented, secrets kept out of `Debug` output.

use crate::logging::LogFormat;
use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
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
    /// Serve the HTTP API.
    Serve(ServeArgs),
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

/// Where the database is.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// PostgreSQL URL, e.g. postgres://user@host:5432/dorameter.
    #[arg(long = "database-url", env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<SecretString>,
    /// Maximum database connections.
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", default_value_t = 8)]
    pub max_connections: usize,
}

impl DatabaseArgs {
    /// The URL, or an error naming the variable.
    pub fn url(&self) -> anyhow::Result<&str> {
        match &self.database_url {
            Some(url) if !url.expose_secret().trim().is_empty() => Ok(url.expose_secret()),
            _ => bail!(
                "DATABASE_URL is not set: set it (or pass --database-url), e.g. postgres://postgres@127.0.0.1:5432/dorameter"
            ),
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
        self.api_keys
            .as_ref()
            .and_then(|keys| api::ApiKeys::from_comma_separated(keys.expose_secret()))
            .context("API_KEYS is not set: set it (or pass --api-keys) to one or more comma-separated keys")
    }
}
