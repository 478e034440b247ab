//! End-to-end: the real `dorameter sync` against a fake GitHub (a real HTTP server on
//! 127.0.0.1) and a real, fresh PostgreSQL database.

mod support;

use chrono::{DateTime, Duration, TimeZone, Utc};
use fake_github::{FakeGithub, FakeGithubConfig, FakePull, FakeUser, Fault};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration as StdDuration;
use store::testing::TestDatabase;
use support::{dorameter, run_async};

const TOKEN: &str = "ghp_e2e_token";
const TEAMS: &str = r#"{"teams":[
  {"id":"platform","members":[{"github":"alice","weight":0.5,"joined_at":"2025-01-01"},{"github":"bob","joined_at":"2025-01-01"}]},
  {"id":"mobile","members":[{"github":"alice","weight":0.5,"joined_at":"2025-01-01"}]}]}"#;

fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).single().unwrap()
}

/// `n` PRs of one repository: mostly merged (alice, bob, a bot, a deleted account), some closed
/// unmerged, unicode titles.
fn pulls(repo_index: u64, n: u64) -> Vec<FakePull> {
    (1..=n)
        .map(|number| {
            let created = base_time() + Duration::hours((number * 7 + repo_index) as i64);
            let merged = created + Duration::minutes((30 + number * 13 % 900) as i64);
            let user = match number % 5 {
                0 => Some(FakeUser::user("Alice", 1)),
                1 | 2 => Some(FakeUser::user("bob", 2)),
                3 => Some(FakeUser::bot("dependabot[bot]", 3)),
                _ => None,
            };
            let mut pull = if number % 11 == 0 {
                FakePull::closed_unmerged(number, user, created, merged)
            } else {
                FakePull::merged(number, user, created, merged)
            };
            pull.id = repo_index * 1_000_000 + number;
            pull.with_title(&format!("Füge Ünïcödé hinzu 🚀 #{number} — 日本語"))
        })
        .collect()
}

struct Env {
    fake: Arc<FakeGithub>,
    db: TestDatabase,
    repos: Vec<String>,
}

async fn env(repo_sizes: &[u64]) -> Env {
    let fake = FakeGithub::start(FakeGithubConfig {
        token: Some(TOKEN.into()),
        ..FakeGithubConfig::default()
    })
    .await
    .expect("fake GitHub starts");
    let mut repos = Vec::new();
    for (i, &n) in repo_sizes.iter().enumerate() {
        let name = format!("acme/repo-{i}");
        fake.set_pulls(&name, pulls(i as u64 + 1, n));
        repos.push(name);
    }
    Env::new(Arc::new(fake), repos).await
}

impl Env {
    /// A fresh, migrated database against an existing fake (so runs can be compared).
    async fn new(fake: Arc<FakeGithub>, repos: Vec<String>) -> Env {
        let db = TestDatabase::create().await;
        let (code, _, err) =
            run_async(dorameter().arg("migrate").env("DATABASE_URL", &db.url)).await;
        assert_eq!(code, 0, "{err}");
        Env { fake, db, repos }
    }

    async fn sibling(&self) -> Env {
        Env::new(self.fake.clone(), self.repos.clone()).await
    }

    /// `dorameter sync --full` against the fake and the test database.
    fn sync_command(&self) -> std::process::Command {
        let mut command = self.sync_command_without_full();
        command.arg("--full");
        command
    }

    /// `dorameter sync` with its default `--since` (365 days).
    fn sync_command_without_full(&self) -> std::process::Command {
        let mut command = dorameter();
        command
            .arg("sync")
            .env("DATABASE_URL", &self.db.url)
            .env("TEAM_CONFIG_JSON", TEAMS)
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_API_URL", self.fake.base_url())
            .env("REPOSITORIES", self.repos.join(","))
            .env("GITHUB_RETRY_BASE_DELAY", "50ms")
            .env("GITHUB_REQUEST_TIMEOUT", "2s");
        command
    }

    async fn sync(&self) -> (i32, Value, String) {
        let (code, out, err) = run_async(&mut self.sync_command()).await;
        let summary = serde_json::from_str(out.trim()).unwrap_or(Value::Null);
        (code, summary, err)
    }

