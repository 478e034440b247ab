//! A pull request as dorameter keeps it: the fields of GitHub's pull-list payload that any metric
//! may need, nulls kept as GitHub sends them.

use crate::attribution::PrAuthor;
use chrono::{DateTime, Utc};

/// The author of a PR (`user` in GitHub's payload; `null` for a deleted account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrUser {
    pub login: String,
    pub id: i64,
    /// `"User"`, `"Bot"` or `"Organization"`.
    pub user_type: String,
}

/// One pull request of one repository, identified by `(repository, number)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    /// `owner/name`, lowercased (GitHub names are case-insensitive).
    pub repository: String,
    pub number: i64,
    /// GitHub's numeric id of the PR.
    pub github_id: i64,
    pub title: String,
    /// `"open"` or `"closed"` (merged PRs are `"closed"` with `merged_at` set).
    pub state: String,
    pub draft: bool,
    pub author: Option<PrUser>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub merged_at: Option<DateTime<Utc>>,
    pub merge_commit_sha: Option<String>,
    /// Target branch (`base.ref`).
    pub base_ref: String,
    /// Source branch (`head.ref`).
    pub head_ref: Option<String>,
    pub html_url: Option<String>,
}

impl PullRequest {
    /// What the attribution rule needs of this PR.
    pub fn author_view(&self) -> PrAuthor<'_> {
        PrAuthor {
            login: self.author.as_ref().map(|u| u.login.as_str()),
            user_type: self.author.as_ref().map(|u| u.user_type.as_str()),
            merged_at: self.merged_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn author_view_carries_login_type_and_merge_time_and_nulls() {
        let t = Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0).unwrap();
        let mut pr = PullRequest {
            repository: "acme/app".into(),
            number: 1,
            github_id: 1,
            title: "t".into(),
            state: "closed".into(),
            draft: false,
            author: Some(PrUser {
                login: "Alice".into(),
                id: 7,
                user_type: "User".into(),
            }),
            created_at: t,
            updated_at: t,
            closed_at: Some(t),
            merged_at: Some(t),
            merge_commit_sha: None,
            base_ref: "main".into(),
            head_ref: None,
            html_url: None,
        };
        let view = pr.author_view();
        assert_eq!(
            (view.login, view.user_type, view.merged_at),
            (Some("Alice"), Some("User"), Some(t))
        );
        pr.author = None;
        pr.merged_at = None;
        let view = pr.author_view();
        assert_eq!(
            (view.login, view.user_type, view.merged_at),
            (None, None, None)
        );
    }
}
