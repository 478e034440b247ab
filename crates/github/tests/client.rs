//! The client against the fake GitHub over real TCP on 127.0.0.1: pagination, the GitHub
//! Enterprise path prefix, authentication, conditional requests and payload mapping.

mod common;

use common::{all_pages, at, client, config, fake, first, merged, soon};
use fake_github::{FakeGithubConfig, FakeLabel, FakePull, FakeUser};
use github::{GithubError, PageOutcome, PageRequest, SecretString};
use std::collections::BTreeSet;

#[tokio::test]
async fn pagination_follows_link_next_across_three_pages_of_250_prs() {
    let fake = fake(FakeGithubConfig::default()).await;
    fake.set_pulls("acme/widgets", merged(250));
    let client = client(config(&fake));

    let (pulls, followed) = all_pages(&client, "acme/widgets").await.expect("all pages");

    assert_eq!(pulls.len(), 250);
    let numbers: BTreeSet<i64> = pulls.iter().map(|p| p.number).collect();
    assert_eq!(numbers.len(), 250, "each PR exactly once");
    assert_eq!(pulls[0].number, 250, "most recently updated first");
    let id = fake.repository_id("acme/widgets").expect("known");
    assert_eq!(followed.len(), 2);
    assert!(
        followed
            .iter()
            .all(|u| u.contains(&format!("/repositories/{id}/pulls?")))
    );
    assert_eq!(fake.counts().total, 3);
    let stats = client.stats();
    assert_eq!((stats.requests, stats.pages, stats.retries), (3, 3, 0));
}

#[tokio::test]
async fn a_page_reports_the_url_it_was_fetched_from_so_it_can_be_fetched_again() {
    let fake = fake(FakeGithubConfig::default()).await;
    fake.set_pulls("acme/widgets", merged(150));
    let client = client(config(&fake));
    let PageOutcome::Page {
        url,
        next: Some(next),
        ..
    } = first(&client, "acme/widgets", None).await.expect("page 1")
    else {
        panic!("a first page with a next link");
    };
    assert_eq!(
        url,
        format!(
            "{}/repos/acme/widgets/pulls?state=closed&sort=updated&direction=desc&per_page=100",
            fake.base_url()
        )
    );
    let request = PageRequest::Next {
        repository: "acme/widgets",
        url: &next,
    };
    let PageOutcome::Page { url, pulls, .. } =
        client.pulls_page(request, soon(30)).await.expect("page 2")
    else {
        panic!("page 2");
    };
    assert_eq!((url, pulls.len()), (next, 50));
}

#[tokio::test]
async fn the_first_request_asks_for_closed_prs_by_update_descending_100_per_page() {
    let fake = fake(FakeGithubConfig::default()).await;
    fake.set_pulls("acme/widgets", merged(1));
    first(&client(config(&fake)), "acme/widgets", None)
        .await
        .expect("page");
    assert_eq!(
        fake.request_log()[0].path_and_query,
        "/repos/acme/widgets/pulls?state=closed&sort=updated&direction=desc&per_page=100"
    );
}

#[tokio::test]
async fn a_github_enterprise_prefix_is_kept_on_every_request_including_followed_links() {
    let fake = fake(FakeGithubConfig {
        path_prefix: Some("/api/v3".into()),
        ..FakeGithubConfig::default()
    })
    .await;
    fake.set_pulls("acme/widgets", merged(250));
    let client = client(config(&fake));
    assert!(client.api_url().ends_with("/api/v3"));

    let (pulls, _) = all_pages(&client, "acme/widgets").await.expect("all pages");

    assert_eq!(pulls.len(), 250);
    let log = fake.request_log();
    assert_eq!(log.len(), 3);
    for request in &log {
        assert!(
            request.path_and_query.starts_with("/api/v3/"),
            "{request:?}"
        );
        assert_eq!(request.status, 200);
    }
}

#[tokio::test]
async fn a_link_outside_the_api_base_is_refused_without_a_request() {
    let fake = fake(FakeGithubConfig {
        path_prefix: Some("/api/v3".into()),
        ..FakeGithubConfig::default()
    })
    .await;
    let client = client(config(&fake));
    let root = format!("http://{}", fake.address());
    for url in [
        format!("{root}/repositories/1/pulls?page=2"), // lost the /api/v3 prefix
        "https://evil.example.com/api/v3/repositories/1/pulls?page=2".to_owned(),
    ] {
        let result = client
            .pulls_page(
                PageRequest::Next {
                    repository: "acme/widgets",
                    url: &url,
                },
                soon(5),
            )
            .await;
        assert!(
            matches!(result, Err(GithubError::InvalidUrl { .. })),
            "{result:?}"
        );
    }
    assert_eq!(fake.counts().total, 0);
}

