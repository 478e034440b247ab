//! How to reach GitHub: the token, the API base and the client's retry and wait settings.

use anyhow::{Context, bail};
use clap::Args;
use collector::settings;
use secrecy::{ExposeSecret, SecretString};

/// How to reach GitHub.
#[derive(Debug, Args)]
pub struct GithubArgs {
    /// GitHub token (a personal access token or an app installation token).
    #[arg(long = "github-token", env = "GITHUB_TOKEN", hide_env_values = true)]
    token: Option<SecretString>,
    /// API base: `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server.
    #[arg(
        long = "github-api-url",
        env = settings::GITHUB_API_URL.var,
        default_value = settings::GITHUB_API_URL.default,
        value_parser = settings::GITHUB_API_URL.value_parser()
    )]
    pub api_url: String,
    /// Timeout of one GitHub request.
    #[arg(
        long = "github-timeout",
        env = settings::GITHUB_REQUEST_TIMEOUT.var,
        default_value = settings::GITHUB_REQUEST_TIMEOUT.default,
        value_parser = settings::GITHUB_REQUEST_TIMEOUT.value_parser()
    )]
    pub request_timeout: std::time::Duration,
    /// Attempts per GitHub request before the repository fails.
    #[arg(
        long = "github-max-attempts",
        env = settings::GITHUB_MAX_ATTEMPTS.var,
        default_value = settings::GITHUB_MAX_ATTEMPTS.default,
        value_parser = settings::GITHUB_MAX_ATTEMPTS.value_parser()
    )]
    pub max_attempts: u32,
    /// Base of the exponential backoff between retries.
    #[arg(
        long = "github-retry-base-delay",
        env = settings::GITHUB_RETRY_BASE_DELAY.var,
        default_value = settings::GITHUB_RETRY_BASE_DELAY.default,
        value_parser = settings::GITHUB_RETRY_BASE_DELAY.value_parser()
    )]
    pub retry_base_delay: std::time::Duration,
    /// Wait after a secondary rate limit without `retry-after` (GitHub asks for at least 1m).
    #[arg(
        long = "github-secondary-wait",
        env = settings::GITHUB_SECONDARY_RATE_LIMIT_WAIT.var,
        default_value = settings::GITHUB_SECONDARY_RATE_LIMIT_WAIT.default,
        value_parser = settings::GITHUB_SECONDARY_RATE_LIMIT_WAIT.value_parser()
    )]
    pub secondary_wait: std::time::Duration,
}

impl GithubArgs {
    /// The client, or an error naming the missing or bad setting.
    pub fn client(&self, concurrency: usize) -> anyhow::Result<github::GithubClient> {
        // A token pasted or read from a file often ends in a line break: trimmed. Whitespace
        // inside it (two tokens, a wrapped line) would only earn a 401 later.
        let token = match self.token.as_ref().map(|t| t.expose_secret().trim()) {
            Some(token) if token.chars().any(char::is_whitespace) => bail!(
                "GITHUB_TOKEN contains whitespace inside it (a space, tab or line break); set it to exactly one token"
            ),
            Some(token) if !token.is_empty() => SecretString::from(token.to_owned()),
            _ => bail!(
                "GITHUB_TOKEN is not set: set it (or pass --github-token) to a token that can read the repositories"
            ),
        };
        github::GithubClient::new(self.config(token, concurrency))
            .context("GITHUB_API_URL / GitHub settings")
    }

    /// The client's settings with `token`.
    pub fn config(&self, token: SecretString, concurrency: usize) -> github::GithubConfig {
        let mut config = github::GithubConfig::new(self.api_url.clone(), token);
        config.request_timeout = self.request_timeout;
        config.max_attempts = self.max_attempts;
        config.retry_base_delay = self.retry_base_delay;
        config.secondary_rate_limit_wait = self.secondary_wait;
        config.max_concurrent_requests = concurrency.max(1);
        config
    }
}
