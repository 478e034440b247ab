//! The real collector `bootstrap` against a fake Lambda Runtime API, a fake GitHub and a fresh
//! database: several scheduled invocations on one warm process — a complete run, a run that
//! finishes before a short deadline with `complete: false`, a failed run reported as a
//! retryable error, and a run after it — and the figures printed for the record.

use chrono::{Duration as Span, Utc};
use cloud::testing::{Bootstrap, FakeRuntimeApi, Outcome};
use fake_github::{FakeGithub, FakeGithubConfig, FakePull, FakeUser, Fault};
use serde_json::Value;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use store::testing::TestDatabase;

const SCHEDULED: &str = include_str!("data/eventbridge_scheduled.json");
const TEAMS: &str =
    r#"{"teams":[{"id":"platform","members":[{"github":"alice","joined_at":"2020-01-01"}]}]}"#;
const LIMIT: Duration = Duration::from_secs(60);

fn pulls(numbers: std::ops::RangeInclusive<u64>) -> Vec<FakePull> {
    let now = Utc::now();
    numbers
        .map(|n| {
            let merged = now - Span::minutes(10_000 - n as i64);
            FakePull::merged(
                n,
                Some(FakeUser::user("alice", 1)),
                merged - Span::hours(1),
                merged,
            )
        })
        .collect()
}

fn summary(outcome: &Outcome) -> &Value {
    match outcome {
        Outcome::Response(summary) => summary,
        Outcome::Error(error) => panic!("the run failed: {error}"),
    }
}

#[tokio::test]
async fn one_warm_process_runs_complete_incomplete_and_failed_syncs() {
    let github = FakeGithub::start(FakeGithubConfig {
        token: Some("t0ken".into()),
        ..FakeGithubConfig::default()
    })
    .await
    .expect("fake GitHub");
    github.set_pulls("acme/widgets", pulls(1..=150));
    let (db, _store) = TestDatabase::migrated_store().await;
    let runtime = FakeRuntimeApi::start().await;
    let mut vars = runtime.vars("dorameter-collector");
    for (k, v) in [
        ("DATABASE_URL", db.url.clone()),
        ("GITHUB_TOKEN", "t0ken".into()),
        ("GITHUB_API_URL", github.base_url()),
        ("GITHUB_MAX_ATTEMPTS", "2".into()),
        ("GITHUB_RETRY_BASE_DELAY", "10ms".into()),
        ("REPOSITORIES", "acme/widgets".into()),
        ("TEAM_CONFIG_JSON", TEAMS.into()),
        ("SYNC_SAFETY_MARGIN", "1s".into()),
        ("METRICS_ENABLED", "false".into()),
    ] {
        vars.push((k.into(), v));
    }
    // DORAMETER_COLLECTOR_BOOTSTRAP: measure another build (e.g. the release one) the same way.
    let program = std::env::var_os("DORAMETER_COLLECTOR_BOOTSTRAP").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_dorameter-collector")),
        PathBuf::from,
    );
    let mut process = Bootstrap::spawn(&[], &program, &vars);

    let complete = runtime.invoke(SCHEDULED, LIMIT).await;
    let complete = runtime.outcome(&complete, LIMIT).await;
    let cold_start = runtime
        .first_next_at()
        .map(|t| t.duration_since(process.started));

    github.add_pulls("acme/widgets", pulls(151..=1_150));
    github.inject_for("acme/widgets", Fault::Stall(Duration::from_millis(400)), 10);
    let short = Duration::from_millis(2_500);
    let started = Instant::now();
    let incomplete = runtime.invoke(SCHEDULED, short).await;
    let incomplete = runtime.outcome(&incomplete, LIMIT).await;
    let incomplete_took = started.elapsed();

    github.clear_faults();
    github.inject(Fault::ServerError(502), 10);
    let failed = runtime.invoke(SCHEDULED, LIMIT).await;
    let failed = runtime.outcome(&failed, LIMIT).await;

    github.clear_faults();
    let resumed = runtime.invoke(SCHEDULED, LIMIT).await;
    let resumed = runtime.outcome(&resumed, LIMIT).await;

    assert_eq!(summary(&complete)["complete"], true);
    assert_eq!(summary(&complete)["prs_upserted"], 150);
    assert_eq!(summary(&incomplete)["complete"], false, "{incomplete:?}");
    assert!(
        incomplete_took < short,
        "returned before the deadline: {incomplete_took:?}"
    );
    match &failed {
        Outcome::Error(error) => {
            assert_eq!(
                error["errorType"], "Retryable.RepositoriesFailed",
                "{error}"
            );
        }
        other => panic!("expected an error invocation, got {other:?}"),
    }
    assert_eq!(summary(&resumed)["complete"], true, "{resumed:?}");
    assert!(process.is_running());
    let logs = process.log_lines();
    assert!(
        logs.iter()
            .any(|l| l.contains("\"requestId\":\"req-1\"") && l.contains("\"run_id\"")),
        "log lines carry the request id and the run id: {logs:?}"
    );
    eprintln!(
        "figures ({}): cold start to first /next {:?}, peak RSS {:?} KiB",
        program.display(),
        cold_start,
        process.peak_rss_kib()
    );
}
