//! Secrets through moto's server (Secrets Manager on 127.0.0.1): created, read once and cached,
//! rotated and refreshed, and the errors that name what is missing without showing a value.

use cloud::testing::MotoServer;
use cloud::{Aws, Refreshed, SecretSource, Secrets, Vars};
use secrecy::ExposeSecret;
use std::sync::Arc;
use std::time::Duration;

fn secrets(vars: Vec<(String, String)>) -> Secrets {
    let vars = Vars::from_pairs(vars);
    Secrets::new(vars.clone(), Arc::new(Aws::new(vars)))
}

#[tokio::test]
async fn a_secret_is_fetched_once_then_refreshed_after_rotation() {
    let moto = MotoServer::start();
    let arn = moto
        .create_secret("dorameter/github-token", "ghp_first")
        .await;
    let mut vars = moto.vars();
    vars.push(("GITHUB_TOKEN_SECRET_ARN".into(), arn.clone()));
    vars.push(("GITHUB_TOKEN".into(), "plain-loses".into()));
    let secrets = secrets(vars);

    let first = secrets.get("GITHUB_TOKEN", "a token").await.expect("read");
    let cached = secrets
        .get("GITHUB_TOKEN", "a token")
        .await
        .expect("cached");
    let unchanged = secrets.refresh("GITHUB_TOKEN", Duration::ZERO).await;
    moto.rotate_secret(&arn, "ghp_second").await;
    let too_soon = secrets
        .refresh("GITHUB_TOKEN", Duration::from_secs(3600))
        .await;
    let rotated = secrets.refresh("GITHUB_TOKEN", Duration::ZERO).await;
    let after = secrets.get("GITHUB_TOKEN", "a token").await.expect("read");

    assert_eq!(secrets.source("GITHUB_TOKEN"), SecretSource::Manager(arn));
    assert_eq!(first.expose_secret(), "ghp_first");
    assert_eq!(cached.expose_secret(), "ghp_first");
    assert!(matches!(unchanged, Ok(Refreshed::Unchanged)));
    assert!(matches!(too_soon, Ok(Refreshed::Skipped)));
    assert!(matches!(rotated, Ok(Refreshed::Changed(ref v)) if v.expose_secret() == "ghp_second"));
    assert_eq!(after.expose_secret(), "ghp_second");
    assert_eq!(secrets.fetches(), 3);
}

#[tokio::test]
async fn plain_variables_need_no_aws_and_cannot_be_refreshed() {
    let secrets = secrets(vec![("API_KEYS".into(), "k1,k2".into())]);

    let keys = secrets.get("API_KEYS", "keys").await.expect("plain");
    let refreshed = secrets.refresh("API_KEYS", Duration::ZERO).await;

    assert_eq!(keys.expose_secret(), "k1,k2");
    assert!(matches!(refreshed, Ok(Refreshed::Skipped)));
    assert_eq!(secrets.fetches(), 0);
}

#[tokio::test]
async fn missing_secrets_name_the_variables_and_unknown_arns_the_arn() {
    let moto = MotoServer::start();
    let mut vars = moto.vars();
    vars.push(("DATABASE_URL_SECRET_ARN".into(), "dorameter/nope".into()));
    let secrets = secrets(vars);

    let missing = secrets
        .get("GITHUB_TOKEN", "a token")
        .await
        .expect_err("missing");
    let unknown = secrets
        .get("DATABASE_URL", "a URL")
        .await
        .expect_err("unknown");

    assert!(
        missing.to_string().contains("GITHUB_TOKEN_SECRET_ARN"),
        "{missing}"
    );
    assert!(unknown.to_string().contains("dorameter/nope"), "{unknown}");
}
