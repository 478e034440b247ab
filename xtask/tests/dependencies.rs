//! The test double is not the product: the Lambda functions and a CLI built without its default
//! `demo` feature hold no `fake-github` (checked on the dependency graph, without building).

use std::path::Path;
use std::process::Command;

/// The crates `cargo tree` lists as normal (non-dev, non-build) dependencies of `package`.
fn normal_dependencies(package: &str, extra: &[&str]) -> String {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(workspace)
        .args(["tree", "--locked", "--edges", "normal", "--prefix", "none"])
        .args(["--package", package])
        .args(extra)
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_lambda_functions_hold_no_fake_github() {
    for function in ["dorameter-api", "dorameter-collector"] {
        let tree = normal_dependencies(function, &[]);
        assert!(tree.contains("cloud v"), "{function}: {tree}");
        assert!(
            !tree.contains("fake-github"),
            "{function} depends on fake-github"
        );
    }
}

#[test]
fn the_cli_holds_the_fake_github_only_for_its_demo_feature() {
    let without = normal_dependencies("cli", &["--no-default-features"]);
    assert!(without.contains("collector v"), "{without}");
    assert!(
        !without.contains("fake-github"),
        "cli --no-default-features: {without}"
    );
    let with = normal_dependencies("cli", &[]);
    assert!(
        with.contains("fake-github"),
        "the demo feature brings the fake"
    );
}
