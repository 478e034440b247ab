//! The client parses GitHub's own example response of `GET /repos/{owner}/{repo}/pulls`
//! (vendored from GitHub's OpenAPI description, see `crates/fake-github/tests/data/README.md`)
//! served verbatim over HTTP, and a variant with the real-world nulls the schema does not admit.

mod common;

use common::{client, config, fake, first};
use fake_github::{FakeGithubConfig, Fault};
use github::PageOutcome;
use serde_json::Value;

const EXAMPLE: &str = include_str!("../../fake-github/tests/data/pull-request-simple-items.json");

async fn parse_served(body: String) -> Vec<domain::PullRequest> {
    let fake = fake(FakeGithubConfig::default()).await;
    fake.set_pulls("octocat/Hello-World", Vec::new());
    fake.inject(Fault::Respond { status: 200, body }, 1);
    match first(&client(config(&fake)), "octocat/Hello-World", None).await {
        Ok(PageOutcome::Page { pulls, .. }) => pulls,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn githubs_own_example_response_parses() {
    let pulls = parse_served(EXAMPLE.to_owned()).await;

    assert_eq!(pulls.len(), 1);
    let pr = &pulls[0];
    assert_eq!(pr.repository, "octocat/hello-world");
    assert_eq!((pr.number, pr.github_id), (1347, 1));
    assert_eq!(pr.title, "Amazing new feature");
    assert_eq!(pr.state, "open");
    assert!(!pr.draft);
    let author = pr.author.as_ref().expect("octocat");
    assert_eq!(
        (author.login.as_str(), author.id, author.user_type.as_str()),
        ("octocat", 1, "User")
    );
    assert_eq!(pr.created_at.to_rfc3339(), "2011-01-26T19:01:12+00:00");
    assert_eq!(
        pr.merged_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2011-01-26T19:01:12+00:00")
    );
    assert_eq!(
        pr.merge_commit_sha.as_deref(),
        Some("e5bd3914e2e596debea16f433f57875b5b90bcd6")
    );
    assert_eq!(pr.base_ref, "master");
    assert_eq!(pr.head_ref.as_deref(), Some("new-topic"));
    assert_eq!(
        pr.html_url.as_deref(),
        Some("https://github.com/octocat/Hello-World/pull/1347")
    );
}

#[tokio::test]
async fn real_world_nulls_the_schema_does_not_admit_parse() {
    let mut example: Value = serde_json::from_str(EXAMPLE).expect("JSON");
    let pr = &mut example[0];
    pr["labels"][0]["description"] = Value::Null; // a label created without description
    pr["head"]["repo"] = Value::Null; // the fork was deleted
    pr["user"] = Value::Null; // the author's account was deleted
    pr["merged_at"] = Value::Null;
    pr["merge_commit_sha"] = Value::Null;
    pr["closed_at"] = Value::Null;
    pr["body"] = Value::Null;
    pr.as_object_mut().expect("object").remove("draft");

    let pulls = parse_served(example.to_string()).await;

    let pr = &pulls[0];
    assert_eq!(pr.author, None);
    assert_eq!(pr.merged_at, None);
    assert_eq!(pr.merge_commit_sha, None);
    assert_eq!(pr.closed_at, None);
    assert!(!pr.draft, "absent draft means false");
    assert_eq!(pr.head_ref.as_deref(), Some("new-topic"));
}
