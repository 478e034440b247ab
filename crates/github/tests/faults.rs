//! The client under GitHub's misbehaviours, injected by the fake over real TCP on 127.0.0.1:
//! 5xx, secondary and primary rate limits, malformed payloads, stalls, dropped connections, and
//! the caller's deadline. Delays are shrunk by configuration; every loop is bounded.

mod common;

use common::{client, config, fake, first, merged};
use fake_github::{FakeGithubConfig, Fault};
use github::{GithubConfig, GithubError, PageOutcome, PageRequest};
use std::time::{Duration, Instant};

async fn widgets(
    config_change: impl FnOnce(GithubConfig) -> GithubConfig,
) -> (fake_github::FakeGithub, github::GithubClient) {
    let fake = fake(FakeGithubConfig::default()).await;
    fake.set_pulls("acme/widgets", merged(3));
    let client = client(config_change(config(&fake)));
    (fake, client)
}

fn page_len(outcome: &PageOutcome) -> usize {
    match outcome {
        PageOutcome::Page { pulls, .. } => pulls.len(),
        PageOutcome::NotModified | PageOutcome::Unchanged => 0,
    }
}

#[tokio::test]
async fn three_502s_then_success_is_retried_with_backoff() {
    let (fake, client) = widgets(|c| c).await;
    fake.inject_for("acme/widgets", Fault::ServerError(502), 3);

    let page = first(&client, "acme/widgets", None)
        .await
        .expect("4th attempt");

    assert_eq!(page_len(&page), 3);
    let stats = client.stats();
    assert_eq!((stats.requests, stats.retries, stats.api_errors), (4, 3, 3));
    assert_eq!(fake.counts().total, 4);
}

#[tokio::test]
async fn persistent_502s_end_unavailable_after_the_attempt_limit() {
    let (fake, client) = widgets(|c| GithubConfig {
        max_attempts: 3,
        ..c
    })
    .await;
    fake.inject(Fault::ServerError(502), 10);

    let error = first(&client, "acme/widgets", None)
        .await
        .expect_err("gives up");

    match &error {
        GithubError::Unavailable {
            url,
            attempts,
            last_status,
            ..
        } => {
            assert_eq!((*attempts, *last_status), (3, Some(502)));
            assert!(url.contains("/repos/acme/widgets/pulls"), "{url}");
        }
        other => panic!("{other:?}"),
    }
    assert!(error.is_transient() && !error.is_out_of_budget());
    assert_eq!(fake.counts().total, 3);
}

#[tokio::test]
async fn a_secondary_limit_with_retry_after_is_waited_out() {
    let (fake, client) = widgets(|c| c).await;
    fake.inject(Fault::secondary_rate_limit(), 1);
    let started = Instant::now();

    let page = first(&client, "acme/widgets", None)
        .await
        .expect("after the wait");

    assert_eq!(page_len(&page), 3);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "retry-after: 1 honoured"
    );
    let stats = client.stats();
    assert_eq!((stats.rate_limit_waits, stats.retries), (1, 1));
    assert!(stats.rate_limit_wait_seconds >= 0.9);
}

#[tokio::test]
async fn a_secondary_limit_without_retry_after_waits_the_base_then_doubles() {
    let (fake, client) = widgets(|c| GithubConfig {
        secondary_rate_limit_wait: Duration::from_millis(150),
        ..c
    })
    .await;
    fake.inject(
        Fault::SecondaryRateLimit {
            retry_after_secs: None,
        },
        2,
    );
    let started = Instant::now();

    first(&client, "acme/widgets", None)
        .await
        .expect("after two waits");

    assert!(
        started.elapsed() >= Duration::from_millis(450),
        "150 ms then 300 ms"
    );
    assert_eq!(client.stats().rate_limit_waits, 2);
}

