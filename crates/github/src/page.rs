//! What a caller asks of [`crate::GithubClient::pulls_page`] and what it gets back.

use crate::wire::SkippedItem;

/// Which page to fetch.
#[derive(Debug, Clone, Copy)]
pub enum PageRequest<'a> {
    /// `GET {base}/repos/{owner}/{repo}/pulls?state=closed&sort=updated&direction=desc&per_page=100`,
    /// conditional on `etag` (the first page's `ETag` of an earlier run) when given.
    First {
        /// `owner/name`.
        repository: &'a str,
        etag: Option<&'a str>,
    },
    /// The `next` URL of the previous page's `Link` header, requested exactly as given (GitHub
    /// uses the `/repositories/{id}/pulls` form). It must lie under the configured API base.
    Next {
        /// `owner/name` the chain belongs to (for the PRs, errors and logs).
        repository: &'a str,
        url: &'a str,
    },
    /// A page fetched before, asked again conditionally on its `ETag` (when known): answered
    /// with [`PageOutcome::Unchanged`] when nothing on it moved.
    Again {
        /// `owner/name` the chain belongs to.
        repository: &'a str,
        url: &'a str,
        etag: Option<&'a str>,
    },
}

/// What a page request returned.
#[derive(Debug, Clone, PartialEq)]
pub enum PageOutcome {
    /// `304 Not Modified`: the first page is unchanged since `etag`, so nothing changed.
    NotModified,
    /// A page of PRs.
    Page {
        /// The URL the page was finally fetched from (after redirects): to fetch it again.
        url: String,
        /// In GitHub's order; `repository` is the requested one, lowercased.
        pulls: Vec<domain::PullRequest>,
        /// The `rel="next"` URL, `None` on the last page.
        next: Option<String>,
        /// This page's `ETag`, to send as `If-None-Match` next time (kept for the first page).
        etag: Option<String>,
        /// Items that could not be read (wrong types, impossible values), left out of `pulls`.
        skipped: Vec<SkippedItem>,
        /// The repository's new `owner/name` when GitHub redirected permanently (a renamed or
        /// transferred repository) and the items name it; to put in `REPOSITORIES`.
        moved_to: Option<String>,
    },
    /// The page's ETag matched (asked with [`PageRequest::Again`]): the page is as it was.
    Unchanged,
}
