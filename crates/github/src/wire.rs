//! GitHub's pull-list payload as it arrives (only the fields dorameter keeps, unknown fields
//! ignored, every field GitHub may send as `null` optional) and its mapping into
//! [`domain::PullRequest`]. Fields not read here (labels, `head.repo`, …) cannot break parsing,
//! whatever nulls they carry.

use chrono::{DateTime, Utc};
use domain::{PrUser, PullRequest};
use serde::Deserialize;

/// One element of `GET /repos/{owner}/{repo}/pulls`.
#[derive(Debug, Deserialize)]
pub(crate) struct WirePull {
    id: i64,
    number: i64,
    state: String,
    title: String,
    /// `null` for deleted ("ghost") accounts.
    user: Option<WireUser>,
    /// Absent on old payloads and some GitHub Enterprise versions.
    #[serde(default)]
    draft: Option<bool>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    /// `null` unless merged.
    merged_at: Option<DateTime<Utc>>,
    #[serde(default)]
    merge_commit_sha: Option<String>,
    #[serde(default)]
    html_url: Option<String>,
    head: WireBranch,
    base: WireBase,
}

#[derive(Debug, Deserialize)]
struct WireUser {
    login: String,
    id: i64,
    #[serde(rename = "type")]
    user_type: String,
}

/// `head`: its `repo` is `null` once the fork is deleted, so it is not read.
#[derive(Debug, Deserialize)]
struct WireBranch {
    #[serde(rename = "ref", default)]
    git_ref: Option<String>,
}

#[derive(Debug, Deserialize)]
struct WireBase {
    #[serde(rename = "ref")]
    git_ref: String,
}

impl WirePull {
    /// The PR as dorameter keeps it, in `repository` (stored lowercased).
    pub fn into_domain(self, repository: &str) -> PullRequest {
        PullRequest {
            repository: repository.to_lowercase(),
            number: self.number,
            github_id: self.id,
            title: self.title,
            state: self.state,
            draft: self.draft.unwrap_or(false),
            author: self.user.map(|u| PrUser {
                login: u.login,
                id: u.id,
                user_type: u.user_type,
            }),
            created_at: self.created_at,
            updated_at: self.updated_at,
            closed_at: self.closed_at,
            merged_at: self.merged_at,
            merge_commit_sha: self.merge_commit_sha,
            base_ref: self.base.git_ref,
            head_ref: self.head.git_ref,
            html_url: self.html_url,
        }
    }
}

/// Parses a pull-list body; the error names the JSON path that failed (`[3].user.login: …`).
pub(crate) fn parse_pull_list(body: &[u8]) -> Result<Vec<WirePull>, String> {
    // A page is ~1.4 MB; tracking the path of every value costs time on every page, so the
    // path is only worked out again for a body that failed.
    serde_json::from_slice(body).map_err(|plain| {
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let Err(tracked) = serde_path_to_error::deserialize::<_, Vec<WirePull>>(&mut deserializer)
        else {
            // Only the data after the list is wrong: there is no path to name.
            return plain.to_string();
        };
        let path = tracked.path().to_string();
        if path.is_empty() || path == "." {
            plain.to_string()
        } else {
            format!("at {path}: {}", tracked.into_inner())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"[{"id": 9, "number": 3, "state": "closed", "title": "Fix",
        "user": {"login": "Alice", "id": 1, "type": "User"},
        "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-02T00:00:00Z",
        "closed_at": "2025-01-02T00:00:00Z", "merged_at": null,
        "head": {"ref": "fix", "repo": null}, "base": {"ref": "main"}}]"#;

    #[test]
    fn absent_draft_is_false_and_nulls_stay_none() {
        let pulls = parse_pull_list(MINIMAL.as_bytes()).expect("parses");
        let pr = pulls
            .into_iter()
            .next()
            .expect("one")
            .into_domain("Acme/Widgets");
        assert_eq!(pr.repository, "acme/widgets");
        assert!(!pr.draft);
        assert_eq!(pr.merged_at, None);
        assert_eq!(pr.merge_commit_sha, None);
        assert_eq!(pr.html_url, None);
        assert_eq!(pr.head_ref.as_deref(), Some("fix"));
        assert_eq!(pr.author.map(|a| a.login), Some("Alice".to_owned()));
    }

    #[test]
    fn a_wrong_shape_names_the_json_path() {
        let err = parse_pull_list(br#"[{"number": "seven"}]"#).expect_err("wrong type");
        assert!(err.starts_with("at [0].number"), "{err}");
        let err = parse_pull_list(br#"{"message": "not a list"}"#).expect_err("not a list");
        assert!(err.contains("expected a sequence"), "{err}");
        let err = parse_pull_list(b"[{\"id\": 1, \"title\": \"unterminated").expect_err("bad JSON");
        assert!(err.contains("EOF"), "{err}");
        let err = parse_pull_list(b"[] trailing").expect_err("data after the list");
        assert!(err.contains("trailing"), "{err}");
    }
}
