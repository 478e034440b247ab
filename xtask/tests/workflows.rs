//! The GitHub workflows' supply-chain and safety rules, which actionlint does not enforce:
//! actions pinned to full commit SHAs with the release named, minimal permissions, a concurrency
//! group, no `${{ github.event.* }}` expanded into a shell script, OIDC rather than stored keys
//! for the deployment; and `infra/samconfig.toml` with its three environments.

use serde_yaml_ng::Value;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo().join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn workflows() -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(repo().join(".github/workflows")).expect(".github/workflows") {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).expect("readable workflow");
            let yaml = serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            found.push((name, text, yaml));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(found.len() >= 2, "ci.yml and deploy.yml");
    found
}

fn jobs(workflow: &Value) -> impl Iterator<Item = (&str, &Value)> {
    workflow["jobs"]
        .as_mapping()
        .expect("jobs")
        .iter()
        .map(|(k, v)| (k.as_str().expect("job id"), v))
}

fn steps(job: &Value) -> impl Iterator<Item = &Value> {
    job["steps"].as_sequence().into_iter().flatten()
}

#[test]
fn every_action_is_pinned_to_a_full_commit_sha_with_its_release_named() {
    for (name, text, _) in workflows() {
        for line in text.lines() {
            let Some(uses) = line
                .trim_start()
                .trim_start_matches("- ")
                .strip_prefix("uses:")
            else {
                continue;
            };
            let (reference, comment) = uses.split_once('#').unwrap_or((uses, ""));
            let reference = reference.trim();
            if reference.starts_with("./") {
                continue;
            }
            let (_, sha) = reference
                .split_once('@')
                .unwrap_or_else(|| panic!("{name}: {line}"));
            assert!(
                sha.len() == 40
                    && sha
                        .chars()
                        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
                "{name}: {reference} is not pinned to a commit SHA"
            );
            assert!(
                comment.trim().starts_with('v'),
                "{name}: {reference} does not say which release it is"
            );
        }
    }
}

#[test]
fn workflows_start_from_minimal_permissions_and_serialise_their_runs() {
    for (name, _, workflow) in workflows() {
        let permissions = &workflow["permissions"];
        let minimal = permissions.as_mapping().is_some_and(|m| {
            m.iter()
                .all(|(scope, level)| level.as_str() == Some("read") || scope.as_str().is_none())
        });
        assert!(
            minimal,
            "{name}: top-level permissions must be read-only or empty: {permissions:?}"
        );
        assert!(
            workflow["concurrency"]["group"].is_string(),
            "{name} has no concurrency group"
        );
        for (id, job) in jobs(&workflow) {
            assert!(
                job["timeout-minutes"].is_number(),
                "{name}/{id} has no timeout"
            );
            if let Some(granted) = job["permissions"].as_mapping() {
                for (scope, level) in granted {
                    let allowed = level.as_str() == Some("read")
                        || (scope.as_str() == Some("id-token") && name == "deploy.yml");
                    assert!(allowed, "{name}/{id} grants {scope:?}: {level:?}");
                }
            }
        }
    }
}

#[test]
fn no_run_script_expands_event_data() {
    for (name, _, workflow) in workflows() {
        for (id, job) in jobs(&workflow) {
            for step in steps(job) {
                if let Some(script) = step["run"].as_str() {
                    let script = script.replace("${{ ", "${{");
                    for untrusted in [
                        "github.event.",
                        "github.head_ref",
                        "inputs.",
                        "github.ref_name",
                    ] {
                        assert!(
                            !script.contains(&format!("${{{{{untrusted}")),
                            "{name}/{id}: a run script expands {untrusted}; pass it through env"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn the_deployment_assumes_a_role_through_oidc_and_smoke_tests_the_api() {
    let (_, _, deploy) = workflows()
        .into_iter()
        .find(|(n, _, _)| n == "deploy.yml")
        .expect("deploy.yml");
    let (_, job) = jobs(&deploy).next().expect("a deploy job");
    assert_eq!(job["permissions"]["id-token"].as_str(), Some("write"));
    let credentials = steps(job)
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("aws-actions/configure-aws-credentials@"))
        })
        .expect("configure-aws-credentials");
    assert!(credentials["with"]["role-to-assume"].is_string());
    assert!(
        credentials["with"]["aws-access-key-id"].is_null(),
        "no long-lived keys"
    );
    let scripts: String = steps(job).filter_map(|s| s["run"].as_str()).collect();
    assert!(scripts.contains("sam deploy --config-env"));
    assert!(
        scripts.contains("/health") && scripts.contains("/metrics/team/"),
        "the smoke test"
    );
    assert!(
        scripts.contains("\"$url/\"") && scripts.contains("./assets/"),
        "the smoke test loads the dashboard's page and an asset without a key"
    );
    assert_eq!(
        deploy["concurrency"]["cancel-in-progress"].as_bool(),
        Some(false),
        "never cancel a deployment"
    );
}

#[test]
fn ci_tests_against_postgres_and_uploads_the_arm64_functions() {
    let (_, _, ci) = workflows()
        .into_iter()
        .find(|(n, _, _)| n == "ci.yml")
        .expect("ci.yml");
    let all: Vec<(&str, &Value)> = jobs(&ci).collect();
    assert!(
        all.iter()
            .any(|(_, j)| j["services"]["postgres"]["image"].is_string())
    );
    let scripts: String = all
        .iter()
        .flat_map(|(_, j)| steps(j))
        .filter_map(|s| s["run"].as_str())
        .collect();
    for command in [
        "cargo fmt",
        "cargo clippy",
        "cargo xtask test",
        "cargo xtask infra-check",
        "--arm64",
        "cargo audit",
        "cargo deny",
    ] {
        assert!(scripts.contains(command), "ci.yml runs no {command}");
    }
    let uploads = all.iter().flat_map(|(_, j)| steps(j)).any(|s| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
    });
    assert!(uploads, "the ARM64 build is uploaded");
}

#[test]
fn samconfig_deploys_dev_staging_and_prod_as_separate_stacks() {
    let samconfig = read("infra/samconfig.toml");
    for environment in ["dev", "staging", "prod"] {
        assert!(
            samconfig.contains(&format!("[{environment}.deploy.parameters]")),
            "{environment}"
        );
        assert!(
            samconfig.contains(&format!("stack_name = \"dorameter-{environment}\"")),
            "{environment}"
        );
        assert!(
            samconfig.contains(&format!("Environment={environment}")),
            "{environment}"
        );
    }
}
