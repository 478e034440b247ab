//! Rendering pull requests as GitHub's `pull-request-simple` JSON. Field names and order follow
//! GitHub's REST documentation and its OpenAPI example; the repository objects (`head.repo`,
//! `base.repo`, several KB each, as on GitHub) are rendered once per repository and spliced in as
//! raw JSON, so a page costs a few small allocations per PR.

use crate::pull::{FakeLabel, FakePull, FakeUser};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::value::RawValue;

/// Where the fake's URLs point: the API base (`http://127.0.0.1:PORT[/api/v3]`) and the web base.
#[derive(Debug, Clone)]
pub(crate) struct Urls {
    pub api: String,
    pub web: String,
}

/// The parts of a repository that every PR of it shares, rendered once.
#[derive(Debug, Clone)]
pub(crate) struct RepoJson {
    pub owner_login: String,
    /// `simple-user` of the owning organization (`head.user` / `base.user`).
    pub owner: Box<RawValue>,
    /// The `repository` object (`head.repo` / `base.repo`).
    pub repository: Box<RawValue>,
}

/// `s` as one URL path segment: everything but RFC 3986's unreserved characters is
/// percent-encoded, as GitHub does for `dependabot%5Bbot%5D` or label names with spaces.
pub(crate) fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// GitHub's timestamp format: RFC 3339 in UTC, whole seconds, `Z`.
pub(crate) fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[derive(Serialize)]
struct UserJson<'a> {
    login: &'a str,
    id: u64,
    node_id: String,
    avatar_url: String,
    gravatar_id: &'static str,
    url: String,
    html_url: String,
    followers_url: String,
    following_url: String,
    gists_url: String,
    starred_url: String,
    subscriptions_url: String,
    organizations_url: String,
    repos_url: String,
    events_url: String,
    received_events_url: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    user_type: Option<&'a str>,
    site_admin: bool,
}

impl<'a> UserJson<'a> {
    fn new(user: &'a FakeUser, urls: &Urls) -> Self {
        let login = segment(&user.login);
        let api = format!("{}/users/{login}", urls.api);
        Self {
            login: &user.login,
            id: user.id,
            node_id: format!("U_kgDO{:08}", user.id),
            avatar_url: format!("{}/avatars/u/{}?v=4", urls.web, user.id),
            gravatar_id: "",
            html_url: format!("{}/{login}", urls.web),
            followers_url: format!("{api}/followers"),
            following_url: format!("{api}/following{{/other_user}}"),
            gists_url: format!("{api}/gists{{/gist_id}}"),
            starred_url: format!("{api}/starred{{/owner}}{{/repo}}"),
            subscriptions_url: format!("{api}/subscriptions"),
            organizations_url: format!("{api}/orgs"),
            repos_url: format!("{api}/repos"),
            events_url: format!("{api}/events{{/privacy}}"),
            received_events_url: format!("{api}/received_events"),
            url: api,
            user_type: Some(&user.user_type),
            site_admin: user.site_admin,
        }
    }
}

