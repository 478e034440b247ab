//! Peak memory of `dorameter sync` when GitHub sends a huge or never-ending body: the binary
//! runs under `/usr/bin/time -v` against a fake serving the body, into a SQLite file. Ignored
//! (it is a measurement, not a check); run it with
//! `cargo test -p cli --test peak_memory -- --ignored --nocapture`. `DORAMETER_BIN` measures
//! another build of the binary (an older commit, for comparison).

use fake_github::{FakeGithub, FakeGithubConfig, FakePull, FakeUser, Fault};
use std::time::{Duration, Instant};

const TOKEN: &str = "ghp_peak_memory";
const TEAMS: &str =
    r#"{"teams":[{"id":"core","members":[{"github":"alice","joined_at":"2000-01-01"}]}]}"#;

/// Runs one sync against a fake serving `fault` to its first request and returns the peak RSS
/// in kB reported by `/usr/bin/time -v`.
async fn peak_rss_kb(fault: Fault, request_timeout: &str) -> (u64, Duration, String) {
    let fake = FakeGithub::start(FakeGithubConfig {
        token: Some(TOKEN.into()),
        ..FakeGithubConfig::default()
    })
    .await
    .expect("fake starts");
    let at = chrono::Utc::now() - chrono::Duration::days(1);
    fake.set_pulls(
        "acme/app",
        vec![FakePull::merged(
            1,
            Some(FakeUser::user("alice", 1)),
            at,
            at,
        )],
    );
    fake.inject_for("acme/app", fault, 1);
    let dir = tempfile::tempdir().expect("temp dir");
    let binary = std::env::var("DORAMETER_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_dorameter").to_owned());
    let mut command = tokio::process::Command::new("/usr/bin/time");
    command
        .arg("-v")
        .arg(binary)
        .args(["sync", "--full"])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("peak.db").display()),
        )
        .env("TEAM_CONFIG_JSON", TEAMS)
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_API_URL", fake.base_url())
        .env("REPOSITORIES", "acme/app")
        .env("GITHUB_MAX_ATTEMPTS", "1")
        .env("GITHUB_REQUEST_TIMEOUT", request_timeout)
        .env("RUST_LOG", "warn");
    let started = Instant::now();
    let output = command.output().await.expect("runs");
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let peak = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in: {stderr}"));
    let summary = String::from_utf8_lossy(&output.stdout).into_owned();
    (peak, took, summary)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: run with --ignored --nocapture"]
async fn peak_rss_of_a_sync_against_huge_and_endless_bodies() {
    for (name, fault) in [
        (
            "200 MB body (content-length)",
            Fault::HugeBody {
                bytes: 200 * 1024 * 1024,
                announced: true,
            },
        ),
        (
            "200 MB body (chunked)",
            Fault::HugeBody {
                bytes: 200 * 1024 * 1024,
                announced: false,
            },
        ),
        ("endless chunked body, 10 s timeout", Fault::EndlessBody),
    ] {
        let (kb, took, summary) = peak_rss_kb(fault, "10s").await;
        let error: String = serde_json::from_str::<serde_json::Value>(summary.trim())
            .ok()
            .and_then(|s| s["details"][0]["error"].as_str().map(str::to_owned))
            .unwrap_or_default();
        println!(
            "{name}: peak RSS {:.1} MB in {:.1} s; error: {error}",
            kb as f64 / 1024.0,
            took.as_secs_f64()
        );
    }
}
