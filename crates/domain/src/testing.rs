//! Test support shared by every crate's tests (feature `testing`): the one instant helper and
//! the one pull request builder, so test data reads the same everywhere.

use crate::{PrUser, PullRequest};
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// An instant from RFC 3339 (`2026-01-05T09:00:00Z`) or a UTC day (`2026-01-05`, midnight).
/// Panics on anything else: test input only.
pub fn at(s: &str) -> DateTime<Utc> {
    if let Ok(day) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return day.and_time(chrono::NaiveTime::MIN).and_utc();
    }
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .with_timezone(&Utc)
}

/// A pull request of `acme/app` under construction; [`PrBuilder::build`] returns it.
#[derive(Debug, Clone)]
pub struct PrBuilder(PullRequest);

/// PR `number`, merged at 2026-01-01T12:00:00Z five hours after it was opened, by nobody
/// (a deleted account) until [`PrBuilder::by`] names an author. `github_id` is
/// `1000 + number`, the title `PR {number}`, the branch `feature-{number}`.
pub fn merged_pr(number: i64) -> PrBuilder {
    let merged = at("2026-01-01T12:00:00Z");
    PrBuilder(PullRequest {
        repository: "acme/app".into(),
        number,
        github_id: 1_000 + number,
        title: format!("PR {number}"),
        state: "closed".into(),
        draft: false,
        author: None,
        created_at: merged - Duration::hours(5),
        updated_at: merged,
        closed_at: Some(merged),
        merged_at: Some(merged),
        merge_commit_sha: Some(format!("{number:040x}")),
        base_ref: "main".into(),
        head_ref: Some(format!("feature-{number}")),
        html_url: Some(format!("https://github.com/acme/app/pull/{number}")),
    })
}

impl PrBuilder {
    /// Authored by `login`, a user (`[bot]` logins are bots by the rule anyway).
    pub fn by(self, login: &str) -> Self {
        self.by_user(Some(login), "User")
    }

    /// Authored by `login` (`None`: a deleted account) of GitHub `user_type`.
    pub fn by_user(mut self, login: Option<&str>, user_type: &str) -> Self {
        self.0.author = login.map(|login| PrUser {
            login: login.into(),
            id: 7,
            user_type: user_type.into(),
        });
        self
    }

    /// Opened at `created_at`.
    pub fn created(mut self, created_at: DateTime<Utc>) -> Self {
        self.0.created_at = created_at;
        self
    }

    /// Merged (and closed, and last updated) at `merged_at`.
    pub fn merged(mut self, merged_at: DateTime<Utc>) -> Self {
        self.0.merged_at = Some(merged_at);
        self.0.closed_at = Some(merged_at);
        self.0.updated_at = merged_at;
        self
    }

    /// Opened `hours` before it was merged.
    pub fn open_for_hours(mut self, hours: i64) -> Self {
        let merged = self.0.merged_at.unwrap_or(self.0.updated_at);
        self.0.created_at = merged - Duration::hours(hours);
        self
    }

    /// Closed without merging at `closed_at`.
    pub fn closed_unmerged(mut self, closed_at: DateTime<Utc>) -> Self {
        self.0.merged_at = None;
        self.0.merge_commit_sha = None;
        self.0.closed_at = Some(closed_at);
        self.0.updated_at = closed_at;
        self
    }

    /// Still open, last updated at `updated_at`.
    pub fn open(mut self, updated_at: DateTime<Utc>) -> Self {
        self.0.state = "open".into();
        self.0.merged_at = None;
        self.0.merge_commit_sha = None;
        self.0.closed_at = None;
        self.0.updated_at = updated_at;
        self
    }

    /// Last updated at `updated_at`.
    pub fn updated(mut self, updated_at: DateTime<Utc>) -> Self {
        self.0.updated_at = updated_at;
        self
    }

    /// In `repository` (`owner/name`).
    pub fn repository(mut self, repository: &str) -> Self {
        self.0.repository = repository.into();
        self
    }

    /// Titled `title`.
    pub fn title(mut self, title: &str) -> Self {
        self.0.title = title.into();
        self
    }

    /// With GitHub's id `github_id`.
    pub fn github_id(mut self, github_id: i64) -> Self {
        self.0.github_id = github_id;
        self
    }

    /// The pull request.
    pub fn build(self) -> PullRequest {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_midnight_utc_and_instants_keep_their_offset() {
        assert_eq!(at("2026-01-05"), at("2026-01-05T00:00:00Z"));
        assert_eq!(at("2026-01-05T02:00:00+02:00"), at("2026-01-05T00:00:00Z"));
    }

    #[test]
    fn the_builder_keeps_merge_close_and_update_together() {
        let pr = merged_pr(3)
            .by("alice")
            .merged(at("2026-02-01"))
            .open_for_hours(2)
            .build();
        assert_eq!(pr.merged_at, Some(at("2026-02-01")));
        assert_eq!(
            (pr.closed_at, pr.updated_at),
            (pr.merged_at, at("2026-02-01"))
        );
        assert_eq!(pr.created_at, at("2026-01-31T22:00:00Z"));
        assert_eq!(pr.author.map(|a| a.login), Some("alice".into()));
        let open = merged_pr(4).open(at("2026-03-01")).build();
        assert_eq!((open.state.as_str(), open.merged_at), ("open", None));
    }
}
