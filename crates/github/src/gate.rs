//! The pause shared by all clones of a client: after a rate limit (or when the primary limit is
//! down to the reserve) no request of this token goes out before the pause ends, as GitHub asks.
//! A pause that would end after the caller's deadline is returned as an error at once instead
//! of being slept through.
//!
//! The gate also remembers how many secondary limits came in a row, across pages and
//! repositories, so their waits grow exponentially until a request succeeds; and it counts each
//! pause once in the statistics however many requests wait for it.

use crate::error::GithubError;
use crate::headers::RateLimit;
use crate::policy::{MAX_PAUSE, RateLimitWait, WaitReason, until_reset};
use crate::stats::{Counters, Event};
use chrono::{DateTime, Utc};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
struct Pause {
    /// Numbers pause events; extending an active pause keeps its id.
    id: u64,
    until: Instant,
    reason: WaitReason,
    reset_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default)]
struct State {
    pause: Option<Pause>,
    next_pause_id: u64,
    /// Secondary limits in a row with no success in between: their waits double.
    secondary_streak: u32,
    /// Bumped by every rate-limited answer. A request remembers the value it was sent under
    /// (its [`Ticket`]), so the answer to a request that was already in flight when a limit
    /// began neither counts as another hit nor ends the streak.
    generation: u64,
    /// The pause last counted in the statistics, and up to when waiting was counted, so
    /// concurrent waiters of one pause count once.
    counted_pause: Option<u64>,
    counted_until: Option<Instant>,
}

/// What a request was sent under: taken when the gate let it through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ticket {
    generation: u64,
    /// Secondary limits in a row when the request was sent.
    pub secondary_streak: u32,
}

/// No request before the pause ends.
#[derive(Debug, Default)]
pub(crate) struct Gate {
    state: Mutex<State>,
}

