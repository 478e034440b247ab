//! A fake GitHub REST API for dorameter's tests and `dorameter demo`: a real HTTP server on
//! 127.0.0.1 serving `GET /repos/{owner}/{repo}/pulls` (and the `/repositories/{id}/pulls` form
//! its `Link` headers use) with GitHub's payload shapes, `Link`, `ETag` / `If-None-Match`,
//! `x-ratelimit-*` headers and bearer-token checking, plus fault injection: 5xx, secondary and
//! primary rate limits (also as GitHub's older and header-less answers), malformed JSON, huge
//! and endless bodies, stalls, dropped connections, renamed repositories (301/307) and a PR
//! reopened between two page requests.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use fake_github::{FakeGithub, FakeGithubConfig, FakePull, FakeUser, Fault};
//! let fake = FakeGithub::start(FakeGithubConfig {
//!     token: Some("t0ken".into()),
//!     ..FakeGithubConfig::default()
//! })
//! .await?;
//! let when = chrono::Utc::now();
//! fake.set_pulls("acme/widgets", vec![FakePull::merged(1, Some(FakeUser::user("alice", 1)), when, when)]);
//! fake.inject_for("acme/widgets", Fault::ServerError(502), 3);
//! println!("point the client at {}", fake.base_url());
//! # Ok(()) }
//! ```
//!
//! Faithfulness to GitHub is tested against GitHub's own OpenAPI description (see
//! `tests/data/README.md`).

// The repository object in `render` is one large `json!` literal.
#![recursion_limit = "256"]

mod fault;
mod faults;
mod handler;
mod observe;
mod pull;
mod query;
mod rate_limit;
mod render;
mod server;
mod store;

pub use fault::Fault;
pub use observe::{LoggedRequest, RequestCounts};
pub use pull::{FakeLabel, FakePull, FakeUser};
pub use server::{FakeGithub, FakeGithubConfig};
