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
mod tests {
    use super::*;
    use http::HeaderValue;

    fn cx(hits: u32) -> Context<'static> {
        Context {
            url: "https://api.github.com/repos/acme/widgets/pulls",
            repository: "acme/widgets",
            secondary_hits: hits,
            secondary_base: Duration::from_secs(60),
            now: DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(),
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[track_caller]
    fn check_wait(
        status: u16,
        pairs: &[(&'static str, &'static str)],
        body: &str,
        hits: u32,
        expected: Option<(u64, WaitReason)>,
    ) {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT);
        let verdict = classify(status, &headers(pairs), body.as_bytes(), &cx(hits));
        match (verdict, expected) {
            (Verdict::RateLimited(w), Some((secs, reason))) => {
                assert_eq!((w.wait, w.reason), (Duration::from_secs(secs), reason));
            }
            (Verdict::Fail(_), None) => {}
            (other, expected) => panic!("got {other:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn rate_limit_rules_follow_githubs_documentation() {
        let secondary = r#"{"message":"You have exceeded a secondary rate limit."}"#;
        // retry-after wins, whatever else is said.
        check_wait(
            403,
            &[("retry-after", "1")],
            secondary,
            0,
            Some((1, WaitReason::Secondary)),
        );
        check_wait(
            429,
            &[("retry-after", "7")],
            "",
            3,
            Some((7, WaitReason::Secondary)),
        );
        // remaining 0: until reset (10 s after `now`) plus the margin.
        check_wait(
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "1700000010"),
            ],
            "",
            0,
            Some((11, WaitReason::PrimaryExhausted)),
        );
        // secondary without retry-after: the base, doubling on repeats.
        check_wait(
            403,
            &[("x-ratelimit-remaining", "4000")],
            secondary,
            0,
            Some((60, WaitReason::Secondary)),
        );
        check_wait(403, &[], secondary, 2, Some((240, WaitReason::Secondary)));
        // bounded: 16 minutes at most.
        check_wait(403, &[], secondary, 4, Some((960, WaitReason::Secondary)));
        check_wait(403, &[], secondary, 30, Some((960, WaitReason::Secondary)));
        check_wait(429, &[], "", 0, Some((60, WaitReason::Secondary)));
        // older GitHub Enterprise Server wording.
        let abuse = r#"{"message":"You have triggered an abuse detection mechanism. Please wait a few minutes before you try again."}"#;
        check_wait(403, &[], abuse, 0, Some((60, WaitReason::Secondary)));
        check_wait(
            403,
            &[],
            r#"{"message":"You have exceeded a secondary rate limit and have been temporarily blocked from content creation."}"#,
            1,
            Some((120, WaitReason::Secondary)),
        );
        // a 403 that is not about rate limits is a permission error.
        check_wait(
            403,
            &[],
            r#"{"message":"Resource not accessible by integration"}"#,
            0,
            None,
        );
    }

    #[test]
    fn statuses_map_to_named_errors() {
        let fail = |status: StatusCode| match classify(status, &HeaderMap::new(), b"", &cx(0)) {
            Verdict::Fail(e) => e,
            other => panic!("{other:?}"),
        };
        assert!(matches!(
            fail(StatusCode::UNAUTHORIZED),
            GithubError::Unauthorized { .. }
        ));
        assert!(matches!(
            fail(StatusCode::NOT_FOUND),
            GithubError::NotFound { .. }
        ));
        assert!(matches!(
            fail(StatusCode::UNPROCESSABLE_ENTITY),
            GithubError::ClientError { status: 422, .. }
        ));
        assert!(matches!(
            classify(StatusCode::BAD_GATEWAY, &HeaderMap::new(), b"", &cx(0)),
            Verdict::Retry
        ));
        assert!(matches!(
            classify(StatusCode::NOT_MODIFIED, &HeaderMap::new(), b"", &cx(0)),
            Verdict::Done
        ));
        let moved = headers(&[("location", "https://api.github.com/repositories/1/pulls")]);
        assert!(matches!(
            classify(StatusCode::MOVED_PERMANENTLY, &moved, b"", &cx(0)),
            Verdict::Redirect { location, permanent: true } if location.ends_with("/repositories/1/pulls")
        ));
        assert!(matches!(
            classify(StatusCode::TEMPORARY_REDIRECT, &moved, b"", &cx(0)),
            Verdict::Redirect {
                permanent: false,
                ..
            }
        ));
    }

    #[test]
    fn backoff_is_full_jitter_within_the_exponential_cap() {
        let mut rng = rand::rng();
        let base = Duration::from_millis(100);
        for failures in 1..=12 {
            let cap = base.saturating_mul(1 << (failures - 1)).min(MAX_BACKOFF);
            for _ in 0..50 {
                assert!(backoff(base, failures, &mut rng) <= cap);
            }
        }
    }

    #[test]
    fn a_primary_limit_without_reset_waits_the_base_and_stays_primary() {
        let primary = r#"{"message":"API rate limit exceeded for user ID 1."}"#;
        for hits in [0, 3] {
            check_wait(
                403,
                &[("x-ratelimit-remaining", "0")],
                primary,
                hits,
                Some((60, WaitReason::PrimaryExhausted)),
            );
        }
    }

    #[test]
    fn huge_waits_are_clamped_without_overflow() {
        check_wait(
            403,
            &[("retry-after", "18446744073709551615")],
            "",
            0,
            Some((MAX_PAUSE.as_secs(), WaitReason::Secondary)),
        );
        check_wait(
            429,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "253402300799"),
            ],
            "",
            0,
            Some((MAX_PAUSE.as_secs(), WaitReason::PrimaryExhausted)),
        );
    }

    #[test]
    fn waiting_for_a_past_reset_still_waits_the_margin() {
        let now = cx(0).now;
        assert_eq!(
            until_reset(now - chrono::Duration::seconds(5), now),
            RESET_MARGIN
        );
    }
}
