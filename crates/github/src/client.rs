//! [`GithubClient`]: one page of a repository's pull list per call, with every retry, wait and
//! redirect bounded by the attempt limit and the caller's deadline.

mod waits;

use crate::base::{ApiBase, split_repository};
use crate::config::GithubConfig;
use crate::error::GithubError;
use crate::gate::Gate;
use crate::headers;
use crate::page::{PageOutcome, PageRequest};
use crate::policy::{Context, Verdict, classify};
use crate::stats::{Counters, Event, GithubStats};
use crate::transport::{RawResponse, Transport, TransportError};
use crate::wire::read_pull_list;
use http::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use waits::budget;

/// A GitHub REST client for dorameter. Cheap to clone; clones share the connection pool, the
/// rate-limit pause, the concurrency limit and the statistics.
#[derive(Clone)]
pub struct GithubClient {
    inner: Arc<Inner>,
}

struct Inner {
    config: GithubConfig,
    base: ApiBase,
    transport: Transport,
    gate: Gate,
    stats: Counters,
    permits: Semaphore,
}

impl std::fmt::Debug for GithubClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GithubClient")
            .field("api_url", &self.inner.base.as_str())
            .finish_non_exhaustive()
    }
}

impl GithubClient {
    /// Validates `config` and builds the client. Must be called inside a tokio runtime. The
    /// token is trimmed (a secret read from a file or a secrets manager often ends in a line
    /// break); whitespace inside it, or an empty token, is an [`GithubError::InvalidConfig`].
    pub fn new(mut config: GithubConfig) -> Result<Self, GithubError> {
        let base = ApiBase::parse(&config.api_url)?;
        config.token = checked_token(&config.token)?;
        if config.max_attempts == 0 {
            return Err(GithubError::InvalidConfig {
                field: "max_attempts",
                reason: "must be at least 1".to_owned(),
            });
        }
        if config.max_concurrent_requests == 0 {
            return Err(GithubError::InvalidConfig {
                field: "max_concurrent_requests",
                reason: "must be at least 1".to_owned(),
            });
        }
        let transport = Transport::new(&config, &base.uri()?)?;
        Ok(Self {
            inner: Arc::new(Inner {
                permits: Semaphore::new(config.max_concurrent_requests),
                config,
                base,
                transport,
                gate: Gate::default(),
                stats: Counters::default(),
            }),
        })
    }

    /// The configured API base, without trailing slash.
    pub fn api_url(&self) -> &str {
        self.inner.base.as_str()
    }

    /// Counters of everything this client and its clones did.
    pub fn stats(&self) -> GithubStats {
        self.inner.stats.snapshot()
    }

    /// Fetches one page of a repository's closed pull requests. Retries, rate-limit waits and
    /// redirects happen inside, bounded by `max_attempts`; nothing waits past `deadline`: a wait
    /// that would end later returns [`GithubError::RateLimited`] or
    /// [`GithubError::BudgetExhausted`] at once.
    pub async fn pulls_page(
        &self,
        request: PageRequest<'_>,
        deadline: Instant,
    ) -> Result<PageOutcome, GithubError> {
        let (repository, url, etag, again) = match request {
            PageRequest::First { repository, etag } => (
                repository,
                self.inner.base.first_page_url(repository)?,
                etag,
                false,
            ),
            PageRequest::Next { repository, url } => {
                split_repository(repository)?;
                (repository, url.to_owned(), None, false)
            }
            PageRequest::Again {
                repository,
                url,
                etag,
            } => {
                split_repository(repository)?;
                (repository, url.to_owned(), etag, true)
            }
        };
        let fetched = self.fetch(repository, url, etag, deadline).await?;
        let (url, response) = (fetched.url, fetched.response);
        if response.status == StatusCode::NOT_MODIFIED {
            self.inner.stats.record(Event::NotModified);
            tracing::debug!(repository, url, "pull list not modified");
            return Ok(if again {
                PageOutcome::Unchanged
            } else {
                PageOutcome::NotModified
            });
        }
        let page = read_pull_list(&response.body, repository, &url, chrono::Utc::now()).map_err(
            |detail| {
                self.inner.stats.record(Event::ApiError);
                tracing::error!(repository, url, detail, "malformed pull list");
                GithubError::MalformedPayload {
                    url: url.clone(),
                    detail,
                }
            },
        )?;
        self.inner.stats.record(Event::Page);
        for item in &page.skipped {
            tracing::warn!(
                repository,
                item = item.url,
                reason = item.reason,
                "unreadable pull request skipped"
            );
        }
        let moved_to = page
            .full_name
            .filter(|name| fetched.moved_permanently && !name.eq_ignore_ascii_case(repository));
        if let Some(new_name) = &moved_to {
            tracing::warn!(
                repository,
                new_name,
                "the repository was renamed or transferred: put its new name in REPOSITORIES"
            );
        }
        let next = headers::next_link(&response.headers);
        tracing::debug!(
            repository,
            url,
            prs = page.pulls.len(),
            has_next = next.is_some(),
            "page"
        );
        Ok(PageOutcome::Page {
            etag: headers::etag(&response.headers),
            url,
            pulls: page.pulls,
            next,
            skipped: page.skipped,
            moved_to,
        })
    }

