//! Reading GitHub's response headers: `x-ratelimit-*`, `retry-after`, `Link` and `ETag`.

use chrono::{DateTime, Utc};
use http::HeaderMap;

/// The primary rate limit as one response reported it (GitHub Enterprise Server may send none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateLimit {
    pub remaining: u32,
    pub reset_at: DateTime<Utc>,
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// `x-ratelimit-remaining` and `x-ratelimit-reset` (UTC epoch seconds), when both are readable.
pub(crate) fn rate_limit(headers: &HeaderMap) -> Option<RateLimit> {
    let remaining = header_str(headers, "x-ratelimit-remaining")?.parse().ok()?;
    let reset: i64 = header_str(headers, "x-ratelimit-reset")?.parse().ok()?;
    Some(RateLimit {
        remaining,
        reset_at: DateTime::from_timestamp(reset, 0)?,
    })
}

/// `x-ratelimit-remaining` alone (GitHub may send it without `x-ratelimit-reset`).
pub(crate) fn remaining(headers: &HeaderMap) -> Option<u32> {
    header_str(headers, "x-ratelimit-remaining")?.parse().ok()
}

/// `retry-after` in seconds (GitHub sends an integer; an HTTP date is not used by GitHub).
pub(crate) fn retry_after_secs(headers: &HeaderMap) -> Option<u64> {
    header_str(headers, "retry-after")?.parse().ok()
}

/// The `ETag` to send back as `If-None-Match`, exactly as given.
pub(crate) fn etag(headers: &HeaderMap) -> Option<String> {
    header_str(headers, "etag").map(str::to_owned)
}

/// The URL of the `rel="next"` link of a `Link` header (RFC 8288), if any.
pub(crate) fn next_link(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(http::header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|value| find_rel(value, "next"))
}

fn find_rel(value: &str, wanted: &str) -> Option<String> {
    let mut rest = value;
    // Each link is `<url>; param; param`, links separated by commas. URLs are delimited by
    // angle brackets, so commas inside them are safe.
    for _ in 0..64 {
        let start = rest.find('<')?;
        let end = start + rest[start..].find('>')?;
        let url = &rest[start + 1..end];
        let params_end = rest[end..].find('<').map_or(rest.len(), |i| end + i);
        let params = &rest[end + 1..params_end];
        let is_wanted = params.split(';').any(|param| {
            let Some((key, val)) = param.split_once('=') else {
                return false;
            };
            key.trim().eq_ignore_ascii_case("rel")
                && val
                    .trim()
                    .trim_end_matches(',')
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|rel| rel.eq_ignore_ascii_case(wanted))
        });
        if is_wanted {
            return Some(url.to_owned());
        }
        rest = &rest[params_end..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn next_link_is_found_among_githubs_links() {
        let h = headers(&[(
            "link",
            "<https://api.github.com/repositories/1300192/pulls?state=closed&page=1>; rel=\"prev\", \
             <https://api.github.com/repositories/1300192/pulls?state=closed&page=3>; rel=\"next\", \
             <https://api.github.com/repositories/1300192/pulls?state=closed&page=9>; rel=\"last\"",
        )]);
        assert_eq!(
            next_link(&h).as_deref(),
            Some("https://api.github.com/repositories/1300192/pulls?state=closed&page=3")
        );
    }

    #[test]
    fn no_next_on_the_last_page_or_without_link() {
        let h = headers(&[(
            "link",
            "<https://x/p?page=1>; rel=\"first\", <https://x/p?page=2>; rel=\"prev\"",
        )]);
        assert_eq!(next_link(&h), None);
        assert_eq!(next_link(&HeaderMap::new()), None);
        assert_eq!(next_link(&headers(&[("link", "garbage")])), None);
    }

    #[test]
    fn rel_may_be_unquoted_or_hold_several_values() {
        let h = headers(&[("link", "<https://x/p?page=2>; rel=next")]);
        assert_eq!(next_link(&h).as_deref(), Some("https://x/p?page=2"));
        let h = headers(&[("link", "<https://x/p?page=2>; rel=\"last next\"")]);
        assert_eq!(next_link(&h).as_deref(), Some("https://x/p?page=2"));
    }

    #[test]
    fn rate_limit_needs_remaining_and_reset() {
        let h = headers(&[
            ("x-ratelimit-remaining", "42"),
            ("x-ratelimit-reset", "1700000000"),
        ]);
        let limit = rate_limit(&h).expect("both present");
        assert_eq!(limit.remaining, 42);
        assert_eq!(limit.reset_at.timestamp(), 1_700_000_000);
        assert_eq!(
            rate_limit(&headers(&[("x-ratelimit-remaining", "1")])),
            None
        );
    }

    #[test]
    fn retry_after_is_whole_seconds() {
        assert_eq!(retry_after_secs(&headers(&[("retry-after", "1")])), Some(1));
        assert_eq!(retry_after_secs(&headers(&[("retry-after", "soon")])), None);
    }
}
