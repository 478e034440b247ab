//! GitHub's pull-list payload as it arrives (only the fields dorameter keeps, unknown fields
//! ignored, every field GitHub may send as `null` or leave out optional) and its mapping into
//! [`domain::PullRequest`]. Fields not read here (labels, `head.repo`, …) cannot break parsing,
//! whatever nulls they carry.
//!
//! A tolerant reader: each item of a page is read on its own, so one item that cannot be read
//! (a wrong type, an impossible number or date) is skipped and reported with its reason, and
//! the rest of the page is kept. Only a body that is not a JSON list fails the page.

use chrono::{DateTime, Utc};
use domain::{PrUser, PullRequest};
use serde::Deserialize;
use serde_json::value::RawValue;

/// How far in the future an `updated_at` may lie (clock skew) before the item is refused: a
/// date far ahead would otherwise freeze the stored copy, since only newer data overwrites it.
const MAX_FUTURE_SKEW: chrono::TimeDelta = chrono::TimeDelta::days(1);

/// One element of `GET /repos/{owner}/{repo}/pulls`.
#[derive(Debug, Deserialize)]
struct WirePull {
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
    /// Absent on 2012-era payloads (GitHub's own recordings have such items).
    #[serde(rename = "type", default)]
    user_type: Option<String>,
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
    /// The repository the PR belongs to, under its current name (it tells a renamed repository's
    /// new name after a redirect).
    #[serde(default)]
    repo: Option<WireRepoName>,
}

#[derive(Debug, Deserialize)]
struct WireRepoName {
    #[serde(default)]
    full_name: Option<String>,
}

/// An item of a page that could not be read, skipped so the rest of the page is kept.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SkippedItem {
    /// The item's `html_url` (or `url`) when readable, else the page URL and the item's index.
    pub url: String,
    /// What is wrong with it, naming the field.
    pub reason: String,
}

/// A page as read: the PRs that could be read, the items that could not, and the repository's
/// name as its items give it.
#[derive(Debug, Default)]
pub(crate) struct ReadPage {
    pub pulls: Vec<PullRequest>,
    pub skipped: Vec<SkippedItem>,
    /// `base.repo.full_name` of the first item that has one.
    pub full_name: Option<String>,
}

/// Text as stored: without NUL characters, which PostgreSQL refuses in text columns.
fn clean(text: String) -> String {
    if text.contains('\0') {
        text.replace('\0', "")
    } else {
        text
    }
}

impl WirePull {
    /// The PR as dorameter keeps it, in `repository` (stored lowercased), or why it cannot be
    /// kept (an impossible number or date).
    fn into_domain(self, repository: &str, now: DateTime<Utc>) -> Result<PullRequest, String> {
        if self.number < 1 {
            return Err(format!("number: {} is not a PR number", self.number));
        }
        if self.updated_at > now + MAX_FUTURE_SKEW {
            return Err(format!(
                "updated_at: {} is more than a day in the future",
                self.updated_at
            ));
        }
        Ok(PullRequest {
            repository: repository.to_lowercase(),
            number: self.number,
            github_id: self.id,
            title: clean(self.title),
            state: clean(self.state),
            draft: self.draft.unwrap_or(false),
            author: self.user.map(|u| {
                let login = clean(u.login);
                let user_type = match u.user_type {
                    Some(t) => clean(t),
                    None if login.ends_with("[bot]") => "Bot".to_owned(),
                    None => "User".to_owned(),
                };
                PrUser {
                    login,
                    id: u.id,
                    user_type,
                }
            }),
            created_at: self.created_at,
            updated_at: self.updated_at,
            closed_at: self.closed_at,
            merged_at: self.merged_at,
            merge_commit_sha: self.merge_commit_sha.map(clean),
            base_ref: clean(self.base.git_ref),
            head_ref: self.head.git_ref.map(clean),
            html_url: self.html_url.map(clean),
        })
    }
}

/// Reads a pull-list body of `repository` fetched from `page_url`. Fails (naming the position)
/// only when the body is not a JSON list; an unreadable item is skipped and reported.
pub(crate) fn read_pull_list(
    body: &[u8],
    repository: &str,
    page_url: &str,
    now: DateTime<Utc>,
) -> Result<ReadPage, String> {
    let items: Vec<&RawValue> = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let mut page = ReadPage {
        pulls: Vec::with_capacity(items.len()),
        ..ReadPage::default()
    };
    for (index, item) in items.into_iter().enumerate() {
        let read = serde_json::from_str::<WirePull>(item.get())
            .map_err(|plain| item_error(item, plain))
            .and_then(|pull| {
                if page.full_name.is_none() {
                    page.full_name = pull.base.repo.as_ref().and_then(|r| r.full_name.clone());
                }
                pull.into_domain(repository, now)
            });
        match read {
            Ok(pull) => page.pulls.push(pull),
            Err(reason) => page.skipped.push(SkippedItem {
                url: item_url(item).unwrap_or_else(|| format!("{page_url} (item {index})")),
                reason,
            }),
        }
    }
    Ok(page)
}

