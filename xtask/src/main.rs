//! Project automation behind `cargo xtask …` (see `.cargo/config.toml`), so the test set-up is
//! one command on any machine:
//!
//! - `cargo xtask test [ARGS…]`: makes sure PostgreSQL answers (starting the local cluster if it
//!   is down), installs the Python test tools (schemathesis) into `.venv`, Debian's `sqlite3`
//!   shell, Chromium and the browser test's and `web/`'s npm packages if missing, then runs
//!   `cargo test --workspace ARGS…` (whose CLI tests run the browser tests and `web/`'s
//!   `npm test`).
//! - `cargo xtask coverage`: line coverage of the core logic with cargo-llvm-cov.
//! - `cargo xtask check-assets`: the committed dashboard assets (and their precompressed copies)
//!   equal a fresh build of `web/`.
//! - `cargo xtask infra-check` and `cargo xtask sam-build`: the infrastructure checks and the
//!   SAM build of the ARM64 functions (see `infra.rs`).
//! - `cargo xtask lambda-build`: the ARM64 bootstraps with cargo-lambda and their smoke test
//!   under qemu (see `lambda.rs`).

mod infra;
mod lambda;

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

const PYTHON_TOOLS: &[&str] = &[
    "schemathesis==4.32.5",
    // Secrets Manager for the Lambda functions' tests (started by the tests on 127.0.0.1).
    "moto[server]==5.2.5",
    // `cargo xtask lambda-build`: cargo-lambda and zig, its cross linker.
    "cargo-lambda==1.9.2",
    "ziglang==0.17.1",
];
/// A program from each of [`PYTHON_TOOLS`]: any missing means (re)install them all.
const PYTHON_TOOL_BINARIES: &[&str] =
    &["schemathesis", "moto_server", "cargo-lambda", "python-zig"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(&args[1..]),
        Some("coverage") => coverage(),
        Some("check-assets") => check_assets(),
        Some("infra-check") => infra::infra_check(),
        Some("sam-build") => infra::sam_build(),
        Some("lambda-build") => lambda::lambda_build(),
        _ => Err(
            "usage: cargo xtask test [cargo test args…] | coverage | check-assets | infra-check | sam-build | lambda-build"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn run(command: &mut Command) -> Result<(), String> {
    eprintln!("xtask: running {command:?}");
    let status = command
        .status()
        .map_err(|e| format!("cannot start {command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed with {status}"))
    }
}

fn postgres_answers() -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], 5432));
    TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_ok()
}