/// Renders the owner and repository objects of `full_name` (`owner/name`, case as given).
pub(crate) fn repo_json(id: u64, full_name: &str, urls: &Urls) -> serde_json::Result<RepoJson> {
    let (owner_login, name) = full_name.split_once('/').unwrap_or((full_name, full_name));
    let owner_user = FakeUser::organization(owner_login, 9_000_000 + id);
    let owner = serde_json::value::to_raw_value(&UserJson::new(&owner_user, urls))?;
    let api = format!("{}/repos/{full_name}", urls.api);
    let web = format!("{}/{full_name}", urls.web);
    let host = urls.web.split("://").nth(1).unwrap_or("localhost");
    let created = "2020-01-01T00:00:00Z";
    let repository = serde_json::json!({
        "id": id,
        "node_id": format!("R_kgDO{id:08}"),
        "name": name,
        "full_name": full_name,
        "private": false,
        "owner": &owner,
        "html_url": web,
        "description": format!("Fake repository {full_name}"),
        "fork": false,
        "url": api,
        "forks_url": format!("{api}/forks"),
        "keys_url": format!("{api}/keys{{/key_id}}"),
        "collaborators_url": format!("{api}/collaborators{{/collaborator}}"),
        "teams_url": format!("{api}/teams"),
        "hooks_url": format!("{api}/hooks"),
        "issue_events_url": format!("{api}/issues/events{{/number}}"),
        "events_url": format!("{api}/events"),
        "assignees_url": format!("{api}/assignees{{/user}}"),
        "branches_url": format!("{api}/branches{{/branch}}"),
        "tags_url": format!("{api}/tags"),
        "blobs_url": format!("{api}/git/blobs{{/sha}}"),
        "git_tags_url": format!("{api}/git/tags{{/sha}}"),
        "git_refs_url": format!("{api}/git/refs{{/sha}}"),
        "trees_url": format!("{api}/git/trees{{/sha}}"),
        "statuses_url": format!("{api}/statuses/{{sha}}"),
        "languages_url": format!("{api}/languages"),
        "stargazers_url": format!("{api}/stargazers"),
        "contributors_url": format!("{api}/contributors"),
        "subscribers_url": format!("{api}/subscribers"),
        "subscription_url": format!("{api}/subscription"),
        "commits_url": format!("{api}/commits{{/sha}}"),
        "git_commits_url": format!("{api}/git/commits{{/sha}}"),
        "comments_url": format!("{api}/comments{{/number}}"),
        "issue_comment_url": format!("{api}/issues/comments{{/number}}"),
        "contents_url": format!("{api}/contents/{{+path}}"),
        "compare_url": format!("{api}/compare/{{base}}...{{head}}"),
        "merges_url": format!("{api}/merges"),
        "archive_url": format!("{api}/{{archive_format}}{{/ref}}"),
        "downloads_url": format!("{api}/downloads"),
        "issues_url": format!("{api}/issues{{/number}}"),
        "pulls_url": format!("{api}/pulls{{/number}}"),
        "milestones_url": format!("{api}/milestones{{/number}}"),
        "notifications_url": format!("{api}/notifications{{?since,all,participating}}"),
        "labels_url": format!("{api}/labels{{/name}}"),
        "releases_url": format!("{api}/releases{{/id}}"),
        "deployments_url": format!("{api}/deployments"),
        "created_at": created,
        "updated_at": created,
        "pushed_at": created,
        "git_url": format!("git://{host}/{full_name}.git"),
        "ssh_url": format!("git@{host}:{full_name}.git"),
        "clone_url": format!("{web}.git"),
        "svn_url": web,
        "homepage": null,
        "size": 1024,
        "stargazers_count": 0,
        "watchers_count": 0,
        "language": "Rust",
        "has_issues": true,
        "has_projects": true,
        "has_downloads": true,
        "has_wiki": true,
        "has_pages": false,
        "has_discussions": false,
        "forks_count": 0,
        "mirror_url": null,
        "archived": false,
        "disabled": false,
        "open_issues_count": 0,
        "license": null,
        "allow_forking": true,
        "is_template": false,
        "web_commit_signoff_required": false,
        "topics": [],
        "visibility": "public",
        "forks": 0,
        "open_issues": 0,
        "watchers": 0,
        "default_branch": "main",
    });
    Ok(RepoJson {
        owner_login: owner_login.to_owned(),
        owner,
        repository: serde_json::value::to_raw_value(&repository)?,
    })
}

#[derive(Serialize)]
struct LabelJson<'a> {
    id: u64,
    node_id: String,
    url: String,
    name: &'a str,
    color: &'a str,
    default: bool,
    description: Option<&'a str>,
}

