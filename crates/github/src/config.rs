//! Configuration of a [`crate::GithubClient`]: where GitHub is, the token, and the bounds of
//! every wait and retry.

use secrecy::SecretString;
use std::time::Duration;

/// GitHub's public API base.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// Default cap on a response body: 32 MiB, about twenty full pull-list pages.
pub const DEFAULT_MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// How to reach GitHub and how patient to be. Build it with [`GithubConfig::new`] and adjust
/// fields; `Debug` shows the token as `[REDACTED]`.
#[derive(Debug, Clone)]
pub struct GithubConfig {
    /// API base: `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server.
    /// Its path is kept on every request and every followed `Link`. Plain `http` is accepted
    /// only for loopback hosts (tests, `dorameter demo`), so the token never crosses a network
    /// unencrypted.
    pub api_url: String,
    /// Sent as `Authorization: Bearer <token>`, only to the API base's host; never logged.
    pub token: SecretString,
    /// Bound on one HTTP attempt, from sending the request to the last byte of the body.
    pub request_timeout: Duration,
    /// Attempts per page (the first one included) before giving up with
    /// [`crate::GithubError::Unavailable`]; rate-limit waits and redirects use attempts too.
    pub max_attempts: u32,
    /// Base of the exponential backoff with full jitter after 5xx, timeouts and connection
    /// errors: attempt n waits a random time in `[0, base × 2^(n-1)]`, capped at one minute.
    pub retry_base_delay: Duration,
    /// Wait after a secondary rate limit that gives no `retry-after`; doubled for each further
    /// secondary limit in a row (across all pages and repositories of the client, until a
    /// request succeeds), at most 16 times this. GitHub asks for at least one minute.
    pub secondary_rate_limit_wait: Duration,
    /// When a response says `x-ratelimit-remaining` is at or below this, later requests wait for
    /// `x-ratelimit-reset` instead of spending the last requests of the hour.
    pub rate_limit_reserve: u32,
    /// Requests in flight at once across all clones of the client (GitHub asks for few).
    pub max_concurrent_requests: usize,
    /// Longest response body read; a longer (or endless) one fails the request with
    /// [`crate::GithubError::ResponseTooLarge`] as soon as it passes this, so memory stays
    /// bounded whatever is sent. A full pull-list page is about 1.5 MB.
    pub max_body_bytes: usize,
}

impl GithubConfig {
    /// A configuration with the defaults: 30 s timeout, 5 attempts, 1 s backoff base, 60 s
    /// secondary-limit wait, a reserve of 50 requests, 4 concurrent requests, 32 MiB bodies.
    pub fn new(api_url: impl Into<String>, token: SecretString) -> Self {
        Self {
            api_url: api_url.into(),
            token,
            request_timeout: Duration::from_secs(30),
            max_attempts: 5,
            retry_base_delay: Duration::from_secs(1),
            secondary_rate_limit_wait: Duration::from_secs(60),
            rate_limit_reserve: 50,
            max_concurrent_requests: 4,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_token() {
        let config = GithubConfig::new(DEFAULT_API_URL, SecretString::from("ghp_topsecret"));
        let shown = format!("{config:?}");
        assert!(!shown.contains("ghp_topsecret"), "{shown}");
        assert!(shown.contains("REDACTED"), "{shown}");
    }
}
