//! `cargo xtask lambda-build`: the ARM64 Lambda bootstraps with cargo-lambda (zig as the
//! cross linker, both from PyPI into `.venv`), their sizes, and the ARM64 smoke test: the API
//! bootstrap under `qemu-aarch64` answering one invocation from a fake Lambda Runtime API. Kept
//! out of `cargo xtask test` because a cold release build takes ~10 minutes on 2 cores.

use crate::{ensure_postgres, ensure_python_tools, root, run};
use std::path::PathBuf;
use std::process::Command;

const FUNCTIONS: [&str; 2] = ["dorameter-api", "dorameter-collector"];

/// qemu-user and the ARM64 C library (Debian packages), installed when missing.
fn ensure_qemu() -> Result<(), String> {
    let have_qemu = Command::new("qemu-aarch64")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if have_qemu && PathBuf::from("/usr/aarch64-linux-gnu/lib").exists() {
        return Ok(());
    }
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get").args(["install", "-y", "-qq", "qemu-user", "libc6-arm64-cross"]))
}

pub fn lambda_build() -> Result<(), String> {
    ensure_postgres()?;
    let bin = ensure_python_tools()?;
    ensure_qemu()?;
    run(Command::new("rustup").args(["target", "add", "aarch64-unknown-linux-gnu"]))?;
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut build = Command::new(env!("CARGO"));
    build.current_dir(root()).env("PATH", &path).args([
        "lambda",
        "build",
        "--release",
        "--arm64",
        "--output-format",
        "zip",
        "--locked",
    ]);
    for function in FUNCTIONS {
        build.args(["-p", function]);
    }
    run(&mut build)?;
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    let lambda_dir = target.join("lambda");
    for function in FUNCTIONS {
        let bootstrap = lambda_dir.join(function).join("bootstrap.zip");
        let size = std::fs::metadata(&bootstrap)
            .map_err(|e| format!("cargo lambda left no {}: {e}", bootstrap.display()))?
            .len();
        eprintln!(
            "xtask: {function}: {} ({size} bytes zipped)",
            bootstrap.display()
        );
        let unzip = Command::new("unzip")
            .args(["-o", "-q"])
            .arg(&bootstrap)
            .arg("-d")
            .arg(lambda_dir.join(function))
            .status();
        if !unzip.is_ok_and(|s| s.success()) {
            return Err(format!("cannot unzip {}", bootstrap.display()));
        }
    }
    run(Command::new(env!("CARGO"))
        .current_dir(root())
        .env("DORAMETER_ARM64_LAMBDA_DIR", &lambda_dir)
        .args([
            "test",
            "--locked",
            "-p",
            "dorameter-api",
            "--test",
            "runtime_loop",
        ])
        .args([
            "the_arm64_bootstrap_answers_under_qemu_when_built",
            "--",
            "--nocapture",
        ]))
}