/// Why an item failed, with the JSON path inside it (worked out again only for a failed item).
fn item_error(item: &RawValue, plain: serde_json::Error) -> String {
    let mut deserializer = serde_json::Deserializer::from_str(item.get());
    match serde_path_to_error::deserialize::<_, WirePull>(&mut deserializer) {
        Err(tracked) => {
            let path = tracked.path().to_string();
            if path.is_empty() || path == "." {
                plain.to_string()
            } else {
                format!("{path}: {}", tracked.into_inner())
            }
        }
        Ok(_) => plain.to_string(),
    }
}

/// The item's `html_url`, else `url`, when it is an object that has one.
fn item_url(item: &RawValue) -> Option<String> {
    #[derive(Deserialize)]
    struct Urls {
        #[serde(default)]
        html_url: Option<serde_json::Value>,
        #[serde(default)]
        url: Option<serde_json::Value>,
    }
    let urls: Urls = serde_json::from_str(item.get()).ok()?;
    [urls.html_url, urls.url]
        .into_iter()
        .flatten()
        .find_map(|v| v.as_str().map(|s| clean(s.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{"id": 9, "number": 3, "state": "closed", "title": "Fix",
        "user": {"login": "Alice", "id": 1, "type": "User"},
        "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-02T00:00:00Z",
        "closed_at": "2025-01-02T00:00:00Z", "merged_at": null,
        "head": {"ref": "fix", "repo": null}, "base": {"ref": "main"}}"#;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_750_000_000, 0).unwrap_or_default()
    }

    fn read(body: &str) -> Result<ReadPage, String> {
        read_pull_list(body.as_bytes(), "Acme/Widgets", "https://x/p?page=1", now())
    }

    #[test]
    fn absent_draft_is_false_and_nulls_stay_none() {
        let page = read(&format!("[{MINIMAL}]")).expect("parses");
        let pr = page.pulls.into_iter().next().expect("one");
        assert_eq!(pr.repository, "acme/widgets");
        assert!(!pr.draft);
        assert_eq!(pr.merged_at, None);
        assert_eq!(pr.merge_commit_sha, None);
        assert_eq!(pr.html_url, None);
        assert_eq!(pr.head_ref.as_deref(), Some("fix"));
        assert_eq!(pr.author.map(|a| a.login), Some("Alice".to_owned()));
    }

    #[test]
    fn a_missing_user_type_is_a_bot_for_bot_logins_and_a_user_otherwise() {
        let item = |login: &str| {
            MINIMAL.replace(
                r#""login": "Alice", "id": 1, "type": "User""#,
                &format!(r#""login": "{login}", "id": 1"#),
            )
        };
        let page = read(&format!("[{},{}]", item("bob"), item("renovate[bot]"))).expect("reads");
        let types: Vec<_> = page
            .pulls
            .iter()
            .filter_map(|p| p.author.as_ref().map(|a| a.user_type.as_str()))
            .collect();
        assert_eq!(types, ["User", "Bot"]);
    }

    #[test]
    fn nul_characters_are_removed_from_text() {
        let item = MINIMAL.replace(r#""title": "Fix""#, r#""title": "Fi\u0000x\u0000""#);
        let page = read(&format!("[{item}]")).expect("reads");
        assert_eq!(page.pulls[0].title, "Fix");
    }

    #[test]
    fn an_unreadable_item_is_skipped_with_its_reason_and_url_and_the_rest_kept() {
        let wrong = r#"{"number": "seven", "html_url": "https://github.com/acme/widgets/pull/7"}"#;
        let future = MINIMAL.replace(
            r#""updated_at": "2025-01-02T00:00:00Z""#,
            r#""updated_at": "9999-12-31T00:00:00Z""#,
        );
        let negative = MINIMAL.replace(r#""number": 3"#, r#""number": -3"#);
        let page = read(&format!("[{wrong},{MINIMAL},{future},{negative},7]")).expect("reads");
        assert_eq!(page.pulls.len(), 1);
        let reasons: Vec<_> = page.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(reasons.len(), 4, "{reasons:?}");
        assert!(
            reasons[0].starts_with("number: invalid type"),
            "{reasons:?}"
        );
        assert!(reasons[1].contains("updated_at") && reasons[1].contains("future"));
        assert!(reasons[2].starts_with("number: -3"), "{reasons:?}");
        assert_eq!(
            page.skipped[0].url,
            "https://github.com/acme/widgets/pull/7"
        );
        assert_eq!(page.skipped[3].url, "https://x/p?page=1 (item 4)");
    }

    #[test]
    fn a_body_that_is_not_a_list_fails_the_page() {
        let err = read(r#"{"message": "not a list"}"#).expect_err("not a list");
        assert!(err.contains("expected a sequence"), "{err}");
        let err = read("[{\"id\": 1, \"title\": \"unterminated").expect_err("bad JSON");
        assert!(err.contains("EOF"), "{err}");
        let err = read("[] trailing").expect_err("data after the list");
        assert!(err.contains("trailing"), "{err}");
    }

    #[test]
    fn the_repository_name_comes_from_base_repo() {
        let item = MINIMAL.replace(
            r#""base": {"ref": "main"}"#,
            r#""base": {"ref": "main", "repo": {"id": 5, "full_name": "acme/gadgets"}}"#,
        );
        let page = read(&format!("[{item}]")).expect("reads");
        assert_eq!(page.full_name.as_deref(), Some("acme/gadgets"));
    }
}
