//! The one error type of the crate. Every variant names the URL (never the token) and says
//! whether trying again later could help ([`GithubError::is_transient`]) and whether the run's
//! time budget, not GitHub, ended it ([`GithubError::is_out_of_budget`]).

use chrono::{DateTime, Utc};
use std::time::Duration;

/// Why a request for a page of pull requests failed.
#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    /// The configuration cannot work (bad URL, zero attempts, …).
    #[error("invalid GitHub configuration: {field}: {reason}")]
    InvalidConfig { field: &'static str, reason: String },

    /// A repository was not given as `owner/name`.
    #[error("invalid repository {repository:?}: expected owner/name")]
    InvalidRepository { repository: String },

    /// A `Link` or redirect pointed outside the configured API base (another host, or a path
    /// that lost the GitHub Enterprise `/api/v3` prefix); the token is not sent there.
    #[error("refusing to request {url}: {reason}")]
    InvalidUrl { url: String, reason: String },

    /// 401: GitHub rejected the token.
    #[error(
        "GitHub rejected the token (401 Unauthorized) for {url}: check that GITHUB_TOKEN is valid and not expired"
    )]
    Unauthorized { url: String },

    /// 403 that is not a rate limit: the token lacks access.
    #[error("GitHub refused access (403 Forbidden) to {repository} at {url}: {message}")]
    Forbidden {
        repository: String,
        url: String,
        message: String,
    },

    /// 404: the repository does not exist, or the token cannot see it.
    #[error(
        "repository {repository} not found (404) at {url}: it does not exist or the token cannot see it"
    )]
    NotFound { repository: String, url: String },

    /// Any other 4xx.
    #[error("GitHub answered {status} for {url}: {message}")]
    ClientError {
        url: String,
        status: u16,
        message: String,
    },

    /// The primary rate limit is exhausted (or down to the reserve) and resets only after the
    /// deadline: stop now and resume in a later run.
    #[error("GitHub rate limit exhausted until {reset_at}, past the time budget ({url})")]
    RateLimited {
        url: String,
        reset_at: DateTime<Utc>,
    },

    /// A wait (secondary rate limit, backoff) or the request itself would end past the
    /// deadline, or the deadline has passed.
    #[error("time budget exhausted before {url} could be fetched ({reason}; would wait {wait:?})")]
    BudgetExhausted {
        url: String,
        reason: String,
        wait: Duration,
    },

    /// 5xx, timeouts, connection errors or repeated rate limits on every allowed attempt.
    #[error(
        "GitHub unavailable for {url} after {attempts} attempts (last status {}): {last_error}",
        .last_status.map_or_else(|| "none".to_owned(), |s| s.to_string())
    )]
    Unavailable {
        url: String,
        attempts: u32,
        last_status: Option<u16>,
        last_error: String,
    },

    /// The response body was longer than the configured cap (or never ended); reading stopped
    /// at the cap.
    #[error(
        "response from {url} is larger than the {limit_mib} MiB cap (or never ends); reading stopped there",
        limit_mib = .limit_bytes / (1024 * 1024)
    )]
    ResponseTooLarge { url: String, limit_bytes: usize },

    /// The body was not the JSON list of pull requests expected.
    #[error("malformed pull list from {url}: {detail}")]
    MalformedPayload { url: String, detail: String },
}

impl GithubError {
    /// Whether the same request may succeed later with nothing changed on our side (GitHub was
    /// down, limited, or the time ran out). `false` means a configuration, permission or
    /// payload problem that retrying will not fix.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            GithubError::RateLimited { .. }
                | GithubError::BudgetExhausted { .. }
                | GithubError::Unavailable { .. }
        )
    }

    /// Whether the run's deadline, not a failure of GitHub, ended the request: the caller stops
    /// cleanly between pages and reports itself incomplete.
    pub fn is_out_of_budget(&self) -> bool {
        matches!(
            self,
            GithubError::RateLimited { .. } | GithubError::BudgetExhausted { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unauthorized_names_the_url_and_the_variable_but_is_not_transient() {
        let e = GithubError::Unauthorized {
            url: "https://api.github.com/repos/a/b/pulls".into(),
        };
        let text = e.to_string();
        assert!(text.contains("rejected the token") && text.contains("/repos/a/b/pulls"));
        assert!(!e.is_transient());
    }

    #[test]
    fn budget_errors_are_transient_and_out_of_budget_unavailable_only_transient() {
        let budget = GithubError::BudgetExhausted {
            url: "u".into(),
            reason: "secondary rate limit".into(),
            wait: Duration::from_secs(60),
        };
        assert!(budget.is_transient() && budget.is_out_of_budget());
        let down = GithubError::Unavailable {
            url: "u".into(),
            attempts: 5,
            last_status: Some(502),
            last_error: "502 Bad Gateway".into(),
        };
        assert!(down.is_transient() && !down.is_out_of_budget());
        assert!(down.to_string().contains("last status 502"));
    }
}
