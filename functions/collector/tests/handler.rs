//! The collector function called directly with a real EventBridge scheduled event, against a
//! fake GitHub, a fresh database, a fake CloudWatch and (for secrets) moto's server.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{Duration as Span, Utc};
use cloud::testing::{AWS_TEST_VARS, FakeCloudWatch, MotoServer};
use cloud::{CollectorFunction, Vars};
use fake_github::{FakeGithub, FakeGithubConfig, FakePull, FakeUser, Fault};
use lambda_runtime::{Context, Diagnostic, LambdaEvent};
use std::time::{Duration, SystemTime};
use store::testing::TestDatabase;

const SCHEDULED: &str = include_str!("data/eventbridge_scheduled.json");
const TEAMS: &str =
    r#"{"teams":[{"id":"platform","members":[{"github":"alice","joined_at":"2020-01-01"}]}]}"#;
const TOKEN: &str = "t0ken";

struct Setup {
    github: FakeGithub,
    cloudwatch: FakeCloudWatch,
    db: TestDatabase,
}

impl Setup {
    /// A fake GitHub with `prs` merged PRs in acme/widgets, an empty migrated database.
    async fn new(prs: u64) -> Self {
        let github = FakeGithub::start(FakeGithubConfig {
            token: Some(TOKEN.into()),
            ..FakeGithubConfig::default()
        })
        .await
        .expect("fake GitHub");
        let now = Utc::now();
        let pulls = (1..=prs)
            .map(|n| {
                let merged = now - Span::hours(n as i64);
                let user = Some(FakeUser::user("alice", 1));
                FakePull::merged(n, user, merged - Span::hours(2), merged)
            })
            .collect();
        github.set_pulls("acme/widgets", pulls);
        let (db, _store) = TestDatabase::migrated_store().await;
        Self {
            github,
            cloudwatch: FakeCloudWatch::start().await,
            db,
        }
    }

    /// Plain variables (no secrets) plus `more`.
    fn vars(&self, more: &[(String, String)]) -> Vars {
        let mut vars: Vec<(String, String)> = AWS_TEST_VARS
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        vars.extend(self.cloudwatch.vars());
        for (k, v) in [
            ("DATABASE_URL", self.db.url.clone()),
            ("GITHUB_TOKEN", TOKEN.into()),
            ("GITHUB_API_URL", self.github.base_url()),
            ("GITHUB_MAX_ATTEMPTS", "2".into()),
            ("GITHUB_RETRY_BASE_DELAY", "10ms".into()),
            ("REPOSITORIES", "acme/widgets".into()),
            ("TEAM_CONFIG_JSON", TEAMS.into()),
            ("AWS_LAMBDA_FUNCTION_NAME", "dorameter-collector".into()),
        ] {
            vars.push((k.into(), v));
        }
        Vars::from_pairs(vars).with(more.to_vec())
    }
}

/// The fixture with `context` (Context::default() has no deadline).
fn event(context: Context) -> LambdaEvent<EventBridgeEvent> {
    let payload = serde_json::from_str(SCHEDULED).expect("scheduled event fixture");
    LambdaEvent::new(payload, context)
}

fn pair(k: &str, v: &str) -> (String, String) {
    (k.to_owned(), v.to_owned())
}

