//! The fake's primary rate limit: one budget of `limit` requests per window for the whole server
//! (GitHub's is per token), with GitHub's `x-ratelimit-*` headers. 304s cost nothing.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The numbers behind the `x-ratelimit-*` headers of one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Snapshot {
    pub limit: u32,
    pub remaining: u32,
    pub used: u32,
    /// UTC epoch seconds.
    pub reset: u64,
}

impl Snapshot {
    /// The headers GitHub sends on every API response.
    pub fn headers(&self) -> [(&'static str, String); 5] {
        [
            ("x-ratelimit-limit", self.limit.to_string()),
            ("x-ratelimit-remaining", self.remaining.to_string()),
            ("x-ratelimit-reset", self.reset.to_string()),
            ("x-ratelimit-used", self.used.to_string()),
            ("x-ratelimit-resource", "core".to_owned()),
        ]
    }
}

#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: u32,
    window: Duration,
    state: Mutex<Window>,
}

#[derive(Debug)]
struct Window {
    ends: Instant,
    reset_epoch: u64,
    used: u32,
}

/// Epoch seconds of `now + after`, rounded up (a reset is never announced early).
pub(crate) fn epoch_after(after: Duration) -> u64 {
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        + after;
    t.as_secs() + u64::from(t.subsec_nanos() > 0)
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            state: Mutex::new(Window {
                ends: Instant::now() + window,
                reset_epoch: epoch_after(window),
                used: 0,
            }),
        }
    }

    /// Takes one request from the budget: `Ok` with the headers to send, or `Err` with the
    /// exhausted state when nothing is left until the reset.
    pub fn take(&self) -> Result<Snapshot, Snapshot> {
        let mut w = self.current();
        if w.used >= self.limit {
            return Err(self.snapshot(&w));
        }
        w.used += 1;
        Ok(self.snapshot(&w))
    }

    /// The current state, costing nothing (for 304s and errors).
    pub fn peek(&self) -> Snapshot {
        let w = self.current();
        self.snapshot(&w)
    }

    fn current(&self) -> std::sync::MutexGuard<'_, Window> {
        let mut w = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if now >= w.ends {
            w.ends = now + self.window;
            w.reset_epoch = epoch_after(self.window);
            w.used = 0;
        }
        w
    }

    fn snapshot(&self, w: &Window) -> Snapshot {
        Snapshot {
            limit: self.limit,
            remaining: self.limit.saturating_sub(w.used),
            used: w.used,
            reset: w.reset_epoch,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_decreases_to_zero_then_requests_are_refused_until_the_window_ends() {
        let limiter = RateLimiter::new(2, Duration::from_millis(50));
        assert_eq!(limiter.take().map(|s| s.remaining), Ok(1));
        assert_eq!(limiter.peek().remaining, 1);
        assert_eq!(limiter.take().map(|s| s.remaining), Ok(0));
        assert!(limiter.take().is_err());
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(limiter.take().map(|s| s.remaining), Ok(1));
    }
}
