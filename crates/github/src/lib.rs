//! dorameter's GitHub REST client, on octocrab's raw HTTP layer: one page of a repository's
//! closed pull requests per call ([`GithubClient::pulls_page`]), mapped faithfully into
//! [`domain::PullRequest`], with GitHub's rules applied on every request:
//!
//! - pagination by following `Link: rel="next"` exactly as given (checked to stay under the
//!   configured base, so a GitHub Enterprise `/api/v3` prefix is never lost);
//! - conditional requests: the first page's `ETag` sent back as `If-None-Match`, a `304` reported
//!   as [`PageOutcome::NotModified`];
//! - the primary rate limit (`x-ratelimit-*`, waiting for the reset before the reserve is spent),
//!   secondary limits (`retry-after`, else at least a minute, doubling for each limit in a row
//!   across pages and repositories until a request succeeds), 5xx / timeouts /
//!   connection errors (exponential backoff with full jitter), all bounded by an attempt limit
//!   and never waiting past the caller's deadline;
//! - every response body read within a size cap, stopping as soon as it passes it;
//! - a tolerant reader: an item that cannot be read is skipped and reported, not the page;
//! - the token sent only as `Authorization: Bearer` to the API host, never logged or printed.
//!
//! ```no_run
//! # async fn run() -> Result<(), github::GithubError> {
//! use github::{GithubClient, GithubConfig, PageOutcome, PageRequest, SecretString};
//! use std::time::{Duration, Instant};
//! let client = GithubClient::new(GithubConfig::new(
//!     github::DEFAULT_API_URL,
//!     SecretString::from("ghp_…"),
//! ))?;
//! let deadline = Instant::now() + Duration::from_secs(600);
//! let mut page = client
//!     .pulls_page(PageRequest::First { repository: "acme/widgets", etag: None }, deadline)
//!     .await?;
//! while let PageOutcome::Page { pulls, next: Some(next), .. } = page {
//!     println!("{} PRs", pulls.len());
//!     page = client
//!         .pulls_page(PageRequest::Next { repository: "acme/widgets", url: &next }, deadline)
//!         .await?;
//! }
//! # Ok(()) }
//! ```

mod base;
mod client;
mod config;
mod error;
mod gate;
mod headers;
mod page;
mod policy;
mod stats;
mod transport;
mod wire;

pub use client::GithubClient;
pub use config::{DEFAULT_API_URL, DEFAULT_MAX_BODY_BYTES, GithubConfig};
pub use error::GithubError;
pub use page::{PageOutcome, PageRequest};
pub use secrecy::SecretString;
pub use stats::GithubStats;
pub use transport::USER_AGENT_VALUE as USER_AGENT;
pub use wire::SkippedItem;