    /// Everything stored, without columns that record when a row was written.
    async fn dump(&self) -> Vec<String> {
        let client = self.db.client().await;
        let mut rows = Vec::new();
        for query in [
            "SELECT (to_jsonb(p) - 'id' - 'first_seen_at' - 'last_changed_at')::text FROM pull_requests p ORDER BY repository, number",
            "SELECT jsonb_build_object('pr', p.repository || '#' || p.number, 'team', a.team_id, 'w', a.weight, 'c', a.cycle_time_hours)::text
               FROM pr_attributions a JOIN pull_requests p ON p.id = a.pr_id ORDER BY 1",
            "SELECT (to_jsonb(s) - 'updated_at')::text FROM repo_sync_state s ORDER BY repository",
        ] {
            for row in client.query(query, &[]).await.unwrap() {
                rows.push(row.get::<_, String>(0));
            }
        }
        rows
    }

    /// What the API reports from: every row of the reporting views.
    async fn metrics(&self) -> Vec<String> {
        let client = self.db.client().await;
        let mut rows = Vec::new();
        for view in ["view_team_velocity", "view_dora_lead_time"] {
            let query = format!("SELECT to_jsonb(v)::text FROM {view} v ORDER BY 1");
            for row in client.query(&query, &[]).await.unwrap() {
                rows.push(format!("{view}: {}", row.get::<_, String>(0)));
            }
        }
        rows
    }

    /// Every row of every table, bookkeeping columns included.
    async fn every_table(&self) -> Vec<String> {
        let client = self.db.client().await;
        let tables = client
            .query(
                "SELECT table_name::text FROM information_schema.tables
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
                &[],
            )
            .await
            .unwrap();
        let mut rows = Vec::new();
        for table in tables.iter().map(|r| r.get::<_, String>(0)) {
            let query = format!("SELECT to_jsonb(t)::text FROM {table} t ORDER BY 1");
            for row in client.query(&query, &[]).await.unwrap() {
                rows.push(format!("{table}: {}", row.get::<_, String>(0)));
            }
        }
        rows
    }

    async fn count(&self, sql: &str) -> i64 {
        self.db
            .client()
            .await
            .query_one(sql, &[])
            .await
            .unwrap()
            .get(0)
    }
}