#[tokio::test]
async fn a_scheduled_event_runs_one_sync_and_publishes_its_metrics_in_one_call() {
    let setup = Setup::new(150).await;
    let function = CollectorFunction::from_vars(setup.vars(&[])).expect("settings");

    let summary = function
        .handle(event(Context::default()))
        .await
        .expect("run succeeds");

    assert!(summary.complete);
    assert_eq!(summary.prs_upserted, 150);
    let calls = setup.cloudwatch.calls();
    assert_eq!(calls.len(), 1, "one PutMetricData per run");
    let call = &calls[0];
    assert_eq!(call.namespace, "Dorameter");
    let value = |name: &str| call.datum(name).and_then(|d| d.value);
    assert_eq!(value("PrsProcessed"), Some(150.0));
    // Two pages, and page 1 asked again with its ETag after page 2 (a 304).
    assert_eq!(value("GithubRequests"), Some(3.0));
    assert_eq!(value("GithubApiErrors"), Some(0.0));
    assert_eq!(value("RateLimitWaitSeconds"), Some(0.0));
    assert_eq!(value("SyncComplete"), Some(1.0));
    assert!(value("SyncDurationSeconds").is_some_and(|s| s > 0.0));
    let db = call.datum("DbQueryDurationMs").expect("statistic set");
    let (count, sum, min, max) = db.stats.expect("stats, not a value");
    assert!(count >= 4.0 && min <= max && sum >= max, "{db:?}");
    assert_eq!(db.unit.as_deref(), Some("Milliseconds"));
    for datum in &call.data {
        assert_eq!(
            datum.dimensions,
            [pair("FunctionName", "dorameter-collector")],
            "{}",
            datum.name
        );
    }
    assert_eq!(
        call.datum("RateLimitWaitSeconds")
            .and_then(|d| d.unit.as_deref()),
        Some("Seconds")
    );
}

#[tokio::test]
async fn a_cloudwatch_outage_never_fails_the_run() {
    let setup = Setup::new(3).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port");
    setup.cloudwatch.fail_with(500);
    let failing = CollectorFunction::from_vars(setup.vars(&[])).expect("settings");
    let down = CollectorFunction::from_vars(setup.vars(&[pair(
        "AWS_ENDPOINT_URL_CLOUDWATCH",
        &format!("http://{closed}"),
    )]))
    .expect("settings");

    let with_5xx = failing.handle(event(Context::default())).await;
    let with_endpoint_down = down.handle(event(Context::default())).await;

    assert!(
        with_5xx
            .expect("5xx from CloudWatch is only logged")
            .complete
    );
    assert!(
        with_endpoint_down
            .expect("CloudWatch down is only logged")
            .complete
    );
}

#[tokio::test]
async fn a_short_deadline_ends_the_run_between_pages_with_complete_false() {
    let setup = Setup::new(1_000).await;
    setup
        .github
        .inject_for("acme/widgets", Fault::Stall(Duration::from_millis(400)), 10);
    let function = CollectorFunction::from_vars(setup.vars(&[pair("SYNC_SAFETY_MARGIN", "1s")]))
        .expect("settings");
    let mut context = Context::default();
    let deadline = SystemTime::now() + Duration::from_millis(2_000);
    context.deadline = deadline
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as u64;

    let summary = function
        .handle(event(context))
        .await
        .expect("incomplete is success");

    assert!(!summary.complete);
    assert_eq!(summary.incomplete, ["acme/widgets"]);
    assert!(SystemTime::now() < deadline, "finished before the deadline");
    let metric = setup.cloudwatch.calls()[0]
        .datum("SyncComplete")
        .and_then(|d| d.value);
    assert_eq!(metric, Some(0.0));
}

#[tokio::test]
async fn a_github_outage_fails_the_run_as_retryable() {
    let setup = Setup::new(3).await;
    setup.github.inject(Fault::ServerError(502), 10);
    let function = CollectorFunction::from_vars(setup.vars(&[])).expect("settings");

    let error = function
        .handle(event(Context::default()))
        .await
        .expect_err("failed repository");

    let diagnostic = Diagnostic::from(error);
    assert_eq!(diagnostic.error_type, "Retryable.RepositoriesFailed");
    assert!(
        diagnostic.error_message.contains("acme/widgets"),
        "{diagnostic:?}"
    );
}