#[tokio::test]
async fn the_bearer_token_and_githubs_headers_are_sent_once_each() {
    let fake = fake(FakeGithubConfig::default()).await;
    fake.set_pulls("acme/widgets", merged(1));
    first(&client(config(&fake)), "acme/widgets", None)
        .await
        .expect("accepted by the fake, which checks the token");
    let request = &fake.request_log()[0];
    assert!(request.authorization_present);
    assert_eq!(request.user_agent.as_deref(), Some(github::USER_AGENT));
    assert!(github::USER_AGENT.starts_with("dorameter/"));
    assert_eq!(
        request.accept.as_deref(),
        Some("application/vnd.github+json")
    );
    assert_eq!(request.api_version.as_deref(), Some("2022-11-28"));
}

#[tokio::test]
async fn a_rejected_token_is_a_clear_401_error_that_does_not_show_it() {
    let fake = fake(FakeGithubConfig::default()).await;
    fake.set_pulls("acme/widgets", merged(1));
    let wrong = "ghp_wrong_token_987654321";
    let client = client(github::GithubConfig {
        token: SecretString::from(wrong),
        ..config(&fake)
    });

    let error = first(&client, "acme/widgets", None).await.expect_err("401");

    assert!(
        matches!(error, GithubError::Unauthorized { .. }),
        "{error:?}"
    );
    assert!(!error.is_transient());
    let text = error.to_string();
    assert!(text.contains("rejected the token"), "{text}");
    assert!(!text.contains(wrong) && !format!("{error:?}").contains(wrong));
    assert!(!format!("{client:?}").contains(wrong));
    assert_eq!(fake.counts().total, 1, "not retried");
}

