//! End-to-end: the real `dorameter` binary against a real, fresh PostgreSQL database.

mod support;

use serde_json::Value;
use store::testing::TestDatabase;
use support::{dorameter, run, serve};

const CONFIG: &str = r#"{"teams":[{"id":"platform","name":"Platform","members":[
    {"github":"alice","weight":0.5,"joined_at":"2026-01-01","left_at":"2026-03-01"},
    {"github":"bob","joined_at":"2025-06-01"}]}]}"#;

async fn table_dump(db: &TestDatabase) -> Vec<String> {
    let client = db.client().await;
    let mut dump = Vec::new();
    for table in [
        "teams",
        "team_memberships",
        "pull_requests",
        "pr_attributions",
    ] {
        let rows = client
            .query(
                &format!("SELECT to_jsonb(t)::text FROM {table} t ORDER BY 1"),
                &[],
            )
            .await
            .unwrap();
        dump.extend(
            rows.iter()
                .map(|r| format!("{table}: {}", r.get::<_, String>(0))),
        );
    }
    dump
}

#[tokio::test]
async fn migrate_twice_then_sync_teams_is_idempotent() {
    let db = TestDatabase::create().await;
    let (code, out, err) = run(dorameter().arg("migrate").env("DATABASE_URL", &db.url));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("applied"), "{out}");
    let (code, out, _) = run(dorameter().arg("migrate").env("DATABASE_URL", &db.url));
    assert_eq!(code, 0);
    assert!(out.contains("up to date"), "{out}");

    let sync = || {
        run(dorameter()
            .args(["teams", "sync"])
            .env("DATABASE_URL", &db.url)
            .env("TEAM_CONFIG_JSON", CONFIG))
    };
    let (code, out, err) = sync();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("team added: platform"), "{out}");
    assert!(out.contains("member added: platform/alice"), "{out}");
    let before = table_dump(&db).await;
    let (code, out, _) = sync();
    assert_eq!(code, 0);
    assert!(out.contains("no changes"), "{out}");
    assert_eq!(table_dump(&db).await, before);
}