impl Gate {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent whatever panicked while holding the lock: every update is
        // a few plain assignments.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Pauses all requests for `wait` from now (an existing longer pause is kept; a shorter
    /// active one is extended and stays the same pause event).
    fn pause(state: &mut State, wait: RateLimitWait) {
        let now = Instant::now();
        // Clamped, so `until` cannot overflow; a pause past the deadline fails at once anyway.
        let until = now.checked_add(wait.wait.min(MAX_PAUSE)).unwrap_or(now);
        match &mut state.pause {
            Some(active) if active.until > now => {
                if active.until < until {
                    active.until = until;
                    active.reason = wait.reason;
                    active.reset_at = wait.reset_at;
                }
            }
            slot => {
                state.next_pause_id += 1;
                *slot = Some(Pause {
                    id: state.next_pause_id,
                    until,
                    reason: wait.reason,
                    reset_at: wait.reset_at,
                });
            }
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
        Self::pause(
            &mut self.lock(),
            RateLimitWait {
                wait: until_reset(limit.reset_at, Utc::now()),
                reason: WaitReason::Reserve,
                reset_at: Some(limit.reset_at),
            },
        );
    }

    /// A ticket to send a request now, or `None` while a pause is on (a pause may begin while
    /// a request queues for a connection permit: it must not be sent into it).
    pub fn ticket(&self) -> Option<Ticket> {
        let state = self.lock();
        if state.pause.is_some_and(|p| p.until > Instant::now()) {
            return None;
        }
        Some(Ticket {
            generation: state.generation,
            secondary_streak: state.secondary_streak,
        })
    }

    /// The request sent under `ticket` was rate limited: pause everything for `wait`. A
    /// secondary limit lengthens the streak unless another request already reported it.
    pub fn rate_limited(&self, ticket: Ticket, wait: RateLimitWait) {
        let mut state = self.lock();
        if wait.reason == WaitReason::Secondary && ticket.generation == state.generation {
            state.secondary_streak = state.secondary_streak.saturating_add(1);
        }
        state.generation += 1;
        Self::pause(&mut state, wait);
    }

    /// The request sent under `ticket` got a usable answer: secondary limits are no longer
    /// coming in a row (unless it was sent before the latest limit).
    pub fn succeeded(&self, ticket: Ticket) {
        let mut state = self.lock();
        if ticket.generation == state.generation {
            state.secondary_streak = 0;
        }
    }

    /// Waits out the current pause, or fails at once if it ends after `deadline`. Each pause
    /// is counted once in `stats`, with the time requests were held back by it, however many
    /// requests wait for it.
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
            let (pause, event) = {
                let mut state = self.lock();
                let Some(pause) = state.pause.filter(|p| p.until > now) else {
                    return Ok(());
                };
                if pause.until > deadline {
                    return Err(past_deadline(
                        url,
                        pause,
                        pause.until.saturating_duration_since(now),
                    ));
                }
                let new = state.counted_pause != Some(pause.id);
                let counted_from = state.counted_until.filter(|_| !new).unwrap_or(now).max(now);
                state.counted_pause = Some(pause.id);
                state.counted_until = Some(pause.until.max(counted_from));
                let added = pause.until.saturating_duration_since(counted_from);
                (pause, Event::RateLimitWait { new, added })
            };
            let wait = pause.until.saturating_duration_since(now);
            tracing::info!(
                url,
                reason = %pause.reason,
                wait_ms = wait.as_millis() as u64,
                "waiting for GitHub rate limit"
            );
            stats.record(event);
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

    fn ticket(gate: &Gate) -> Ticket {
        gate.ticket().expect("no pause")
    }

    #[tokio::test]
    async fn a_pause_past_the_deadline_fails_at_once_with_the_reset_time() {
        let gate = Gate::default();
        gate.rate_limited(ticket(&gate), wait(60_000, WaitReason::PrimaryExhausted));
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
    async fn a_huge_retry_after_fails_at_once_instead_of_overflowing() {
        let gate = Gate::default();
        let huge = RateLimitWait {
            wait: Duration::from_secs(u64::MAX),
            reason: WaitReason::Secondary,
            reset_at: None,
        };
        gate.rate_limited(ticket(&gate), huge);
        gate.observe(
            Some(RateLimit {
                remaining: 0,
                reset_at: DateTime::<Utc>::MAX_UTC,
            }),
            50,
        );
        let result = gate
            .wait(
                "u",
                Instant::now() + Duration::from_secs(1),
                &Counters::default(),
            )
            .await;
        assert!(
            matches!(
                result,
                Err(GithubError::RateLimited { .. } | GithubError::BudgetExhausted { .. })
            ),
            "{result:?}"
        );
    }

    #[tokio::test]
    async fn a_short_pause_is_waited_out_and_counted() {
        let gate = Gate::default();
        let stats = Counters::default();
        let sent = ticket(&gate);
        gate.rate_limited(sent, wait(30, WaitReason::Secondary));
        gate.rate_limited(sent, wait(10, WaitReason::Secondary)); // shorter: the longer one stays
        assert_eq!(gate.ticket(), None, "no request goes out during the pause");
        let started = Instant::now();
        gate.wait("u", Instant::now() + Duration::from_secs(5), &stats)
            .await
            .expect("within the deadline");
        assert!(started.elapsed() >= Duration::from_millis(30));
        assert_eq!(stats.snapshot().rate_limit_waits, 1);
        assert!(gate.ticket().is_some());
    }

    #[tokio::test]
    async fn concurrent_waiters_of_one_pause_count_one_wait_of_its_length() {
        let gate = Gate::default();
        let stats = Counters::default();
        gate.rate_limited(ticket(&gate), wait(200, WaitReason::Secondary));
        let deadline = Instant::now() + Duration::from_secs(5);
        let wait = || gate.wait("u", deadline, &stats);
        let (a, b, c, d) = tokio::join!(wait(), wait(), wait(), wait());
        for result in [a, b, c, d] {
            result.expect("within the deadline");
        }
        let snapshot = stats.snapshot();
        assert_eq!(snapshot.rate_limit_waits, 1);
        assert!(
            (0.15..0.3).contains(&snapshot.rate_limit_wait_seconds),
            "one pause's length, not four: {}",
            snapshot.rate_limit_wait_seconds
        );
    }

    #[test]
    fn secondary_limits_in_a_row_lengthen_the_streak_until_a_success() {
        let gate = Gate::default();
        let limit = |gate: &Gate| {
            let sent = ticket(gate);
            gate.rate_limited(sent, wait(0, WaitReason::Secondary));
            sent
        };
        assert_eq!(ticket(&gate).secondary_streak, 0);
        limit(&gate);
        limit(&gate);
        assert_eq!(ticket(&gate).secondary_streak, 2);
        // Requests in flight when the limit began report it again: one event, not three.
        let in_flight = ticket(&gate);
        gate.rate_limited(in_flight, wait(0, WaitReason::Secondary));
        gate.rate_limited(in_flight, wait(0, WaitReason::Secondary));
        assert_eq!(ticket(&gate).secondary_streak, 3);
        // Nor does a success of a request sent before the latest limit end the streak.
        let stale = ticket(&gate);
        limit(&gate);
        gate.succeeded(stale);
        assert_eq!(ticket(&gate).secondary_streak, 4);
        gate.succeeded(ticket(&gate));
        assert_eq!(ticket(&gate).secondary_streak, 0);
    }

    #[test]
    fn the_reserve_pauses_only_at_or_below_it() {
        let gate = Gate::default();
        let limit = |remaining| {
            Some(RateLimit {
                remaining,
                reset_at: Utc::now() + chrono::Duration::seconds(30),
            })
        };
        gate.observe(limit(51), 50);
        assert!(gate.ticket().is_some());
        gate.observe(limit(50), 50);
        assert!(gate.ticket().is_none());
    }
}
