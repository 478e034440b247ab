//! Starting the fake on 127.0.0.1 and the handle tests and `dorameter demo` drive it with:
//! data (`set_pulls`, `add_pulls`, `touch`), faults (`inject`, `inject_for`) and what it saw
//! (`counts`, `requests_for`, `request_log`).

use crate::fault::{Fault, FaultQueues};
use crate::handler::handle;
use crate::observe::{LoggedRequest, Observations, RequestCounts};
use crate::pull::FakePull;
use crate::rate_limit::RateLimiter;
use crate::render::Urls;
use crate::store::{self, Store};
use axum::Router;
use chrono::{DateTime, Utc};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How to start a [`FakeGithub`].
#[derive(Debug, Clone)]
pub struct FakeGithubConfig {
    /// A path every API URL starts with, such as GitHub Enterprise Server's `/api/v3`
    /// (no trailing slash). `None`: URLs start at the root, as on api.github.com.
    pub path_prefix: Option<String>,
    /// When set, every request must carry `Authorization: Bearer <token>`, else 401.
    pub token: Option<String>,
    /// Requests per window of the primary rate limit (`x-ratelimit-limit`). GitHub: 5,000.
    pub rate_limit: u32,
    /// Length of a rate-limit window. GitHub: one hour.
    pub rate_limit_window: Duration,
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// How many requests the log keeps (oldest dropped first); counters are unaffected.
    pub request_log_capacity: usize,
    /// Send weak ETags (`W/"…"`) on pull lists, as api.github.com does; `If-None-Match`
    /// compares weakly either way.
    pub weak_etags: bool,
}

impl Default for FakeGithubConfig {
    fn default() -> Self {
        Self {
            path_prefix: None,
            token: None,
            rate_limit: 5_000,
            rate_limit_window: Duration::from_secs(3_600),
            port: 0,
            request_log_capacity: 10_000,
            weak_etags: false,
        }
    }
}

/// State shared by the handle and the request handler.
#[derive(Debug)]
pub(crate) struct Shared {
    pub prefix: String,
    pub token: Option<String>,
    pub urls: Urls,
    pub store: Store,
    pub faults: FaultQueues,
    pub observations: Observations,
    pub limiter: RateLimiter,
    pub weak_etags: bool,
}

/// A running fake GitHub. Dropping it stops accepting connections.
#[derive(Debug)]
pub struct FakeGithub {
    shared: Arc<Shared>,
    address: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for FakeGithub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeGithub {
    /// Binds 127.0.0.1 and serves in a background task of the current tokio runtime.
    pub async fn start(config: FakeGithubConfig) -> std::io::Result<Self> {
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, config.port)))
                .await?;
        let address = listener.local_addr()?;
        let prefix = config
            .path_prefix
            .as_deref()
            .unwrap_or("")
            .trim_end_matches('/')
            .to_owned();
        let web = format!("http://{address}");
        let shared = Arc::new(Shared {
            urls: Urls {
                api: format!("{web}{prefix}"),
                web,
            },
            prefix,
            token: config.token,
            store: Store::default(),
            faults: FaultQueues::default(),
            observations: Observations::new(config.request_log_capacity),
            limiter: RateLimiter::new(config.rate_limit, config.rate_limit_window),
            weak_etags: config.weak_etags,
        });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "fake-github stopped serving");
            }
        });
        tracing::debug!(%address, "fake-github listening");
        Ok(Self {
            shared,
            address,
            task,
        })
    }

    /// The API base URL to configure a client with: `http://127.0.0.1:PORT[/api/v3]`.
    pub fn base_url(&self) -> String {
        self.shared.urls.api.clone()
    }

    /// The socket the fake listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Replaces all PRs of `repository` (`owner/name`; created if new).
    pub fn set_pulls(&self, repository: &str, pulls: Vec<FakePull>) {
        self.shared
            .store
            .update(repository, &self.shared.urls, |existing| {
                existing.clear();
                store::upsert(existing, pulls);
            });
    }

    /// Adds PRs to `repository` (created if new), replacing any with the same number.
    pub fn add_pulls(&self, repository: &str, pulls: Vec<FakePull>) {
        self.shared
            .store
            .update(repository, &self.shared.urls, |existing| {
                store::upsert(existing, pulls)
            });
    }

    /// Records an update of PR `number` at `updated_at` (a comment, a label…), which moves it in
    /// the `sort=updated` order and changes the ETags of the pages it is on. `false` if there is
    /// no such PR (the repository's data is then unchanged apart from its version).
    pub fn touch(&self, repository: &str, number: u64, updated_at: DateTime<Utc>) -> bool {
        self.change(repository, |pulls| store::touch(pulls, number, updated_at))
    }

    /// Reopens the closed, unmerged PR `number` at `at` (an update, so its `updated_at` moves):
    /// it leaves the `state=closed` list, and every PR after it there moves up one place.
    /// `false` if there is no such PR (the data is then unchanged apart from its version).
    pub fn reopen(&self, repository: &str, number: u64, at: DateTime<Utc>) -> bool {
        self.change(repository, |pulls| store::reopen(pulls, number, at))
    }

    /// Deletes PR `number` (GitHub deletes PRs only on request, e.g. spam): it leaves every
    /// list. `false` if there is no such PR.
    pub fn remove_pull(&self, repository: &str, number: u64) -> bool {
        self.change(repository, |pulls| store::remove(pulls, number))
    }

    /// Renames `old` to `new` (`owner/name`), keeping its id and PRs: the old name's pull list
    /// is then answered with `status` (301 as GitHub does for a rename, or 307) pointing at
    /// `/repositories/{id}/pulls`, and the PRs' `base.repo` names the new one. `false` if
    /// `old` is unknown.
    pub fn rename(&self, old: &str, new: &str, status: u16) -> bool {
        let status =
            http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::MOVED_PERMANENTLY);
        self.shared
            .store
            .rename(old, new, status, &self.shared.urls)
    }

    /// Applies `change` to an existing repository's PRs; `false` if the repository is unknown.
    fn change(&self, repository: &str, change: impl FnOnce(&mut Vec<FakePull>) -> bool) -> bool {
        if self.shared.store.by_name(repository).is_none() {
            return false;
        }
        self.shared
            .store
            .update(repository, &self.shared.urls, change)
    }

    /// GitHub's numeric id of `repository`, used in `/repositories/{id}/pulls` links.
    pub fn repository_id(&self, repository: &str) -> Option<u64> {
        self.shared.store.by_name(repository).map(|r| r.id)
    }

    /// Queues `times` × `fault` for the next requests of any repository.
    pub fn inject(&self, fault: Fault, times: usize) {
        self.shared.faults.push(None, fault, times);
    }

    /// Queues `times` × `fault` for the next requests of `repository`; these come before global
    /// faults.
    pub fn inject_for(&self, repository: &str, fault: Fault, times: usize) {
        self.shared.faults.push(Some(repository), fault, times);
    }

    /// Faults queued and not yet served.
    pub fn pending_faults(&self) -> usize {
        self.shared.faults.pending()
    }

    /// Drops all queued faults.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Request totals.
    pub fn counts(&self) -> RequestCounts {
        self.shared.observations.counts()
    }

    /// Requests that named `repository` (by name or by id), whatever their answer.
    pub fn requests_for(&self, repository: &str) -> u64 {
        self.shared.observations.requests_for(repository)
    }

    /// The most recent requests, oldest first.
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        self.shared.observations.log()
    }

    /// Zeroes the counters and empties the log (e.g. between two syncs of a test).
    pub fn reset_observations(&self) {
        self.shared.observations.reset();
    }
}