#[tokio::test]
async fn a_bad_config_is_refused_with_its_location_and_changes_nothing() {
    let db = TestDatabase::create().await;
    run(dorameter().arg("migrate").env("DATABASE_URL", &db.url));
    run(dorameter()
        .args(["teams", "sync"])
        .env("DATABASE_URL", &db.url)
        .env("TEAM_CONFIG_JSON", CONFIG));
    let before = table_dump(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("teams.json");
    let bad = CONFIG.replace("\"weight\":0.5", "\"weight\":1.5");
    std::fs::write(&path, &bad).unwrap();
    let (code, _, err) = run(dorameter()
        .args(["teams", "sync", "--config"])
        .arg(&path)
        .env("DATABASE_URL", &db.url));
    assert_eq!(code, 1);
    for needle in ["teams.json", "\"platform\"", "\"alice\"", "weight"] {
        assert!(err.contains(needle), "{err:?} should mention {needle}");
    }
    assert_eq!(table_dump(&db).await, before);
}

#[test]
fn without_database_url_migrate_creates_the_embedded_sqlite_file_in_the_working_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (code, out, err) = run(dorameter().arg("migrate").current_dir(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "applied 0001_schema
applied 0002_constraints
applied 0003_views_floor
applied 0004_sync_reach
applied 0005_views_portable
"
    );
    assert!(dir.path().join("dorameter.db").exists());
    let (code, out, err) = run(dorameter().arg("migrate").current_dir(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("database is up to date"), "{out}");
}

#[test]
fn missing_settings_are_named() {
    let (code, _, err) = run(dorameter()
        .arg("migrate")
        .env("DATABASE_URL", "mysql://localhost/db"));
    assert_eq!(code, 1);
    assert!(err.contains("DATABASE_URL"), "{err}");
    let (code, _, err) = run(dorameter().args(["teams", "validate"]));
    assert_eq!(code, 1);
    assert!(err.contains("TEAM_CONFIG"), "{err}");
    let (code, _, err) = run(dorameter().arg("serve").env(
        "DATABASE_URL",
        "postgres://postgres@127.0.0.1:5432/postgres",
    ));
    assert_eq!(code, 1);
    assert!(err.contains("API_KEYS is not set"), "{err}");
    let (code, _, err) = run(dorameter()
        .arg("serve")
        .env(
            "DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/postgres",
        )
        .env("API_KEYS", " , "));
    assert_eq!(code, 1);
    assert!(err.contains("API_KEYS holds no key"), "{err}");
}

#[test]
fn a_bad_value_from_the_environment_names_its_variable() {
    let (code, _, err) = run(dorameter()
        .arg("serve")
        .env("LISTEN_ADDR", "not-an-address")
        .env("API_KEYS", "k"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("LISTEN_ADDR"), "{err}");
    assert!(err.contains("not-an-address"), "{err}");
    let (code, _, err) = run(dorameter()
        .args(["sync", "--dry-run"])
        .env("SYNC_BUDGET", "ten minutes"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("SYNC_BUDGET"), "{err}");
    // Given as a flag, the flag is what clap names, and no variable is blamed.
    let (code, _, err) = run(dorameter()
        .args(["serve", "--addr", "nowhere"])
        .env("LISTEN_ADDR", "127.0.0.1:0"));
    assert_eq!(code, 2, "{err}");
    assert!(!err.contains("LISTEN_ADDR"), "{err}");
}

#[test]
fn durations_that_overflow_time_arithmetic_are_refused_naming_their_variable() {
    for (var, value) in [
        ("SYNC_SINCE", "100000000d"),
        ("SYNC_OVERLAP", "100000000d"),
        ("SYNC_BUDGET", "300000000000y"),
    ] {
        let (code, _, err) = run(dorameter()
            .args(["sync", "--dry-run"])
            .env("REPOSITORIES", "acme/widgets")
            .env("GITHUB_TOKEN", "t")
            .env("DATABASE_URL", "sqlite::memory:")
            .env(var, value));
        assert!(code == 1 || code == 2, "{var}: exit {code}: {err}");
        assert!(err.contains(var), "{var}: {err}");
        assert!(!err.contains("panicked"), "{var}: {err}");
    }
}

#[test]
fn an_unreachable_database_is_a_clear_error_without_the_password() {
    let (code, _, err) = run(dorameter().arg("migrate").env(
        "DATABASE_URL",
        "postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=2",
    ));
    assert_eq!(code, 1);
    assert!(err.contains("127.0.0.1:1"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn teams_validate_reports_the_file_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("teams.json");
    std::fs::write(
        &path,
        "{\n \"teams\": [\n  {\"id\": \"a\", \"colour\": 1}\n ]\n}\n",
    )
    .unwrap();
    let (code, _, err) = run(dorameter()
        .args(["teams", "validate", "--config"])
        .arg(&path));
    assert_eq!(code, 1);
    assert!(err.contains("colour") && err.contains("line 3"), "{err}");
    std::fs::write(&path, CONFIG).unwrap();
    let (code, out, _) = run(dorameter()
        .args(["teams", "validate", "--config"])
        .arg(&path));
    assert_eq!(code, 0);
    assert!(out.contains("1 teams, 2 memberships"), "{out}");
}

#[tokio::test]
async fn serve_answers_over_tcp_with_the_key() {
    let db = TestDatabase::create().await;
    run(dorameter().arg("migrate").env("DATABASE_URL", &db.url));
    run(dorameter()
        .args(["teams", "sync"])
        .env("DATABASE_URL", &db.url)
        .env("TEAM_CONFIG_JSON", CONFIG));
    let server = serve(&db.url, "k1,k2");
    let http = reqwest::Client::new();
    let health = http
        .get(format!("{}/health", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let teams: Value = http
        .get(format!("{}/teams", server.base))
        .header("x-api-key", "k2")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(teams["teams"][0]["id"], "platform");
    let denied = http
        .get(format!("{}/teams", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 401);
}
