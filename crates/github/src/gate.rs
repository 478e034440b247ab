//! The pause shared by all clones of a client: after a rate limit (or when the primary limit is
//! down to the reserve) no request of this token goes out before the pause ends, as GitHub asks.
//! A pause that would end after the caller's deadline is returned as an error at once instead
//! of being slept through.

use crate::error::GithubError;
use crate::headers::RateLimit;
use crate::policy::{RateLimitWait, WaitReason, until_reset};
use crate::stats::{Counters, Event};
use chrono::{DateTime, Utc};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
struct Pause {
    until: Instant,
    reason: WaitReason,
    reset_at: Option<DateTime<Utc>>,
}

/// No request before the pause ends.
#[derive(Debug, Default)]
pub(crate) struct Gate {
    pause: Mutex<Option<Pause>>,
}

impl Gate {
    /// Pauses all requests for `wait` from now (an existing longer pause is kept).
    pub fn pause(&self, wait: RateLimitWait) {
        let new = Pause {
            until: Instant::now() + wait.wait,
            reason: wait.reason,
            reset_at: wait.reset_at,
        };
        let mut pause = self.pause.lock().unwrap_or_else(|e| e.into_inner());
        if pause.is_none_or(|p| p.until < new.until) {
            *pause = Some(new);
        }
    }

    /// After any response: when the primary limit is at or below `reserve`, pause until it
    /// resets rather than spend the last requests.
    pub fn observe(&self, limit: Option<RateLimit>, reserve: u32) {
        let Some(limit) = limit.filter(|l| l.remaining <= reserve) else {
            return;
        };
        tracing::info!(
            remaining = limit.remaining,
            reserve,
            reset_at = %limit.reset_at,
            "GitHub primary rate limit at the reserve: pausing requests until it resets"
        );
        self.pause(RateLimitWait {
            wait: until_reset(limit.reset_at, Utc::now()),
            reason: WaitReason::Reserve,
            reset_at: Some(limit.reset_at),
        });
    }

    /// Waits out the current pause, or fails at once if it ends after `deadline`.
    pub async fn wait(
        &self,
        url: &str,
        deadline: Instant,
        stats: &Counters,
    ) -> Result<(), GithubError> {
        // A pause only moves forward and never past the deadline here, so few rounds suffice;
        // the bound keeps the loop finite whatever other tasks do.
        for _ in 0..16 {
            let now = Instant::now();
            let current = *self.pause.lock().unwrap_or_else(|e| e.into_inner());
            let Some(pause) = current.filter(|p| p.until > now) else {
                return Ok(());
            };
            let wait = pause.until - now;
            if pause.until > deadline {
                return Err(past_deadline(url, pause, wait));
            }
            tracing::info!(
                url,
                reason = %pause.reason,
                wait_ms = wait.as_millis() as u64,
                "waiting for GitHub rate limit"
            );
            stats.record(Event::RateLimitWait(wait));
            tokio::time::sleep(wait).await;
        }
        Ok(())
    }
}

fn past_deadline(url: &str, pause: Pause, wait: Duration) -> GithubError {
    match (pause.reason.is_primary(), pause.reset_at) {
        (true, Some(reset_at)) => GithubError::RateLimited {
            url: url.to_owned(),
            reset_at,
        },
        _ => GithubError::BudgetExhausted {
            url: url.to_owned(),
            reason: pause.reason.to_string(),
            wait,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait(ms: u64, reason: WaitReason) -> RateLimitWait {
        RateLimitWait {
            wait: Duration::from_millis(ms),
            reason,
            reset_at: Some(Utc::now()),
        }
    }

    #[tokio::test]
    async fn a_pause_past_the_deadline_fails_at_once_with_the_reset_time() {
        let gate = Gate::default();
        gate.pause(wait(60_000, WaitReason::PrimaryExhausted));
        let started = Instant::now();
        let result = gate
            .wait(
                "u",
                Instant::now() + Duration::from_secs(1),
                &Counters::default(),
            )
            .await;
        assert!(matches!(result, Err(GithubError::RateLimited { .. })));
        assert!(started.elapsed() < Duration::from_millis(100));
    }

    #[tokio::test]
    async fn a_short_pause_is_waited_out_and_counted() {
        let gate = Gate::default();
        let stats = Counters::default();
        gate.pause(wait(30, WaitReason::Secondary));
        gate.pause(wait(10, WaitReason::Secondary)); // shorter: the longer one stays
        let started = Instant::now();
        gate.wait("u", Instant::now() + Duration::from_secs(5), &stats)
            .await
            .expect("within the deadline");
        assert!(started.elapsed() >= Duration::from_millis(30));
        assert_eq!(stats.snapshot().rate_limit_waits, 1);
    }

    #[test]
    fn the_reserve_pauses_only_at_or_below_it() {
        let gate = Gate::default();
        let limit = |remaining| {
            Some(RateLimit {
                remaining,
                reset_at: Utc::now(),
            })
        };
        gate.observe(limit(51), 50);
        assert!(
            gate.pause
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_none()
        );
        gate.observe(limit(50), 50);
        assert!(
            gate.pause
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_some()
        );
    }
}
