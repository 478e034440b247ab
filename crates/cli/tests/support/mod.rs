//! Helpers for end-to-end tests of the real `dorameter` binary.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The `dorameter` binary, with a clean environment apart from what the test sets.
pub fn dorameter() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dorameter"));
    for var in [
        "DATABASE_URL",
        "TEAM_CONFIG",
        "TEAM_CONFIG_JSON",
        "API_KEYS",
        "LISTEN_ADDR",
        "GITHUB_TOKEN",
        "REPOSITORIES",
    ] {
        command.env_remove(var);
    }
    command.env("RUST_LOG", "warn");
    command
}

/// Runs to completion, returning (exit code, stdout, stderr).
pub fn run(command: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("dorameter runs");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// A running `dorameter serve`, killed on drop.
pub struct Server {
    pub base: String,
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `dorameter serve` on an ephemeral port and waits (bounded) for its address line.
pub fn serve(database_url: &str, api_keys: &str) -> Server {
    let mut command = dorameter();
    command
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("DATABASE_URL", database_url)
        .env("API_KEYS", api_keys);
    listening(command)
}

/// Starts `dorameter demo --seed SEED --until UNTIL` on an ephemeral port (API key
/// `demo-key`) and waits (bounded) for its address line.
pub fn demo(seed: u64, until: &str) -> Server {
    let mut command = dorameter();
    command.args([
        "demo",
        "--addr",
        "127.0.0.1:0",
        "--seed",
        &seed.to_string(),
        "--until",
        until,
    ]);
    listening(command)
}

/// Spawns a command that serves and prints `{"listening":"http://…"}` as its first stdout line.
pub fn listening(mut command: Command) -> Server {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("dorameter starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let line = rx
        .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        .expect("dorameter prints its address within 60 s");
    let value: serde_json::Value = serde_json::from_str(&line).expect("address line is JSON");
    let base = value["listening"].as_str().expect("listening").to_owned();
    Server { base, child }
}

/// Runs to completion without blocking the async runtime (in-process fakes keep serving).
pub async fn run_async(command: &mut Command) -> (i32, String, String) {
    let output = tokio::process::Command::from(std::mem::replace(command, Command::new("true")))
        .output()
        .await
        .expect("dorameter runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Merged PR `number` of acme/app by alice (every third) or bob, as the seeded dashboard and
/// OpenAPI tests store them.
pub fn merged_pr(
    number: i64,
    github_id: i64,
    created_at: chrono::DateTime<chrono::Utc>,
    merged_at: chrono::DateTime<chrono::Utc>,
) -> domain::PullRequest {
    let i = number - 1;
    domain::testing::merged_pr(number)
        .github_id(github_id)
        .title(&format!("Change {i}"))
        .by(if i % 3 == 0 { "alice" } else { "bob" })
        .merged(merged_at)
        .created(created_at)
        .build()
}