#[tokio::test]
async fn a_token_with_a_trailing_line_break_is_trimmed_and_inner_whitespace_is_refused() {
    let fake = fake(FakeGithubConfig::default()).await;
    fake.set_pulls("acme/widgets", merged(1));
    let padded = client(github::GithubConfig {
        token: SecretString::from(format!("  {}\n", common::TOKEN)),
        ..config(&fake)
    });
    first(&padded, "acme/widgets", None)
        .await
        .expect("the fake accepts exactly `Bearer <token>`");

    for bad in ["ghp_one ghp_two", "ghp_wrapped\nline", " \t\n"] {
        let refused = github::GithubClient::new(github::GithubConfig {
            token: SecretString::from(bad),
            ..config(&fake)
        });
        match refused {
            Err(error @ GithubError::InvalidConfig { field: "token", .. }) => {
                assert!(!error.to_string().contains("ghp_"), "{error}");
            }
            other => panic!("{bad:?}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_unknown_repository_is_a_not_found_error_naming_it() {
    let fake = fake(FakeGithubConfig::default()).await;
    let error = first(&client(config(&fake)), "acme/nothing", None)
        .await
        .expect_err("404");
    assert!(
        matches!(&error, GithubError::NotFound { repository, .. } if repository == "acme/nothing")
    );
    assert!(error.to_string().contains("acme/nothing"));
    assert_eq!(fake.counts().total, 1, "not retried");
}

#[tokio::test]
async fn an_unchanged_first_page_costs_a_304_counted_as_not_modified() {
    let fake = fake(FakeGithubConfig::default()).await;
    fake.set_pulls("acme/widgets", merged(3));
    let client = client(config(&fake));
    let PageOutcome::Page {
        etag: Some(etag), ..
    } = first(&client, "acme/widgets", None).await.expect("page")
    else {
        panic!("a first page with an ETag");
    };

    let again = first(&client, "acme/widgets", Some(&etag))
        .await
        .expect("304");

    assert_eq!(again, PageOutcome::NotModified);
    assert_eq!(client.stats().not_modified, 1);
    assert_eq!(fake.counts().not_modified, 1);
    assert_eq!(
        fake.request_log()[1].if_none_match.as_deref(),
        Some(etag.as_str())
    );

    fake.touch("acme/widgets", 1, at(20, 0));
    let changed = first(&client, "acme/widgets", Some(&etag))
        .await
        .expect("page");
    let PageOutcome::Page {
        pulls,
        etag: new_etag,
        ..
    } = changed
    else {
        panic!("a change must be served");
    };
    assert_eq!(pulls[0].number, 1, "the touched PR moves to the top");
    assert_ne!(new_etag.as_deref(), Some(etag.as_str()));
}

#[tokio::test]
async fn payloads_map_faithfully_including_githubs_nulls() {
    let fake = fake(FakeGithubConfig::default()).await;
    let alice = Some(FakeUser::user("Alice", 11));
    fake.set_pulls(
        "Acme/Widgets",
        vec![
            FakePull::merged(1, alice.clone(), at(1, 1), at(2, 0)).with_draft(true),
            FakePull::closed_unmerged(2, alice.clone(), at(1, 2), at(3, 0)),
            FakePull::merged(3, None, at(1, 3), at(4, 0)),
            FakePull::merged(
                4,
                Some(FakeUser::bot("dependabot[bot]", 49699333)),
                at(1, 4),
                at(5, 0),
            )
            .with_labels(vec![FakeLabel::new(1, "deps", None)])
            .with_deleted_head_repo(),
            FakePull::open(5, alice, at(1, 5)),
        ],
    );
    let client = client(config(&fake));

    let (pulls, _) = all_pages(&client, "Acme/Widgets").await.expect("pages");

    let numbers: Vec<i64> = pulls.iter().map(|p| p.number).collect();
    assert_eq!(numbers, [4, 3, 2, 1], "closed only, by update descending");
    let pr = |n: i64| pulls.iter().find(|p| p.number == n).expect("present");
    assert!(pulls.iter().all(|p| p.repository == "acme/widgets"));
    assert_eq!(pr(3).author, None, "deleted account");
    assert_eq!(pr(2).merged_at, None, "closed unmerged");
    assert_eq!(pr(2).state, "closed");
    assert_eq!(pr(1).merged_at, Some(at(2, 0)));
    assert!(pr(1).draft, "a merged draft stays draft");
    let bot = pr(4).author.as_ref().expect("bot author");
    assert_eq!(
        (bot.login.as_str(), bot.id, bot.user_type.as_str()),
        ("dependabot[bot]", 49699333, "Bot")
    );
    let alice_pr = pr(1);
    assert_eq!(
        alice_pr.author.as_ref().map(|a| a.login.as_str()),
        Some("Alice")
    );
    assert_eq!(alice_pr.github_id, 1_000_001);
    assert_eq!(alice_pr.base_ref, "main");
    assert_eq!(alice_pr.head_ref.as_deref(), Some("feature-1"));
    assert_eq!(alice_pr.created_at, at(1, 1));
    assert!(
        alice_pr
            .merge_commit_sha
            .as_ref()
            .is_some_and(|s| s.len() == 40)
    );
    assert!(
        alice_pr
            .html_url
            .as_ref()
            .is_some_and(|u| u.ends_with("/Acme/Widgets/pull/1"))
    );
}

#[tokio::test]
async fn unicode_titles_survive() {
    let fake = fake(FakeGithubConfig::default()).await;
    let title = "Ünïcødé 标题 🚀 «quotes» \"and\" \\ backslash";
    fake.set_pulls(
        "acme/widgets",
        vec![FakePull::merged(1, None, at(1, 1), at(1, 2)).with_title(title)],
    );
    let PageOutcome::Page { pulls, .. } = first(&client(config(&fake)), "acme/widgets", None)
        .await
        .expect("page")
    else {
        panic!("a page");
    };
    assert_eq!(pulls[0].title, title);
}

#[tokio::test]
async fn a_client_for_api_github_com_builds_with_rustls_and_bad_configs_are_named() {
    let token = || SecretString::from("ghp_x");
    let dotcom =
        github::GithubClient::new(github::GithubConfig::new(github::DEFAULT_API_URL, token()))
            .expect("https with compiled-in roots");
    assert_eq!(dotcom.api_url(), "https://api.github.com");

    let plain = github::GithubClient::new(github::GithubConfig::new(
        "http://ghe.example.com/api/v3",
        token(),
    ));
    assert!(
        matches!(
            plain,
            Err(GithubError::InvalidConfig {
                field: "api_url",
                ..
            })
        ),
        "{plain:?}"
    );
    let zero = github::GithubClient::new(github::GithubConfig {
        max_attempts: 0,
        ..github::GithubConfig::new(github::DEFAULT_API_URL, token())
    });
    assert!(
        matches!(
            zero,
            Err(GithubError::InvalidConfig {
                field: "max_attempts",
                ..
            })
        ),
        "{zero:?}"
    );
    let bad_repo = dotcom
        .pulls_page(
            PageRequest::First {
                repository: "not-a-repo",
                etag: None,
            },
            soon(1),
        )
        .await;
    assert!(
        matches!(bad_repo, Err(GithubError::InvalidRepository { .. })),
        "{bad_repo:?}"
    );
}

#[tokio::test]
async fn a_page_asked_again_with_its_etag_is_unchanged_until_a_pr_leaves_the_list() {
    let fake = fake(FakeGithubConfig {
        weak_etags: true,
        ..FakeGithubConfig::default()
    })
    .await;
    let mut pulls = merged(250);
    pulls[249] = FakePull::closed_unmerged(250, None, at(1, 0), at(2, 0));
    fake.set_pulls("acme/widgets", pulls);
    let client = client(config(&fake));
    let PageOutcome::Page {
        url,
        etag: Some(etag),
        ..
    } = first(&client, "acme/widgets", None).await.expect("page 1")
    else {
        panic!("a first page with an ETag");
    };
    assert!(etag.starts_with("W/\""), "{etag}");
    let again = || {
        client.pulls_page(
            PageRequest::Again {
                repository: "acme/widgets",
                url: &url,
                etag: Some(&etag),
            },
            soon(30),
        )
    };
    assert_eq!(again().await.expect("304"), PageOutcome::Unchanged);

    // PR 250 (first on page 1) is reopened: PR 150 moves up onto page 1.
    assert!(fake.reopen("acme/widgets", 250, at(3, 0)));
    let PageOutcome::Page { pulls, .. } = again().await.expect("200") else {
        panic!("page 1 changed");
    };
    assert_eq!(pulls.last().map(|p| p.number), Some(150));
    assert_eq!(client.stats().not_modified, 1);
}