impl<'a> LabelJson<'a> {
    fn new(label: &'a FakeLabel, repo_api: &str) -> Self {
        Self {
            id: label.id,
            node_id: format!("LA_kwDO{:08}", label.id),
            url: format!("{repo_api}/labels/{}", segment(&label.name)),
            name: &label.name,
            color: &label.color,
            default: label.default,
            description: label.description.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct BranchJson<'a> {
    label: Option<String>,
    #[serde(rename = "ref")]
    git_ref: &'a str,
    sha: &'a str,
    user: Option<&'a RawValue>,
    repo: Option<&'a RawValue>,
}

#[derive(Serialize)]
struct Href {
    href: String,
}

#[derive(Serialize)]
struct LinksJson {
    #[serde(rename = "self")]
    this: Href,
    html: Href,
    issue: Href,
    comments: Href,
    review_comments: Href,
    review_comment: Href,
    commits: Href,
    statuses: Href,
}

/// One element of the pull list, borrowing what it can from the stored PR and repository.
#[derive(Serialize)]
pub(crate) struct PullJson<'a> {
    url: String,
    id: u64,
    node_id: String,
    html_url: String,
    diff_url: String,
    patch_url: String,
    issue_url: String,
    number: u64,
    state: &'static str,
    locked: bool,
    title: &'a str,
    user: Option<UserJson<'a>>,
    body: Option<&'a str>,
    created_at: String,
    updated_at: String,
    closed_at: Option<String>,
    merged_at: Option<String>,
    merge_commit_sha: Option<&'a str>,
    assignee: Option<()>,
    assignees: [(); 0],
    requested_reviewers: [(); 0],
    requested_teams: [(); 0],
    labels: Vec<LabelJson<'a>>,
    milestone: Option<()>,
    #[serde(skip_serializing_if = "Option::is_none")]
    draft: Option<bool>,
    commits_url: String,
    review_comments_url: String,
    review_comment_url: String,
    comments_url: String,
    statuses_url: String,
    head: BranchJson<'a>,
    base: BranchJson<'a>,
    #[serde(rename = "_links")]
    links: LinksJson,
    author_association: &'a str,
    auto_merge: Option<()>,
    active_lock_reason: Option<&'static str>,
}

impl<'a> PullJson<'a> {
    /// The JSON view of `pull` in repository `full_name`.
    pub(crate) fn new(
        pull: &'a FakePull,
        full_name: &str,
        repo: &'a RepoJson,
        urls: &Urls,
    ) -> Self {
        let repo_api = format!("{}/repos/{full_name}", urls.api);
        let n = pull.number;
        let url = format!("{repo_api}/pulls/{n}");
        let html_url = format!("{}/{full_name}/pull/{n}", urls.web);
        let issue_url = format!("{repo_api}/issues/{n}");
        let comments_url = format!("{issue_url}/comments");
        let review_comments_url = format!("{url}/comments");
        let review_comment_url = format!("{repo_api}/pulls/comments{{/number}}");
        let commits_url = format!("{url}/commits");
        let statuses_url = format!("{repo_api}/statuses/{}", pull.head_sha);
        let href = |s: &str| Href { href: s.to_owned() };
        Self {
            links: LinksJson {
                this: href(&url),
                html: href(&html_url),
                issue: href(&issue_url),
                comments: href(&comments_url),
                review_comments: href(&review_comments_url),
                review_comment: href(&review_comment_url),
                commits: href(&commits_url),
                statuses: href(&statuses_url),
            },
            id: pull.id,
            node_id: format!("PR_kwDO{:010}", pull.id),
            diff_url: format!("{html_url}.diff"),
            patch_url: format!("{html_url}.patch"),
            number: n,
            state: pull.state(),
            locked: false,
            title: &pull.title,
            user: pull.user.as_ref().map(|u| {
                let mut user = UserJson::new(u, urls);
                if pull.legacy_shape {
                    user.user_type = None;
                }
                user
            }),
            body: pull.body.as_deref(),
            created_at: timestamp(pull.created_at),
            updated_at: timestamp(pull.updated_at),
            closed_at: pull.closed_at.map(timestamp),
            merged_at: pull.merged_at.map(timestamp),
            merge_commit_sha: pull.merge_commit_sha.as_deref(),
            assignee: None,
            assignees: [],
            requested_reviewers: [],
            requested_teams: [],
            labels: pull
                .labels
                .iter()
                .map(|l| LabelJson::new(l, &repo_api))
                .collect(),
            milestone: None,
            draft: (!pull.legacy_shape).then_some(pull.draft),
            head: BranchJson {
                label: (!pull.null_branch_owners)
                    .then(|| format!("{}:{}", repo.owner_login, pull.head_ref)),
                git_ref: &pull.head_ref,
                sha: &pull.head_sha,
                user: (!pull.null_branch_owners).then_some(&*repo.owner),
                repo: (!pull.head_repo_deleted).then_some(&*repo.repository),
            },
            base: BranchJson {
                label: Some(format!("{}:{}", repo.owner_login, pull.base_ref)),
                git_ref: &pull.base_ref,
                sha: &pull.base_sha,
                user: (!pull.null_branch_owners).then_some(&*repo.owner),
                repo: Some(&repo.repository),
            },
            author_association: &pull.author_association,
            auto_merge: None,
            active_lock_reason: None,
            url,
            html_url,
            issue_url,
            commits_url,
            review_comments_url,
            review_comment_url,
            comments_url,
            statuses_url,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_segments_are_percent_encoded_like_githubs() {
        assert_eq!(segment("dependabot[bot]"), "dependabot%5Bbot%5D");
        assert_eq!(segment("good first issue"), "good%20first%20issue");
        assert_eq!(segment("zoë"), "zo%C3%AB");
        assert_eq!(segment("a-b_c.d~e"), "a-b_c.d~e");
    }
}