#[tokio::test]
async fn secondary_limits_in_a_row_back_off_exponentially_across_repositories() {
    let fake = fake(FakeGithubConfig::default()).await;
    fake.set_pulls("acme/a", merged(1));
    fake.set_pulls("acme/b", merged(1));
    // The next two requests, whichever repository sends them, are limited without retry-after.
    fake.inject(
        Fault::SecondaryRateLimit {
            retry_after_secs: None,
        },
        2,
    );
    let client = client(GithubConfig {
        secondary_rate_limit_wait: Duration::from_millis(200),
        max_concurrent_requests: 1,
        ..config(&fake)
    });
    let started = Instant::now();

    let (a, b) = tokio::join!(
        first(&client, "acme/a", None),
        first(&client, "acme/b", None)
    );

    assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "200 ms, then 400 ms for the second limit in a row (another repository's): {:?}",
        started.elapsed()
    );
    let statuses: Vec<u16> = fake.request_log().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [403, 403, 200, 200], "nothing sent into a pause");
    let stats = client.stats();
    assert_eq!(stats.rate_limit_waits, 2, "two pauses, each counted once");
    assert!(
        stats.rate_limit_wait_seconds < 0.9,
        "both requests waited, the time counts once: {}",
        stats.rate_limit_wait_seconds
    );
}

#[tokio::test]
async fn a_403_about_abuse_detection_is_a_secondary_limit() {
    let (fake, client) = widgets(|c| c).await;
    fake.inject(
        Fault::Respond {
            status: 403,
            body: r#"{"message":"You have triggered an abuse detection mechanism and have been temporarily blocked from content creation. Please retry your request again later.","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#abuse-rate-limits"}"#.into(),
        },
        1,
    );

    let page = first(&client, "acme/widgets", None)
        .await
        .expect("waited, then retried");

    assert_eq!(page_len(&page), 3);
    assert_eq!(client.stats().rate_limit_waits, 1);
}

#[tokio::test]
async fn primary_exhaustion_waits_for_the_reset_then_succeeds() {
    let (fake, client) = widgets(|c| c).await;
    fake.inject(Fault::primary_rate_limit(), 1);
    let started = Instant::now();

    let page = first(&client, "acme/widgets", None)
        .await
        .expect("after the reset");

    assert_eq!(page_len(&page), 3);
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(client.stats().rate_limit_waits, 1);
}

#[tokio::test]
async fn the_reserve_is_kept_by_waiting_for_the_reset_before_exhausting() {
    let fake = fake(FakeGithubConfig {
        rate_limit: 3,
        rate_limit_window: Duration::from_secs(1),
        ..FakeGithubConfig::default()
    })
    .await;
    fake.set_pulls("acme/widgets", merged(1));
    let client = client(GithubConfig {
        rate_limit_reserve: 1,
        ..config(&fake)
    });

    for _ in 0..4 {
        first(&client, "acme/widgets", None).await.expect("page");
    }

    let statuses: Vec<u16> = fake.request_log().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 200, 200, 200], "never ran into a 403");
    assert!(client.stats().rate_limit_waits >= 1);
}

#[tokio::test]
async fn malformed_json_fails_naming_the_url_without_retrying() {
    let (fake, client) = widgets(|c| c).await;
    fake.inject(Fault::MalformedJson, 1);

    let error = first(&client, "acme/widgets", None)
        .await
        .expect_err("malformed");

    match &error {
        GithubError::MalformedPayload { url, detail } => {
            assert!(url.starts_with(&fake.base_url()) && url.contains("/repos/acme/widgets/pulls"));
            assert!(!detail.is_empty());
        }
        other => panic!("{other:?}"),
    }
    assert!(error.to_string().contains("/repos/acme/widgets/pulls"));
    assert!(!error.is_transient());
    assert_eq!(fake.counts().total, 1);
}

#[tokio::test]
async fn an_item_of_the_wrong_shape_is_skipped_naming_its_field_and_the_page_is_kept() {
    let (fake, client) = widgets(|c| c).await;
    fake.inject(Fault::WrongShape, 1);
    let page = first(&client, "acme/widgets", None)
        .await
        .expect("the page is kept");
    let PageOutcome::Page { pulls, skipped, .. } = page else {
        panic!("{page:?}");
    };
    assert!(pulls.is_empty());
    assert_eq!(skipped.len(), 1);
    assert!(
        skipped[0].reason.starts_with("number: invalid type"),
        "{skipped:?}"
    );
    assert!(skipped[0].url.ends_with("(item 0)"), "{skipped:?}");
}