/// PostgreSQL on 127.0.0.1:5432 unless `TEST_DATABASE_URL` points elsewhere.
fn ensure_postgres() -> Result<(), String> {
    if std::env::var_os("TEST_DATABASE_URL").is_some() || postgres_answers() {
        return Ok(());
    }
    eprintln!("xtask: PostgreSQL is not answering on 127.0.0.1:5432; starting the local cluster");
    let versions = std::fs::read_dir("/etc/postgresql")
        .map_err(|e| format!("PostgreSQL is down and /etc/postgresql is unreadable ({e}); start it or set TEST_DATABASE_URL"))?;
    for version in versions.flatten() {
        let version = version.file_name().to_string_lossy().into_owned();
        let _ = run(Command::new("pg_ctlcluster").args([
            "--skip-systemctl-redirect",
            &version,
            "main",
            "start",
        ]));
    }
    for _ in 0..30 {
        if postgres_answers() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    Err("PostgreSQL did not come up on 127.0.0.1:5432; start it or set TEST_DATABASE_URL".into())
}

/// A virtualenv in `.venv` with the Python test tools; returns its `bin` folder.
fn ensure_python_tools() -> Result<PathBuf, String> {
    let venv = root().join(".venv");
    let bin = venv.join("bin");
    if !bin.join("python").exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    if PYTHON_TOOL_BINARIES.iter().any(|b| !bin.join(b).exists()) {
        run(Command::new(bin.join("pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(PYTHON_TOOLS))?;
    }
    Ok(bin)
}

/// The system `sqlite3` shell (Debian's package, older than the SQLite the store bundles), which
/// a test runs over a store-made file: a plain shell must read every table.
const SQLITE3: &str = "/usr/bin/sqlite3";

fn ensure_sqlite_shell() -> Result<(), String> {
    if !Path::new(SQLITE3).exists() {
        run(Command::new("apt-get").args(["update", "-qq"]))?;
        run(Command::new("apt-get")
            .args(["install", "-y", "-qq", "sqlite3"])
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    Ok(())
}

/// Debian's Chromium and playwright-core for the dashboard's browser test.
fn ensure_browser_tools() -> Result<(), String> {
    if !Path::new("/usr/bin/chromium").exists() {
        run(Command::new("apt-get").args(["update", "-qq"]))?;
        run(Command::new("apt-get")
            .args(["install", "-y", "-qq", "chromium"])
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    let browser_tests = root().join("tests/browser");
    if !browser_tests.join("node_modules/playwright-core").exists() {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&browser_tests))?;
    }
    ensure_web_packages()
}

/// `web/`'s packages: Vite for `check-assets`, vitest for its `npm test`.
fn ensure_web_packages() -> Result<(), String> {
    let web = root().join("web");
    if !web.join("node_modules/vite").exists() || !web.join("node_modules/vitest").exists() {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&web))?;
    }
    Ok(())
}

/// Rebuilds the dashboard from `web/` into a scratch folder and compares it with the committed
/// `crates/api/assets`, both ways, so the embedded assets never drift from their sources: a file
/// that differs, one the build makes that is not committed, and one committed that the build no
/// longer makes (left behind by a rename) all fail. The same build writes the `.gz` and `.br`
/// copies (`web/precompress.js`), so they are compared too.
fn check_assets() -> Result<(), String> {
    let web = root().join("web");
    ensure_web_packages()?;
    let scratch = std::env::temp_dir().join(format!("dorameter-assets-{}", std::process::id()));
    let built = run(Command::new("npx")
        .args(["vite", "build", "--emptyOutDir", "--outDir"])
        .arg(&scratch)
        .current_dir(&web));
    let compared = built.and_then(|()| compare_trees(&scratch, &root().join("crates/api/assets")));
    let _ = std::fs::remove_dir_all(&scratch);
    let stale = compared?;
    if stale.is_empty() {
        eprintln!("xtask: crates/api/assets is up to date with web/");
        Ok(())
    } else {
        Err(format!(
            "crates/api/assets is stale ({}): run `npm ci && npx vite build` in web/ and commit",
            stale.join(", ")
        ))
    }
}

/// Every file below `dir`, as paths relative to it (sorted), so nested folders are compared too.
fn files_below(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries =
            std::fs::read_dir(&folder).map_err(|e| format!("reading {}: {e}", folder.display()))?;
        for entry in entries {
            let path = entry
                .map_err(|e| format!("reading {}: {e}", folder.display()))?
                .path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                files.push(relative.to_path_buf());
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The files that differ between a fresh build and the committed folder, each with why.
fn compare_trees(fresh: &Path, committed: &Path) -> Result<Vec<String>, String> {
    let fresh_files = files_below(fresh)?;
    let committed_files = files_below(committed)?;
    let mut stale = Vec::new();
    for file in &fresh_files {
        let name = file.display();
        match std::fs::read(committed.join(file)) {
            Err(_) => stale.push(format!("{name} is not committed")),
            Ok(kept) => {
                let built = std::fs::read(fresh.join(file))
                    .map_err(|e| format!("reading {}: {e}", fresh.join(file).display()))?;
                if built != kept {
                    stale.push(format!("{name} differs"));
                }
            }
        }
    }
    for file in committed_files.iter().filter(|f| !fresh_files.contains(f)) {
        stale.push(format!("{} is not built any more", file.display()));
    }
    Ok(stale)
}

fn test(extra: &[String]) -> Result<(), String> {
    ensure_postgres()?;
    ensure_browser_tools()?;
    ensure_sqlite_shell()?;
    let bin = ensure_python_tools()?;
    let path = std::env::var("PATH").unwrap_or_default();
    run(Command::new(env!("CARGO"))
        .current_dir(root())
        .env("PATH", format!("{}:{path}", bin.display()))
        .env("SQLITE3", SQLITE3)
        .env("SCHEMATHESIS", bin.join("schemathesis"))
        .env("MOTO_SERVER", bin.join("moto_server"))
        .args(["test", "--workspace", "--locked", "--no-fail-fast"])
        .args(extra))
}

fn coverage() -> Result<(), String> {
    ensure_postgres()?;
    let have_llvm_cov = Command::new(env!("CARGO"))
        .args(["llvm-cov", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_llvm_cov {
        run(Command::new("rustup").args(["component", "add", "llvm-tools-preview"]))?;
        run(Command::new(env!("CARGO")).args(["install", "--locked", "cargo-llvm-cov"]))?;
    }
    run(Command::new(env!("CARGO")).current_dir(root()).args([
        "llvm-cov",
        "--package",
        "domain",
        "--summary-only",
    ]))
}

#[cfg(test)]
mod tests {
    use super::compare_trees;
    use std::path::{Path, PathBuf};

    fn tree(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (file, body) in files {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).expect("mkdir");
            std::fs::write(path, body).expect("write");
        }
        dir
    }

    #[test]
    fn assets_are_stale_when_a_file_differs_is_missing_or_is_left_over() {
        let fresh = tree(
            "fresh",
            &[("app.js", "new"), ("app.css", "same"), ("sub/x.svg", "x")],
        );
        let same = tree(
            "same",
            &[("app.js", "new"), ("app.css", "same"), ("sub/x.svg", "x")],
        );
        let drifted = tree(
            "drifted",
            &[("app.js", "old"), ("app.css", "same"), ("app-old.js", "o")],
        );
        assert_eq!(compare_trees(&fresh, &same), Ok(vec![]));
        assert_eq!(
            compare_trees(&fresh, &drifted),
            Ok(vec![
                "app.js differs".to_owned(),
                "sub/x.svg is not committed".to_owned(),
                "app-old.js is not built any more".to_owned(),
            ])
        );
        for dir in [fresh, same, drifted] {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