    /// GETs `url` until a usable response (2xx or 304), following GitHub's rate-limit rules,
    /// backing off after failures and following redirects, within `max_attempts` and `deadline`.
    /// Returns the URL finally requested with its response.
    async fn fetch(
        &self,
        repository: &str,
        mut url: String,
        etag: Option<&str>,
        deadline: Instant,
    ) -> Result<Fetched, GithubError> {
        let inner = &*self.inner;
        let max_attempts = inner.config.max_attempts;
        let mut uri = inner.base.checked_uri(&url)?;
        // A request after a failure or rate limit repeats it; one after a redirect does not.
        let mut retrying = false;
        let mut moved_permanently = false;
        let mut failures = 0;
        let mut last_status = None;
        let mut last_error = String::new();
        for attempt in 1..=max_attempts {
            let (permit, ticket) = self.admit(&url, deadline).await?;
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(budget(&url, "the deadline has passed", Duration::ZERO));
            }
            let timeout = inner.config.request_timeout.min(left);
            inner.stats.record(Event::Request { retry: retrying });
            retrying = true;
            tracing::debug!(repository, url, attempt, "GET");
            let result = inner.transport.get(&uri, etag, timeout).await;
            let response = match result {
                Ok(response) => response,
                Err(error) => {
                    drop(permit);
                    inner.stats.record(Event::ApiError);
                    last_status = None;
                    last_error = match error {
                        TransportError::Timeout(t) if t < inner.config.request_timeout => {
                            return Err(budget(&url, "request still running at the deadline", t));
                        }
                        TransportError::Timeout(t) => format!("no complete response within {t:?}"),
                        TransportError::Failed(e) => e,
                        TransportError::TooLarge { limit } => {
                            let error = GithubError::ResponseTooLarge {
                                url,
                                limit_bytes: limit,
                            };
                            tracing::error!(repository, %error, "GitHub request failed");
                            return Err(error);
                        }
                    };
                    tracing::warn!(
                        repository,
                        url,
                        attempt,
                        error = last_error,
                        "request failed"
                    );
                    failures += 1;
                    self.back_off(&url, failures, attempt, &last_error, deadline)
                        .await?;
                    continue;
                }
            };
            inner.gate.observe(
                headers::rate_limit(&response.headers),
                inner.config.rate_limit_reserve,
            );
            let context = Context {
                url: &url,
                repository,
                secondary_hits: ticket.secondary_streak,
                secondary_base: inner.config.secondary_rate_limit_wait,
                now: chrono::Utc::now(),
            };
            let verdict = classify(response.status, &response.headers, &response.body, &context);
            // The gate learns the outcome before the permit is released, so a request queued
            // for the permit cannot slip out between a rate limit and its pause.
            match &verdict {
                Verdict::Done => inner.gate.succeeded(ticket),
                Verdict::RateLimited(wait) => inner.gate.rate_limited(ticket, *wait),
                _ => {}
            }
            drop(permit);
            match verdict {
                Verdict::Done => {
                    return Ok(Fetched {
                        url,
                        response,
                        moved_permanently,
                    });
                }
                Verdict::Fail(error) => {
                    inner.stats.record(Event::ApiError);
                    tracing::error!(repository, %error, "GitHub request failed");
                    return Err(error);
                }
                Verdict::Redirect {
                    location,
                    permanent,
                } => {
                    tracing::info!(
                        repository,
                        from = url,
                        to = location,
                        permanent,
                        "following redirect"
                    );
                    uri = inner.base.checked_uri(&location)?;
                    url = location;
                    moved_permanently |= permanent;
                    retrying = false;
                }
                Verdict::RateLimited(wait) => {
                    inner.stats.record(Event::ApiError);
                    last_status = Some(response.status.as_u16());
                    last_error = wait.reason.to_string();
                    tracing::warn!(
                        repository,
                        url,
                        attempt,
                        status = response.status.as_u16(),
                        reason = %wait.reason,
                        wait_ms = wait.wait.as_millis() as u64,
                        "rate limited by GitHub"
                    );
                }
                Verdict::Retry => {
                    inner.stats.record(Event::ApiError);
                    last_status = Some(response.status.as_u16());
                    last_error = format!("HTTP {}", response.status);
                    tracing::warn!(
                        repository,
                        url,
                        attempt,
                        status = response.status.as_u16(),
                        "GitHub server error"
                    );
                    failures += 1;
                    self.back_off(&url, failures, attempt, &last_error, deadline)
                        .await?;
                }
            }
        }
        Err(GithubError::Unavailable {
            url,
            attempts: max_attempts,
            last_status,
            last_error,
        })
    }
}

/// The token without surrounding whitespace; refused when empty or when whitespace is inside it
/// (two values pasted together, a wrapped line), which GitHub would only answer with a 401.
fn checked_token(token: &SecretString) -> Result<SecretString, GithubError> {
    let trimmed = token.expose_secret().trim();
    let reason = if trimmed.is_empty() {
        "is empty"
    } else if trimmed.chars().any(char::is_whitespace) {
        "contains whitespace (a space, tab or line break inside it); a GitHub token has none"
    } else {
        return Ok(SecretString::from(trimmed.to_owned()));
    };
    Err(GithubError::InvalidConfig {
        field: "token",
        reason: reason.to_owned(),
    })
}

/// A usable response and how it was reached.
struct Fetched {
    /// The URL finally requested (after redirects).
    url: String,
    response: RawResponse,
    /// A 301 or 308 was followed on the way.
    moved_permanently: bool,
}
