//! The waits before a request: a rate-limit pause and a free connection (`admit`), and the
//! jittered backoff between attempts (`back_off`), each bounded by the caller's deadline.

use super::GithubClient;
use crate::error::GithubError;
use crate::gate::Ticket;
use crate::policy::backoff;
use std::time::{Duration, Instant};
use tokio::sync::SemaphorePermit;

impl GithubClient {
    /// Waits until no rate-limit pause is on and a connection permit is free, and returns the
    /// permit with the ticket the request is sent under. The pause is checked again once the
    /// permit is held: another request may have been limited while this one queued.
    pub(super) async fn admit(
        &self,
        url: &str,
        deadline: Instant,
    ) -> Result<(SemaphorePermit<'_>, Ticket), GithubError> {
        let inner = &*self.inner;
        // Each round waits out a pause that began after the previous one ended; the bound keeps
        // this finite whatever other requests do.
        for _ in 0..16 {
            inner.gate.wait(url, deadline, &inner.stats).await?;
            let permit = inner
                .permits
                .acquire()
                .await
                .map_err(|_| budget(url, "the client is shutting down", Duration::ZERO))?;
            if let Some(ticket) = inner.gate.ticket() {
                return Ok((permit, ticket));
            }
        }
        Err(budget(
            url,
            "rate-limit pauses kept beginning while waiting to send",
            Duration::ZERO,
        ))
    }

    /// Sleeps the jittered backoff before the next attempt, if there is one and it fits before
    /// the deadline.
    pub(super) async fn back_off(
        &self,
        url: &str,
        failures: u32,
        attempt: u32,
        last_error: &str,
        deadline: Instant,
    ) -> Result<(), GithubError> {
        if attempt >= self.inner.config.max_attempts {
            return Ok(());
        }
        let delay = backoff(
            self.inner.config.retry_base_delay,
            failures,
            &mut rand::rng(),
        );
        if Instant::now()
            .checked_add(delay)
            .is_none_or(|end| end > deadline)
        {
            return Err(budget(url, &format!("backoff after {last_error}"), delay));
        }
        tokio::time::sleep(delay).await;
        Ok(())
    }
}

/// The request to `url` cannot be sent (again) within the caller's budget, for `reason`;
/// `wait` is how long it would have had to wait.
pub(super) fn budget(url: &str, reason: &str, wait: Duration) -> GithubError {
    GithubError::BudgetExhausted {
        url: url.to_owned(),
        reason: reason.to_owned(),
        wait,
    }
}
