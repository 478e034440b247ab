//! What to do with one response, following GitHub's documented rules: finish, follow a
//! redirect, wait for a rate limit, retry with backoff, or fail. Pure functions of the status,
//! headers, body and clock, so every rule is unit-tested without a server.

use crate::error::GithubError;
use crate::headers;
use chrono::{DateTime, Utc};
use http::{HeaderMap, StatusCode};
use rand::Rng;
use std::fmt;
use std::time::Duration;

/// Added to every wait for `x-ratelimit-reset`: the header has whole seconds and our clock may
/// be slightly ahead of GitHub's; retrying a second late is cheap, a second early is not.
pub(crate) const RESET_MARGIN: Duration = Duration::from_secs(1);

/// No pause is longer than this, whatever a response asks for (`retry-after:
/// 18446744073709551615`, a reset in the year 9999): instants stay far from overflow, and a
/// pause past the run's deadline fails the request at once anyway.
pub(crate) const MAX_PAUSE: Duration = Duration::from_secs(24 * 3600);

/// No backoff after a failure is longer than this.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// A secondary-limit wait without `retry-after` doubles at most this many times: with the
/// default base, 60 s, 120 s, 240 s, 480 s, then 16 minutes each.
const MAX_SECONDARY_DOUBLINGS: u32 = 4;

/// Why the client pauses before its next request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaitReason {
    /// `x-ratelimit-remaining` reached the configured reserve.
    Reserve,
    /// 403/429 with `x-ratelimit-remaining: 0` (with or without `x-ratelimit-reset`).
    PrimaryExhausted,
    /// 403/429 secondary rate limit.
    Secondary,
}

impl WaitReason {
    /// Whether the wait ends at `x-ratelimit-reset` (the caller is told when that is).
    pub fn is_primary(self) -> bool {
        matches!(self, WaitReason::Reserve | WaitReason::PrimaryExhausted)
    }
}

impl fmt::Display for WaitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WaitReason::Reserve => "primary rate limit down to the reserve",
            WaitReason::PrimaryExhausted => "primary rate limit exhausted",
            WaitReason::Secondary => "secondary rate limit",
        })
    }
}

/// A pause before the next request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateLimitWait {
    pub wait: Duration,
    pub reason: WaitReason,
    /// For primary waits: when GitHub resets the limit.
    pub reset_at: Option<DateTime<Utc>>,
}

/// The decision about one response.
#[derive(Debug)]
pub(crate) enum Verdict {
    /// 2xx or 304: use it.
    Done,
    /// 301/302/307/308 (a renamed or transferred repository): request this location instead.
    /// `permanent` for 301 and 308: the repository has a new name.
    Redirect { location: String, permanent: bool },
    /// A rate limit: pause, then try again.
    RateLimited(RateLimitWait),
    /// 5xx: back off and try again.
    Retry,
    /// Trying again will not help.
    Fail(GithubError),
}

/// Context of a response: which URL and repository, and how many secondary limits came in a
/// row before the request was sent, across all pages and repositories of the client (each
/// doubles the next wait).
pub(crate) struct Context<'a> {
    pub url: &'a str,
    pub repository: &'a str,
    pub secondary_hits: u32,
    pub secondary_base: Duration,
    pub now: DateTime<Utc>,
}

