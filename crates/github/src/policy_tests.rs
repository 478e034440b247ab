use super::*;
use http::HeaderValue;

fn cx(hits: u32) -> Context<'static> {
    Context {
        url: "https://api.github.com/repos/acme/widgets/pulls",
        repository: "acme/widgets",
        secondary_hits: hits,
        secondary_base: Duration::from_secs(60),
        now: DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(),
    }
}

fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.insert(*k, HeaderValue::from_static(v));
    }
    h
}

#[track_caller]
fn check_wait(
    status: u16,
    pairs: &[(&'static str, &'static str)],
    body: &str,
    hits: u32,
    expected: Option<(u64, WaitReason)>,
) {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT);
    let verdict = classify(status, &headers(pairs), body.as_bytes(), &cx(hits));
    match (verdict, expected) {
        (Verdict::RateLimited(w), Some((secs, reason))) => {
            assert_eq!((w.wait, w.reason), (Duration::from_secs(secs), reason));
        }
        (Verdict::Fail(_), None) => {}
        (other, expected) => panic!("got {other:?}, expected {expected:?}"),
    }
}

#[test]
fn rate_limit_rules_follow_githubs_documentation() {
    let secondary = r#"{"message":"You have exceeded a secondary rate limit."}"#;
    // retry-after wins, whatever else is said.
    check_wait(
        403,
        &[("retry-after", "1")],
        secondary,
        0,
        Some((1, WaitReason::Secondary)),
    );
    check_wait(
        429,
        &[("retry-after", "7")],
        "",
        3,
        Some((7, WaitReason::Secondary)),
    );
    // remaining 0: until reset (10 s after `now`) plus the margin.
    check_wait(
        403,
        &[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1700000010"),
        ],
        "",
        0,
        Some((11, WaitReason::PrimaryExhausted)),
    );
    // secondary without retry-after: the base, doubling on repeats.
    check_wait(
        403,
        &[("x-ratelimit-remaining", "4000")],
        secondary,
        0,
        Some((60, WaitReason::Secondary)),
    );
    check_wait(403, &[], secondary, 2, Some((240, WaitReason::Secondary)));
    // bounded: 16 minutes at most.
    check_wait(403, &[], secondary, 4, Some((960, WaitReason::Secondary)));
    check_wait(403, &[], secondary, 30, Some((960, WaitReason::Secondary)));
    check_wait(429, &[], "", 0, Some((60, WaitReason::Secondary)));
    // older GitHub Enterprise Server wording.
    let abuse = r#"{"message":"You have triggered an abuse detection mechanism. Please wait a few minutes before you try again."}"#;
    check_wait(403, &[], abuse, 0, Some((60, WaitReason::Secondary)));
    check_wait(
        403,
        &[],
        r#"{"message":"You have exceeded a secondary rate limit and have been temporarily blocked from content creation."}"#,
        1,
        Some((120, WaitReason::Secondary)),
    );
    // a 403 that is not about rate limits is a permission error.
    check_wait(
        403,
        &[],
        r#"{"message":"Resource not accessible by integration"}"#,
        0,
        None,
    );
}

#[test]
fn statuses_map_to_named_errors() {
    let fail = |status: StatusCode| match classify(status, &HeaderMap::new(), b"", &cx(0)) {
        Verdict::Fail(e) => e,
        other => panic!("{other:?}"),
    };
    assert!(matches!(
        fail(StatusCode::UNAUTHORIZED),
        GithubError::Unauthorized { .. }
    ));
    assert!(matches!(
        fail(StatusCode::NOT_FOUND),
        GithubError::NotFound { .. }
    ));
    assert!(matches!(
        fail(StatusCode::UNPROCESSABLE_ENTITY),
        GithubError::ClientError { status: 422, .. }
    ));
    assert!(matches!(
        classify(StatusCode::BAD_GATEWAY, &HeaderMap::new(), b"", &cx(0)),
        Verdict::Retry
    ));
    assert!(matches!(
        classify(StatusCode::NOT_MODIFIED, &HeaderMap::new(), b"", &cx(0)),
        Verdict::Done
    ));
    let moved = headers(&[("location", "https://api.github.com/repositories/1/pulls")]);
    assert!(matches!(
        classify(StatusCode::MOVED_PERMANENTLY, &moved, b"", &cx(0)),
        Verdict::Redirect { location, permanent: true } if location.ends_with("/repositories/1/pulls")
    ));
    assert!(matches!(
        classify(StatusCode::TEMPORARY_REDIRECT, &moved, b"", &cx(0)),
        Verdict::Redirect {
            permanent: false,
            ..
        }
    ));
}

#[test]
fn backoff_is_full_jitter_within_the_exponential_cap() {
    let mut rng = rand::rng();
    let base = Duration::from_millis(100);
    for failures in 1..=12 {
        let cap = base.saturating_mul(1 << (failures - 1)).min(MAX_BACKOFF);
        for _ in 0..50 {
            assert!(backoff(base, failures, &mut rng) <= cap);
        }
    }
}

#[test]
fn a_primary_limit_without_reset_waits_the_base_and_stays_primary() {
    let primary = r#"{"message":"API rate limit exceeded for user ID 1."}"#;
    for hits in [0, 3] {
        check_wait(
            403,
            &[("x-ratelimit-remaining", "0")],
            primary,
            hits,
            Some((60, WaitReason::PrimaryExhausted)),
        );
    }
}

#[test]
fn huge_waits_are_clamped_without_overflow() {
    check_wait(
        403,
        &[("retry-after", "18446744073709551615")],
        "",
        0,
        Some((MAX_PAUSE.as_secs(), WaitReason::Secondary)),
    );
    check_wait(
        429,
        &[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "253402300799"),
        ],
        "",
        0,
        Some((MAX_PAUSE.as_secs(), WaitReason::PrimaryExhausted)),
    );
}

#[test]
fn waiting_for_a_past_reset_still_waits_the_margin() {
    let now = cx(0).now;
    assert_eq!(
        until_reset(now - chrono::Duration::seconds(5), now),
        RESET_MARGIN
    );
}
