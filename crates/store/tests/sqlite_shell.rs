//! The README promises that a plain `sqlite3` shell reads every table of the SQLite file. The
//! stock shells of Debian 12, Ubuntu 22.04/24.04 and Python 3.11 are SQLite 3.37–3.45, older
//! than the SQLite the store bundles, and one view they cannot parse makes every table
//! unreadable to them. This runs the system `sqlite3` (Debian's package; `cargo xtask test`
//! installs it) over a file migrated and filled by the store.

mod common;

use common::{at, config, merged_pr};
use std::path::{Path, PathBuf};
use std::process::Command;
use store::Store;

/// The `sqlite3` shell: `$SQLITE3` (set by `cargo xtask test`, which installs it), else the one
/// on `PATH`. `None`, said loudly, only when neither exists.
fn sqlite3_shell() -> Option<PathBuf> {
    if let Some(shell) = std::env::var_os("SQLITE3") {
        return Some(PathBuf::from(shell));
    }
    let found = Command::new("sqlite3").arg("--version").output().is_ok();
    if !found {
        eprintln!(
            "\n*** SKIPPED: no sqlite3 shell on PATH (apt-get install sqlite3, or run \
             `cargo xtask test`, which installs it) ***\n"
        );
    }
    found.then(|| PathBuf::from("sqlite3"))
}

/// The shell's output of `sql` on the file, or its error output.
fn shell(sqlite3: &Path, file: &Path, sql: &str) -> Result<String, String> {
    let output = Command::new(sqlite3)
        .arg(file)
        .arg(sql)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", sqlite3.display()));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if output.status.success() && stderr.is_empty() {
        Ok(stdout)
    } else {
        Err(format!("{}: {stderr}", output.status))
    }
}

#[tokio::test]
async fn the_system_sqlite3_shell_reads_every_table_and_the_velocity_view() {
    let Some(sqlite3) = sqlite3_shell() else {
        return;
    };
    let version =
        shell(&sqlite3, Path::new(":memory:"), "SELECT sqlite_version()").expect("the shell runs");
    eprintln!("system sqlite3: {}", version.trim());
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("dorameter.db");
    let store = Store::connect(&format!("sqlite://{}", file.display()), 1)
        .await
        .expect("open");
    store.migrate().await.expect("migrate");
    store
        .sync_teams(&config(
            r#"{"teams":[{"id":"platform","members":[
                {"github":"alice","weight":0.5,"joined_at":"2025-01-01"},
                {"github":"bob","joined_at":"2025-01-01"}]}]}"#,
        ))
        .await
        .expect("sync teams");
    let mut impossible = merged_pr(3, Some("bob"), "2026-01-07T10:00:00Z");
    impossible.created_at = at("2026-01-08T10:00:00Z");
    store
        .upsert_pull_requests(&[
            merged_pr(1, Some("alice"), "2026-01-05T10:00:00Z"),
            merged_pr(2, Some("bob"), "2026-01-06T10:00:00Z"),
            impossible,
            merged_pr(4, Some("alice"), "2026-01-12T10:00:00Z"),
        ])
        .await
        .expect("upsert");
    drop(store);

    let tables = shell(
        &sqlite3,
        &file,
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
    )
    .unwrap_or_else(|e| panic!("the schema is unreadable to sqlite3 {version}: {e}"));
    let tables: Vec<&str> = tables.lines().collect();
    for expected in [
        "pr_attributions",
        "pull_requests",
        "team_memberships",
        "teams",
    ] {
        assert!(tables.contains(&expected), "{expected} missing: {tables:?}");
    }
    for table in &tables {
        shell(&sqlite3, &file, &format!("SELECT * FROM \"{table}\""))
            .unwrap_or_else(|e| panic!("{table}: {e}"));
    }
    let velocity = shell(
        &sqlite3,
        &file,
        "SELECT team_id, week_start, prs_merged, weighted_prs_merged, avg_cycle_time_hours
         FROM view_team_velocity ORDER BY team_id, week_start",
    )
    .expect("view_team_velocity readable");
    assert_eq!(
        velocity,
        "platform|2026-01-05|3|2.5|5.0\nplatform|2026-01-12|1|0.5|5.0\n"
    );
}
