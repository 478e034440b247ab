//! What the fake saw: request counters and a bounded log of requests, for tests to assert on
//! (how many requests a sync made, whether it sent `If-None-Match` and a token).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// One request as the fake received and answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    /// Path and query exactly as requested (including any path prefix such as `/api/v3`).
    pub path_and_query: String,
    /// Lowercased `owner/name` when the request named a known repository (by name or by id).
    pub repository: Option<String>,
    /// Status code of the answer (0 when the connection was dropped on purpose).
    pub status: u16,
    pub if_none_match: Option<String>,
    /// Whether an `Authorization` header was present (its value is never kept).
    pub authorization_present: bool,
    pub user_agent: Option<String>,
    pub accept: Option<String>,
    /// `X-GitHub-Api-Version`.
    pub api_version: Option<String>,
}

/// Totals since start (or the last [`crate::FakeGithub::reset_observations`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestCounts {
    /// Every request received, whatever its answer.
    pub total: u64,
    /// Answers `304 Not Modified`.
    pub not_modified: u64,
    /// Answers `200` with a page of PRs.
    pub pages: u64,
    /// Answers with an injected fault.
    pub faults: u64,
}

#[derive(Debug)]
pub(crate) struct Observations {
    inner: Mutex<Inner>,
    capacity: usize,
}

#[derive(Debug, Default)]
struct Inner {
    counts: RequestCounts,
    per_repo: HashMap<String, u64>,
    log: VecDeque<LoggedRequest>,
}

/// How a request ended, for the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Page,
    NotModified,
    Fault,
    Other,
}

impl Observations {
    /// Keeps at most `capacity` log entries (the oldest are dropped first).
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            capacity,
        }
    }

    pub fn record(&self, entry: LoggedRequest, outcome: Outcome) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.counts.total += 1;
        match outcome {
            Outcome::Page => inner.counts.pages += 1,
            Outcome::NotModified => inner.counts.not_modified += 1,
            Outcome::Fault => inner.counts.faults += 1,
            Outcome::Other => {}
        }
        if let Some(repo) = &entry.repository {
            *inner.per_repo.entry(repo.clone()).or_default() += 1;
        }
        if self.capacity > 0 {
            if inner.log.len() == self.capacity {
                inner.log.pop_front();
            }
            inner.log.push_back(entry);
        }
    }

    pub fn counts(&self) -> RequestCounts {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).counts
    }

    pub fn requests_for(&self, repository: &str) -> u64 {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner
            .per_repo
            .get(&repository.to_lowercase())
            .copied()
            .unwrap_or(0)
    }

    pub fn log(&self) -> Vec<LoggedRequest> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.log.iter().cloned().collect()
    }

    pub fn reset(&self) {
        *self.inner.lock().unwrap_or_else(|e| e.into_inner()) = Inner::default();
    }
}