fn expected_merged(repo_sizes: &[u64]) -> i64 {
    repo_sizes
        .iter()
        .map(|&n| (1..=n).filter(|k| k % 11 != 0).count() as i64)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_repositories_of_250_prs_sync_once_and_a_second_run_costs_one_304_each() {
    let sizes = [250, 250, 250];
    let env = env(&sizes).await;
    let (code, summary, err) = env.sync().await;
    assert_eq!(code, 0, "{err}\n{summary}");
    assert_eq!(summary["complete"], true);
    assert_eq!(summary["repositories"], 3);
    assert_eq!(summary["pages"], 9, "{summary}");
    // Each page after the first is followed by its predecessor asked again: a 304 each.
    assert_eq!(summary["requests"], 15, "{summary}");
    assert_eq!(summary["not_modified"], 6, "{summary}");
    assert_eq!(summary["prs_upserted"], 750);
    assert_eq!(
        env.count("SELECT count(*) FROM pull_requests WHERE merged_at IS NOT NULL")
            .await,
        expected_merged(&sizes)
    );
    assert_eq!(
        env.count("SELECT count(*) FROM (SELECT repository, number FROM pull_requests GROUP BY 1, 2 HAVING count(*) > 1) d").await,
        0
    );
    assert_eq!(
        env.count("SELECT count(*) FROM pull_requests WHERE title LIKE 'Füge Ünïcödé hinzu 🚀 #% — 日本語'").await,
        750
    );
    // Bots and deleted accounts count for no team; alice is split, bob is whole.
    assert_eq!(
        env.count("SELECT count(*) FROM pr_attributions a JOIN pull_requests p ON p.id = a.pr_id WHERE p.author_login IS NULL OR p.author_is_bot").await,
        0
    );
    let before = env.dump().await;
    let metrics_before = env.metrics().await;
    assert!(
        metrics_before
            .iter()
            .any(|r| r.contains("view_dora_lead_time"))
            && metrics_before
                .iter()
                .any(|r| r.contains("view_team_velocity")),
        "{metrics_before:?}"
    );
    env.fake.reset_observations();

    let (code, summary, err) = env.sync().await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(summary["requests"], 3, "{summary}");
    assert_eq!(summary["not_modified"], 3);
    assert_eq!(summary["prs_upserted"], 0);
    for repo in &env.repos {
        assert!(env.fake.requests_for(repo) <= 1);
    }
    assert!(
        env.dump().await == before,
        "the second run changed stored data"
    );
    assert!(
        env.metrics().await == metrics_before,
        "the second run changed the metrics"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_is_picked_up_incrementally() {
    let env = env(&[250]).await;
    let (code, _, err) = env.sync().await;
    assert_eq!(code, 0, "{err}");
    // PR 7 gets a new comment (updated_at moves) and PR 300 is merged.
    // Later than every PR, yet in the past: an `updated_at` ahead of the clock is refused.
    let now = base_time() + Duration::days(150);
    assert!(env.fake.touch(&env.repos[0], 7, now));
    env.fake.add_pulls(
        &env.repos[0],
        vec![FakePull::merged(
            300,
            Some(FakeUser::user("bob", 2)),
            now - Duration::hours(5),
            now,
        )],
    );
    env.fake.reset_observations();
    let (code, summary, err) = env.sync().await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        summary["requests"], 1,
        "one page reaches the watermark: {summary}"
    );
    assert_eq!(summary["prs_upserted"], 2, "{summary}");
    assert_eq!(
        env.count("SELECT count(*) FROM pr_attributions a JOIN pull_requests p ON p.id = a.pr_id WHERE p.number = 300 AND a.team_id = 'platform'").await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_still_ends_complete_and_correct() {
    let sizes = [250];
    let reference = env(&sizes).await;
    assert_eq!(reference.sync().await.0, 0);
    let expected = reference.dump().await;

    for (name, faults) in [
        ("3 x 502", vec![Fault::ServerError(502); 3]),
        ("secondary limit", vec![Fault::secondary_rate_limit()]),
        ("primary exhaustion", vec![Fault::primary_rate_limit()]),
        (
            "stalled response",
            vec![Fault::Stall(StdDuration::from_secs(5))],
        ),
        ("connection reset", vec![Fault::ConnectionReset]),
    ] {
        let env = reference.sibling().await;
        // The second page fails first, so the walk is mid-way when it happens.
        env.fake
            .inject_for(&env.repos[0], Fault::Stall(StdDuration::ZERO), 1);
        for fault in faults {
            env.fake.inject_for(&env.repos[0], fault, 1);
        }
        let (code, summary, err) = env.sync().await;
        assert_eq!(code, 0, "{name}: {err}\n{summary}");
        assert_eq!(summary["complete"], true, "{name}");
        assert!(
            env.dump().await == expected,
            "{name}: stored data differs from the reference"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_fails_that_repository_only_and_a_rerun_completes() {
    let sizes = [250, 120];
    let env = env(&sizes).await;
    env.fake
        .inject_for(&env.repos[0], Fault::Stall(StdDuration::ZERO), 1);
    env.fake.inject_for(&env.repos[0], Fault::MalformedJson, 1);
    let (code, summary, err) = env.sync().await;
    assert_eq!(code, 1, "{summary}");
    assert_eq!(summary["complete"], false);
    assert_eq!(summary["failed"], serde_json::json!(["acme/repo-0"]));
    assert!(
        err.contains("acme/repo-0") && err.contains("malformed"),
        "{err}"
    );
    assert!(err.contains("/pulls"), "the error names the URL: {err}");
    // The other repository completed; the failed one kept its first page only.
    assert_eq!(
        env.count("SELECT count(*) FROM pull_requests WHERE repository = 'acme/repo-1'")
            .await,
        120
    );
    assert_eq!(
        env.count("SELECT count(*) FROM pull_requests WHERE repository = 'acme/repo-0'")
            .await,
        100
    );
    let (code, summary, err) = env.sync().await;
    assert_eq!(code, 0, "{err}\n{summary}");
    assert_eq!(
        env.count("SELECT count(*) FROM pull_requests WHERE merged_at IS NOT NULL")
            .await,
        expected_merged(&sizes)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_after_page_k_then_rerun_ends_identical_to_an_uninterrupted_one() {
    let sizes = [450];
    let reference = env(&sizes).await;
    assert_eq!(reference.sync().await.0, 0);
    let expected = reference.dump().await;

    for k in [1u64, 3] {
        let env = reference.sibling().await;
        // Pages 1..=k (each after the first followed by the page before it, asked again)
        // answer at once; page k+1 hangs until the process is killed.
        env.fake.inject_for(
            &env.repos[0],
            Fault::Stall(StdDuration::ZERO),
            (2 * k - 1) as usize,
        );
        env.fake
            .inject_for(&env.repos[0], Fault::Stall(StdDuration::from_secs(60)), 1);
        let mut child = tokio::process::Command::from(env.sync_command())
            .env("GITHUB_REQUEST_TIMEOUT", "120s")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while env.count("SELECT count(*) FROM pull_requests").await < (k * 100) as i64 {
            assert!(
                started.elapsed() < StdDuration::from_secs(60),
                "page {k} never committed"
            );
            tokio::time::sleep(StdDuration::from_millis(20)).await;
        }
        // Page k+1 hangs: the process is waiting for it when it is killed.
        tokio::time::sleep(StdDuration::from_millis(200)).await;
        child.kill().await.unwrap();
        assert_eq!(
            env.count("SELECT count(*) FROM pull_requests").await,
            (k * 100) as i64
        );
        env.fake.clear_faults();
        let (code, summary, err) = env.sync().await;
        assert_eq!(code, 0, "k={k}: {err}\n{summary}");
        assert_eq!(
            (&summary["pages"], &summary["pages_refetched"]),
            (&Value::from(6 - k), &Value::from(1)),
            "the rerun fetches page k again, then the pages after it: {summary}"
        );
        assert!(
            env.dump().await == expected,
            "k={k}: stored data differs from the reference"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_time_budget_stops_between_pages_and_the_next_run_completes() {
    let env = env(&[450]).await;
    env.fake.inject_for(
        &env.repos[0],
        Fault::Stall(StdDuration::from_millis(700)),
        5,
    );
    let (code, summary, _) = run_async(env.sync_command().args(["--budget", "1s"])).await;
    let summary: Value = serde_json::from_str(summary.trim()).unwrap();
    assert_eq!(code, 2, "{summary}");
    assert_eq!(summary["complete"], false);
    assert_eq!(summary["incomplete"], serde_json::json!(["acme/repo-0"]));
    env.fake.clear_faults();
    let (code, summary, err) = env.sync().await;
    assert_eq!(code, 0, "{err}\n{summary}");
    assert_eq!(env.count("SELECT count(*) FROM pull_requests").await, 450);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_fetches_and_writes_nothing() {
    let env = env(&[120]).await;
    let (code, summary, err) = run_async(env.sync_command().arg("--dry-run")).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(summary_field(&summary, "prs_fetched"), 120);
    assert_eq!(env.count("SELECT count(*) FROM pull_requests").await, 0);
    assert_eq!(env.count("SELECT count(*) FROM teams").await, 0);

    // After a real run, a dry run with new PRs on GitHub and another team config changes no
    // row of any table.
    let (code, _, err) = env.sync().await;
    assert_eq!(code, 0, "{err}");
    let before = env.every_table().await;
    let now = base_time() + Duration::days(150);
    assert!(env.fake.touch(&env.repos[0], 3, now));
    env.fake.add_pulls(
        &env.repos[0],
        vec![FakePull::merged(
            500,
            Some(FakeUser::user("bob", 2)),
            now,
            now,
        )],
    );
    let edited = TEAMS.replace("\"weight\":0.5", "\"weight\":0.25");
    let (code, summary, err) = run_async(
        env.sync_command()
            .arg("--dry-run")
            .env("TEAM_CONFIG_JSON", edited),
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(summary_field(&summary, "prs_fetched") >= 2, "{summary}");
    assert!(env.every_table().await == before, "the dry run wrote");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_creates_no_sqlite_file_and_leaves_an_unmigrated_postgresql_database_empty() {
    let env = env(&[120]).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fresh.db");
    let url = format!("sqlite://{}", file.display());
    let (code, summary, err) = run_async(
        env.sync_command()
            .arg("--dry-run")
            .env("DATABASE_URL", &url),
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(summary_field(&summary, "prs_fetched"), 120);
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "the dry run created {left:?}");
    // The default DATABASE_URL (./dorameter.db) is not created either.
    let (code, _, err) = run_async(
        env.sync_command()
            .arg("--dry-run")
            .env_remove("DATABASE_URL")
            .current_dir(dir.path()),
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    let unmigrated = TestDatabase::create().await;
    let (code, summary, err) = run_async(
        env.sync_command()
            .arg("--dry-run")
            .env("DATABASE_URL", &unmigrated.url),
    )
    .await;
    assert_eq!(code, 0, "{err}\n{summary}");
    assert_eq!(summary_field(&summary, "prs_fetched"), 120);
    let tables = unmigrated.public_table_count().await;
    assert_eq!(tables, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_config_that_cannot_be_read_or_written_still_prints_the_summary() {
    let env = env(&[10]).await;
    let (code, out, err) =
        run_async(env.sync_command().env("TEAM_CONFIG_JSON", "{\"teams\":")).await;
    assert_eq!(code, 1, "{err}");
    let summary: Value = serde_json::from_str(out.trim()).expect("a JSON summary line");
    assert_eq!(summary["complete"], false);
    assert_eq!(summary["requests"], 0);
    let error = summary["error"].as_str().unwrap_or_default();
    assert!(error.contains("TEAM_CONFIG_JSON"), "{summary}");
    assert!(
        err.contains("TEAM_CONFIG_JSON"),
        "the message goes to stderr too: {err}"
    );

    // The store refuses the team config write.
    env.db
        .client()
        .await
        .batch_execute("DROP TABLE team_memberships CASCADE")
        .await
        .unwrap();
    let (code, out, err) = run_async(&mut env.sync_command()).await;
    assert_eq!(code, 1, "{err}");
    let summary: Value = serde_json::from_str(out.trim()).expect("a JSON summary line");
    assert_eq!(summary["complete"], false);
    let error = summary["error"].as_str().unwrap_or_default();
    assert!(error.contains("team config"), "{summary}");
    assert!(summary["run_id"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(err.contains("team config"), "{err}");
    assert_eq!(env.count("SELECT count(*) FROM pull_requests").await, 0);
}

/// 450 merged PRs of one repository, PR n last updated `451 - n` days (less 12 hours) ago.
fn daily(repo_index: u64) -> Vec<FakePull> {
    let now = Utc::now();
    (1..=450u64)
        .map(|n| {
            let updated = now - Duration::days((451 - n) as i64) + Duration::hours(12);
            let mut pull = FakePull::merged(
                n,
                Some(FakeUser::user("bob", 2)),
                updated - Duration::hours(3),
                updated,
            );
            pull.id = repo_index * 1_000_000 + n;
            pull
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_since_stops_a_year_back_and_a_later_full_run_fetches_the_rest() {
    let fake = FakeGithub::start(FakeGithubConfig {
        token: Some(TOKEN.into()),
        ..FakeGithubConfig::default()
    })
    .await
    .expect("fake GitHub starts");
    fake.set_pulls("acme/repo-0", daily(1));
    let env = Env::new(Arc::new(fake), vec!["acme/repo-0".into()]).await;

    let (code, out, err) = run_async(&mut env.sync_command_without_full()).await;
    assert_eq!(code, 0, "{err}");
    let summary: Value = serde_json::from_str(out.trim()).unwrap();
    // PRs 86..=450 were updated within 365 days; page 4 (PRs 150..51) crosses the floor.
    assert_eq!(summary["pages"], 4, "{summary}");
    assert_eq!(env.count("SELECT count(*) FROM pull_requests").await, 365);
    assert_eq!(env.count("SELECT min(number) FROM pull_requests").await, 86);
    assert!(
        env.fake
            .request_log()
            .iter()
            .all(|r| !r.path_and_query.ends_with("page=5")),
        "nothing past the page that crosses the floor is fetched"
    );

    // --full later: the rest of history, although the first page is unchanged.
    env.fake.reset_observations();
    let (code, summary, err) = env.sync().await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(summary["pages"], 5, "{summary}");
    assert_eq!(env.count("SELECT count(*) FROM pull_requests").await, 450);
    let (code, summary, err) = env.sync().await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (&summary["requests"], &summary["not_modified"]),
        (&Value::from(1), &Value::from(1)),
        "all history reached: {summary}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn since_in_the_future_and_a_token_with_whitespace_inside_are_clear_errors() {
    let env = env(&[10]).await;
    let (code, _, err) = run_async(
        env.sync_command_without_full()
            .args(["--since", "2999-01-01"]),
    )
    .await;
    assert_eq!(code, 1);
    // One parser for the CLI and the Lambda: the error names the setting by its variable.
    assert!(
        err.contains("SYNC_SINCE") && err.contains("future"),
        "{err}"
    );

    let (code, out, err) =
        run_async(env.sync_command().env("GITHUB_TOKEN", format!("{TOKEN}\n"))).await;
    assert_eq!(code, 0, "a trailing line break is trimmed: {err}\n{out}");
    let (code, _, err) = run_async(
        env.sync_command()
            .env("GITHUB_TOKEN", format!("{TOKEN} {TOKEN}")),
    )
    .await;
    assert_eq!(code, 1);
    assert!(
        err.contains("GITHUB_TOKEN") && err.contains("whitespace"),
        "{err}"
    );
    assert!(!err.contains(TOKEN), "the token is never printed: {err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_sync_on_sqlite_warns_that_its_goal_is_for_postgresql() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let (code, out, err) = run_async(
        dorameter()
            .args(["bench", "sync", "--prs", "200", "--repositories", "2"])
            .env("DATABASE_URL", &url),
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning") && err.contains("PostgreSQL"),
        "{err}"
    );
    let report: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(report["database"], "sqlite");
    assert_eq!(report["first_sync"]["prs_upserted"], 200);
}

fn summary_field(out: &str, field: &str) -> i64 {
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    v[field].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_or_missing_setting_is_a_clear_error() {
    let env = env(&[10]).await;
    let (code, _, err) = run_async(env.sync_command().env("GITHUB_TOKEN", "nope")).await;
    assert_eq!(code, 1);
    assert!(err.contains("rejected the token"), "{err}");
    assert!(!err.contains("nope"), "the token is never printed: {err}");
    let (code, _, err) = run_async(env.sync_command().env_remove("GITHUB_TOKEN")).await;
    assert_eq!(code, 1);
    assert!(err.contains("GITHUB_TOKEN"), "{err}");
    let (code, _, err) = run_async(env.sync_command().env("REPOSITORIES", "not-a-repo")).await;
    assert_eq!(code, 1);
    assert!(err.contains("not-a-repo"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_github_enterprise_base_path_is_kept_on_every_request() {
    let fake = FakeGithub::start(FakeGithubConfig {
        token: Some(TOKEN.into()),
        path_prefix: Some("/api/v3".into()),
        ..FakeGithubConfig::default()
    })
    .await
    .expect("fake GitHub starts");
    fake.set_pulls("acme/repo-0", pulls(1, 250));
    let env = Env::new(Arc::new(fake), vec!["acme/repo-0".into()]).await;
    assert!(env.fake.base_url().ends_with("/api/v3"));
    let (code, summary, err) = env.sync().await;
    assert_eq!(code, 0, "{err}\n{summary}");
    assert_eq!(summary["pages"], 3);
    let log = env.fake.request_log();
    assert_eq!(log.len(), 5, "3 pages, pages 1 and 2 asked again");
    for request in &log {
        assert!(
            request.path_and_query.starts_with("/api/v3/"),
            "{}",
            request.path_and_query
        );
    }
    assert_eq!(env.count("SELECT count(*) FROM pull_requests").await, 250);
}