#[tokio::test]
async fn a_rotated_github_token_is_reread_from_secrets_manager_and_the_run_retried() {
    let setup = Setup::new(5).await;
    let moto = MotoServer::start();
    let arn = moto
        .create_secret("dorameter/github-token", "revoked")
        .await;
    let mut more = moto.vars();
    more.push(pair("GITHUB_TOKEN_SECRET_ARN", &arn));
    let function = CollectorFunction::from_vars(setup.vars(&more)).expect("settings");

    let before_rotation = function.handle(event(Context::default())).await;
    moto.rotate_secret(&arn, TOKEN).await;
    let after_rotation = function.handle(event(Context::default())).await;

    let refused = Diagnostic::from(before_rotation.expect_err("token refused"));
    assert_eq!(refused.error_type, "NonRetryable.RepositoriesFailed");
    assert!(
        !refused.error_message.contains("revoked"),
        "the token is never shown"
    );
    let summary = after_rotation.expect("the rotated token works");
    assert!(summary.complete);
    assert_eq!(summary.prs_upserted, 5);
    // Cold start, the refresh of the first run, the refresh of the second.
    assert_eq!(function.secrets().fetches(), 3);
    // The second run's metrics count the refused attempt's request and error too.
    let calls = setup.cloudwatch.calls();
    assert_eq!(calls.len(), 2, "one PutMetricData per run");
    let value = |name: &str| calls[1].datum(name).and_then(|d| d.value);
    assert_eq!(value("GithubRequests"), Some(summary.requests as f64 + 1.0));
    assert_eq!(
        value("GithubApiErrors"),
        Some(summary.github_api_errors as f64 + 1.0)
    );
    assert_eq!(value("PrsProcessed"), Some(5.0));
}

#[tokio::test]
async fn a_refused_database_login_rereads_the_database_url_secret() {
    let setup = Setup::new(2).await;
    let moto = MotoServer::start();
    let stale = setup.db.url.replace("postgres@", "no_such_role@");
    let arn = moto.create_secret("dorameter/database-url", &stale).await;
    let mut more = moto.vars();
    more.push(pair("DATABASE_URL_SECRET_ARN", &arn));
    let function = CollectorFunction::from_vars(setup.vars(&more)).expect("settings");

    let before_rotation = function.handle(event(Context::default())).await;
    moto.rotate_secret(&arn, &setup.db.url).await;
    let after_rotation = function.handle(event(Context::default())).await;

    let refused = Diagnostic::from(before_rotation.expect_err("login refused"));
    assert_eq!(refused.error_type, "NonRetryable.DatabaseAuthentication");
    assert!(after_rotation.expect("the rotated URL works").complete);
}

#[tokio::test]
async fn the_first_run_on_a_new_database_applies_the_migrations() {
    let mut setup = Setup::new(3).await;
    setup.db = TestDatabase::create().await; // empty: no schema yet
    let function = CollectorFunction::from_vars(setup.vars(&[])).expect("settings");

    let summary = function
        .handle(event(Context::default()))
        .await
        .expect("run succeeds on a new database");

    assert!(summary.complete);
    assert_eq!(summary.prs_upserted, 3);
    let client = setup.db.client().await;
    let applied: i64 = client
        .query_one("SELECT count(*) FROM schema_migrations", &[])
        .await
        .expect("migrations recorded")
        .get(0);
    assert!(applied >= 5, "{applied}");
}

#[tokio::test]
async fn with_migrations_off_a_new_database_is_a_clear_error() {
    let mut setup = Setup::new(1).await;
    setup.db = TestDatabase::create().await;
    let function = CollectorFunction::from_vars(setup.vars(&[pair("DATABASE_MIGRATE", "false")]))
        .expect("settings");

    let error = function
        .handle(event(Context::default()))
        .await
        .expect_err("no schema");

    let message = cloud::chain(&error);
    assert!(
        message.contains("team") || message.contains("relation"),
        "{message}"
    );
    assert!(
        CollectorFunction::from_vars(setup.vars(&[pair("DATABASE_MIGRATE", "maybe")]))
            .is_err_and(|e| e.to_string().contains("DATABASE_MIGRATE"))
    );
}
