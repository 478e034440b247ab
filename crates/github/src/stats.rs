//! Counters of what the client did, shared by all its clones, for the run summary.

use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What a client (and all its clones) did since it was built.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct GithubStats {
    /// HTTP requests sent, retries included.
    pub requests: u64,
    /// `200` pages received and parsed.
    pub pages: u64,
    /// `304 Not Modified` answers (free under GitHub's primary limit).
    pub not_modified: u64,
    /// Requests that repeated an earlier attempt (after a 5xx, timeout or rate limit; following a
    /// redirect is not a retry).
    pub retries: u64,
    /// Rate-limit pauses (primary, reserve or secondary) that held requests back: one per
    /// pause, however many requests waited for it.
    pub rate_limit_waits: u64,
    /// Wall-clock time requests were held back by those pauses (concurrent waits count once).
    pub rate_limit_wait_seconds: f64,
    /// Failed attempts: error statuses, timeouts, connection errors, malformed payloads.
    pub api_errors: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    requests: AtomicU64,
    pages: AtomicU64,
    not_modified: AtomicU64,
    retries: AtomicU64,
    rate_limit_waits: AtomicU64,
    rate_limit_wait_ms: AtomicU64,
    api_errors: AtomicU64,
}

/// One thing to count.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    Request {
        retry: bool,
    },
    Page,
    NotModified,
    ApiError,
    /// Requests are held back by a pause: `new` the first time for this pause, `added` the
    /// held-back time not counted yet.
    RateLimitWait {
        new: bool,
        added: Duration,
    },
}

impl Counters {
    pub fn record(&self, event: Event) {
        let add = |c: &AtomicU64, n: u64| {
            c.fetch_add(n, Ordering::Relaxed);
        };
        match event {
            Event::Request { retry } => {
                add(&self.requests, 1);
                if retry {
                    add(&self.retries, 1);
                }
            }
            Event::Page => add(&self.pages, 1),
            Event::NotModified => add(&self.not_modified, 1),
            Event::ApiError => add(&self.api_errors, 1),
            Event::RateLimitWait { new, added } => {
                add(&self.rate_limit_waits, u64::from(new));
                add(
                    &self.rate_limit_wait_ms,
                    u64::try_from(added.as_millis()).unwrap_or(u64::MAX),
                );
            }
        }
    }

    pub fn snapshot(&self) -> GithubStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        GithubStats {
            requests: get(&self.requests),
            pages: get(&self.pages),
            not_modified: get(&self.not_modified),
            retries: get(&self.retries),
            rate_limit_waits: get(&self.rate_limit_waits),
            rate_limit_wait_seconds: get(&self.rate_limit_wait_ms) as f64 / 1000.0,
            api_errors: get(&self.api_errors),
        }
    }
}