/// Decides what a response means.
pub(crate) fn classify(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    cx: &Context<'_>,
) -> Verdict {
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        return Verdict::Done;
    }
    if status.is_redirection() {
        return match headers
            .get(http::header::LOCATION)
            .and_then(|v| v.to_str().ok())
        {
            Some(location) => Verdict::Redirect {
                location: location.to_owned(),
                permanent: matches!(
                    status,
                    StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
                ),
            },
            None => Verdict::Fail(GithubError::ClientError {
                url: cx.url.to_owned(),
                status: status.as_u16(),
                message: "redirect without a Location header".to_owned(),
            }),
        };
    }
    if status.is_server_error() {
        return Verdict::Retry;
    }
    let message = error_message(body);
    if (status == StatusCode::FORBIDDEN || status == StatusCode::TOO_MANY_REQUESTS)
        && let Some(wait) = rate_limit_wait(status, headers, &message, cx)
    {
        return Verdict::RateLimited(wait);
    }
    let url = cx.url.to_owned();
    let repository = cx.repository.to_owned();
    Verdict::Fail(match status {
        StatusCode::UNAUTHORIZED => GithubError::Unauthorized { url },
        StatusCode::FORBIDDEN => GithubError::Forbidden {
            repository,
            url,
            message,
        },
        StatusCode::NOT_FOUND => GithubError::NotFound { repository, url },
        _ => GithubError::ClientError {
            url,
            status: status.as_u16(),
            message,
        },
    })
}

/// GitHub's rules for a 403/429: `retry-after` first; else `x-ratelimit-remaining: 0` means
/// waiting for `x-ratelimit-reset` (when a response leaves the reset out, as GitHub sometimes
/// does, the base wait: it is still the primary limit, so it neither doubles nor lengthens the
/// secondary streak); else a 429, or a 403 whose message mentions a rate limit (or
/// "abuse", the wording of older GitHub Enterprise Server releases), is a secondary limit: wait
/// the base, doubled for each limit in a row (bounded). Any other 403 is a permission error.
fn rate_limit_wait(
    status: StatusCode,
    headers: &HeaderMap,
    message: &str,
    cx: &Context<'_>,
) -> Option<RateLimitWait> {
    if let Some(secs) = headers::retry_after_secs(headers) {
        return Some(RateLimitWait {
            wait: Duration::from_secs(secs).min(MAX_PAUSE),
            reason: WaitReason::Secondary,
            reset_at: None,
        });
    }
    if let Some(limit) = headers::rate_limit(headers).filter(|l| l.remaining == 0) {
        return Some(RateLimitWait {
            wait: until_reset(limit.reset_at, cx.now),
            reason: WaitReason::PrimaryExhausted,
            reset_at: Some(limit.reset_at),
        });
    }
    if headers::remaining(headers) == Some(0) {
        return Some(RateLimitWait {
            wait: cx.secondary_base.min(MAX_PAUSE),
            reason: WaitReason::PrimaryExhausted,
            reset_at: None,
        });
    }
    let message = message.to_ascii_lowercase();
    let says_rate_limit = message.contains("rate limit") || message.contains("abuse");
    (status == StatusCode::TOO_MANY_REQUESTS || says_rate_limit).then(|| RateLimitWait {
        wait: cx
            .secondary_base
            .saturating_mul(1 << cx.secondary_hits.min(MAX_SECONDARY_DOUBLINGS))
            .min(MAX_PAUSE),
        reason: WaitReason::Secondary,
        reset_at: None,
    })
}

/// How long until `reset_at` (plus [`RESET_MARGIN`]), just the margin if it has passed, at most
/// [`MAX_PAUSE`].
pub(crate) fn until_reset(reset_at: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
    reset_at
        .signed_duration_since(now)
        .to_std()
        .unwrap_or_default()
        .saturating_add(RESET_MARGIN)
        .min(MAX_PAUSE)
}

/// Full-jitter exponential backoff before attempt `failures + 1`: uniform in
/// `[0, min(base × 2^(failures-1), 60 s)]`.
pub(crate) fn backoff(base: Duration, failures: u32, rng: &mut impl Rng) -> Duration {
    let exponent = failures.saturating_sub(1).min(16);
    let cap = base.saturating_mul(1 << exponent).min(MAX_BACKOFF);
    let cap_ms = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rng.random_range(0..=cap_ms))
}

/// `message` of GitHub's JSON error body, else the start of the body as text.
fn error_message(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        message: String,
    }
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(e) => e.message,
        Err(_) => String::from_utf8_lossy(body).chars().take(200).collect(),
    }
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