#[tokio::test]
async fn a_stalled_response_times_out_and_is_retried() {
    let (fake, client) = widgets(|c| GithubConfig {
        request_timeout: Duration::from_millis(300),
        ..c
    })
    .await;
    fake.inject(Fault::Stall(Duration::from_secs(3)), 1);
    let started = Instant::now();

    let page = first(&client, "acme/widgets", None)
        .await
        .expect("second attempt");

    assert_eq!(page_len(&page), 3);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "did not wait for the stall"
    );
    assert_eq!(client.stats().retries, 1);
}

#[tokio::test]
async fn stalls_on_every_attempt_end_unavailable_within_the_bound() {
    let (fake, client) = widgets(|c| GithubConfig {
        request_timeout: Duration::from_millis(200),
        max_attempts: 2,
        ..c
    })
    .await;
    fake.inject(Fault::Stall(Duration::from_secs(3)), 5);
    let started = Instant::now();

    let error = first(&client, "acme/widgets", None)
        .await
        .expect_err("bounded");

    assert!(
        matches!(
            error,
            GithubError::Unavailable {
                attempts: 2,
                last_status: None,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_dropped_connection_is_retried() {
    let (fake, client) = widgets(|c| c).await;
    fake.inject(Fault::ConnectionReset, 2);

    let page = first(&client, "acme/widgets", None)
        .await
        .expect("third attempt");

    assert_eq!(page_len(&page), 3);
    assert_eq!(client.stats().retries, 2);
}

#[tokio::test]
async fn a_secondary_wait_past_the_deadline_returns_the_budget_error_at_once() {
    let (fake, client) = widgets(|c| c).await;
    fake.inject(
        Fault::SecondaryRateLimit {
            retry_after_secs: Some(30),
        },
        1,
    );
    let started = Instant::now();

    let error = client
        .pulls_page(
            PageRequest::First {
                repository: "acme/widgets",
                etag: None,
            },
            Instant::now() + Duration::from_secs(2),
        )
        .await
        .expect_err("out of budget");

    assert!(
        matches!(error, GithubError::BudgetExhausted { .. }),
        "{error:?}"
    );
    assert!(error.is_out_of_budget());
    assert!(started.elapsed() < Duration::from_secs(1), "promptly");
}

#[tokio::test]
async fn a_primary_reset_past_the_deadline_returns_rate_limited_with_the_reset_time() {
    let (fake, client) = widgets(|c| c).await;
    fake.inject(
        Fault::PrimaryRateLimit {
            reset_in: Duration::from_secs(600),
        },
        1,
    );
    let started = Instant::now();

    let error = client
        .pulls_page(
            PageRequest::First {
                repository: "acme/widgets",
                etag: None,
            },
            Instant::now() + Duration::from_secs(2),
        )
        .await
        .expect_err("out of budget");

    match error {
        GithubError::RateLimited { reset_at, .. } => {
            let in_secs = (reset_at - chrono::Utc::now()).num_seconds();
            assert!((590..=601).contains(&in_secs), "{in_secs}");
        }
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(1), "promptly");
    // The pause is shared: the next request fails just as fast, without asking GitHub.
    let again = first(&client, "acme/widgets", None).await;
    assert!(
        matches!(again, Err(GithubError::RateLimited { .. })),
        "{again:?}"
    );
    assert_eq!(fake.counts().total, 1);
}

#[tokio::test]
async fn a_request_never_runs_past_the_deadline() {
    let (fake, client) = widgets(|c| GithubConfig {
        request_timeout: Duration::from_secs(30),
        ..c
    })
    .await;
    fake.inject(Fault::Stall(Duration::from_secs(5)), 1);
    let started = Instant::now();

    let error = client
        .pulls_page(
            PageRequest::First {
                repository: "acme/widgets",
                etag: None,
            },
            Instant::now() + Duration::from_millis(400),
        )
        .await
        .expect_err("deadline");

    assert!(
        matches!(error, GithubError::BudgetExhausted { .. }),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(1500));
    let past = client
        .pulls_page(
            PageRequest::First {
                repository: "acme/widgets",
                etag: None,
            },
            Instant::now(),
        )
        .await;
    assert!(
        matches!(past, Err(GithubError::BudgetExhausted { .. })),
        "{past:?}"
    );
}

#[tokio::test]
async fn concurrent_requests_are_limited_by_the_configured_maximum() {
    let fake = fake(FakeGithubConfig::default()).await;
    fake.set_pulls("acme/a", merged(1));
    fake.set_pulls("acme/b", merged(1));
    fake.inject_for("acme/a", Fault::Stall(Duration::from_millis(300)), 1);
    fake.inject_for("acme/b", Fault::Stall(Duration::from_millis(300)), 1);
    let client = client(GithubConfig {
        max_concurrent_requests: 1,
        ..config(&fake)
    });
    let started = Instant::now();

    let (a, b) = tokio::join!(
        first(&client, "acme/a", None),
        first(&client, "acme/b", None)
    );

    assert!(a.is_ok() && b.is_ok());
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "one after the other"
    );
}

#[tokio::test]
async fn a_huge_retry_after_fails_at_once_with_the_budget_error_instead_of_panicking() {
    let (fake, client) = widgets(|c| c).await;
    fake.inject_for(
        "acme/widgets",
        Fault::SecondaryRateLimit {
            retry_after_secs: Some(u64::MAX),
        },
        1,
    );
    let started = Instant::now();

    let error = first(&client, "acme/widgets", None)
        .await
        .expect_err("the wait is past the deadline");

    assert!(
        matches!(error, GithubError::BudgetExhausted { .. }),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_body_over_the_cap_fails_once_with_a_clear_error_whether_announced_chunked_or_endless() {
    for fault in [
        Fault::HugeBody {
            bytes: 3 * 1024 * 1024,
            announced: true,
        },
        Fault::HugeBody {
            bytes: 3 * 1024 * 1024,
            announced: false,
        },
        Fault::EndlessBody,
    ] {
        let (fake, client) = widgets(|c| GithubConfig {
            max_body_bytes: 1024 * 1024,
            ..c
        })
        .await;
        fake.inject_for("acme/widgets", fault.clone(), 1);

        let error = first(&client, "acme/widgets", None)
            .await
            .expect_err("too large");

        assert!(
            matches!(
                error,
                GithubError::ResponseTooLarge {
                    limit_bytes: 1_048_576,
                    ..
                }
            ),
            "{fault:?}: {error:?}"
        );
        assert!(
            error.to_string().contains("larger than the 1 MiB cap"),
            "{error}"
        );
        assert_eq!(client.stats().requests, 1, "{fault:?}: not retried");
    }
}

#[tokio::test]
async fn a_body_under_the_cap_is_read_whole() {
    let (fake, client) = widgets(|c| GithubConfig {
        max_body_bytes: 1024 * 1024,
        ..c
    })
    .await;
    fake.inject_for(
        "acme/widgets",
        Fault::Respond {
            status: 200,
            body: format!("[{}]", " ".repeat(1000 * 1000)),
        },
        1,
    );
    let page = first(&client, "acme/widgets", None)
        .await
        .expect("under the cap");
    assert_eq!(page_len(&page), 0);
}

#[tokio::test]
async fn a_primary_limit_without_reset_does_not_lengthen_the_secondary_wait() {
    let (fake, client) = widgets(|c| c).await;
    // Waits: the base (100 ms) for the primary limit, then the base again for the secondary one
    // (twice the base if the first had counted as a secondary limit in a row).
    fake.inject_for("acme/widgets", Fault::PrimaryRateLimitWithoutReset, 1);
    fake.inject_for(
        "acme/widgets",
        Fault::SecondaryRateLimit {
            retry_after_secs: None,
        },
        1,
    );
    let started = Instant::now();
    first(&client, "acme/widgets", None)
        .await
        .expect("waited out");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(200) && waited < Duration::from_millis(290),
        "{waited:?}"
    );
    assert_eq!(client.stats().retries, 2);
}
