//! Fault injection: misbehaviours of GitHub queued per repository or for any request, each
//! consumed by exactly one request, repository faults first.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

/// One misbehaviour, served instead of (or, for a stall, before) the normal response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// A 5xx response with this status (502 Bad Gateway is GitHub's usual one).
    ServerError(u16),
    /// 403 with the body message "You have exceeded a secondary rate limit" and, when given,
    /// `retry-after: N` (seconds). `x-ratelimit-remaining` stays above 0.
    SecondaryRateLimit { retry_after_secs: Option<u64> },
    /// 403 "API rate limit exceeded" with `x-ratelimit-remaining: 0` and `x-ratelimit-reset`
    /// `reset_in` from now (rounded up to a whole second, as the header is epoch seconds).
    PrimaryRateLimit { reset_in: Duration },
    /// 200 with headers as usual and a body that is not JSON.
    MalformedJson,
    /// 200 with valid JSON of the wrong shape (an object where the list belongs).
    WrongShape,
    /// Waits this long before answering normally, to exceed the client's timeout.
    Stall(Duration),
    /// 200 with an empty list `[]` but the `Link` header the page would have had, so a `next`
    /// follows an empty page (the `ETag` is that of the empty body).
    EmptyPage,
    /// Exactly this status and JSON body with the usual headers: serves a payload verbatim
    /// (GitHub's own example response, a hand-made variant, an unusual error).
    Respond { status: u16, body: String },
    /// A 200 whose body fails after its first bytes: the connection is dropped before the
    /// answer is complete (hyper may drop it before even the headers are flushed).
    ConnectionReset,
    /// A 502 with GitHub's JSON body `{"message":"Server Error"}` (as api.github.com sends it,
    /// rather than the HTML page of a load balancer).
    JsonServerError,
    /// GitHub's older secondary-limit answer as recorded: 403 "You have triggered an abuse
    /// detection mechanism…", `retry-after: N` and no `x-ratelimit-*` headers at all.
    AbuseDetection { retry_after_secs: u64 },
    /// 403 "API rate limit exceeded" with `x-ratelimit-remaining: 0` but no
    /// `x-ratelimit-reset` (real GitHub sends such answers).
    PrimaryRateLimitWithoutReset,
    /// A 200 whose JSON-looking body is `bytes` long (with `content-length` when `announced`),
    /// produced in chunks without holding it in memory.
    HugeBody { bytes: u64, announced: bool },
    /// A 200 whose chunked body never ends.
    EndlessBody,
    /// Reopens the closed, unmerged PR `number` (it leaves the closed list, the PRs after it
    /// move up one place), then answers normally: a change between two page requests.
    Reopen { number: u64 },
}

impl Fault {
    /// GitHub's secondary limit with `retry-after: 1`.
    pub fn secondary_rate_limit() -> Self {
        Fault::SecondaryRateLimit {
            retry_after_secs: Some(1),
        }
    }

    /// GitHub's recorded abuse-detection answer with its `retry-after: 60`.
    pub fn abuse_detection() -> Self {
        Fault::AbuseDetection {
            retry_after_secs: 60,
        }
    }

    /// GitHub's primary limit exhausted, resetting in one second.
    pub fn primary_rate_limit() -> Self {
        Fault::PrimaryRateLimit {
            reset_in: Duration::from_secs(1),
        }
    }
}

/// Queued faults: per lowercased `owner/name`, and global.
#[derive(Debug, Default)]
pub(crate) struct FaultQueues {
    inner: Mutex<Queues>,
}

#[derive(Debug, Default)]
struct Queues {
    global: VecDeque<Fault>,
    per_repo: HashMap<String, VecDeque<Fault>>,
}

impl FaultQueues {
    /// Queues `times` × `fault` for requests of `repository` (`None`: any request).
    pub fn push(&self, repository: Option<&str>, fault: Fault, times: usize) {
        let mut q = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let queue = match repository {
            Some(r) => q.per_repo.entry(r.to_lowercase()).or_default(),
            None => &mut q.global,
        };
        queue.extend(std::iter::repeat_n(fault, times));
    }

    /// The next fault for a request of `repository`, if any.
    pub fn pop(&self, repository: &str) -> Option<Fault> {
        let mut q = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        q.per_repo
            .get_mut(repository)
            .and_then(VecDeque::pop_front)
            .or_else(|| q.global.pop_front())
    }

    /// How many faults are still queued (all scopes).
    pub fn pending(&self) -> usize {
        let q = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        q.global.len() + q.per_repo.values().map(VecDeque::len).sum::<usize>()
    }

    /// Drops every queued fault.
    pub fn clear(&self) {
        let mut q = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        q.global.clear();
        q.per_repo.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_faults_come_before_global_ones_and_each_is_used_once() {
        let q = FaultQueues::default();
        q.push(None, Fault::MalformedJson, 1);
        q.push(Some("Acme/Widgets"), Fault::ServerError(502), 2);
        assert_eq!(q.pending(), 3);
        assert_eq!(q.pop("acme/widgets"), Some(Fault::ServerError(502)));
        assert_eq!(q.pop("other/repo"), Some(Fault::MalformedJson));
        assert_eq!(q.pop("other/repo"), None);
        assert_eq!(q.pop("acme/widgets"), Some(Fault::ServerError(502)));
        assert_eq!(q.pending(), 0);
    }
}
