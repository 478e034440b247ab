//! `dorameter demo`: generates the synthetic organisation of [`crate::demo_org`], serves its PRs
//! from an in-process fake GitHub, loads them with the real collector (`collector::run_sync`)
//! into an in-memory SQLite database, then serves the API and dashboard until Ctrl-C.

use super::serve::shutdown_signal;
use crate::config::DemoArgs;
use crate::demo_org;
use anyhow::{Context, bail};
use chrono::{Duration, Utc};
use collector::{Backfill, SyncSettings, run_sync};
use fake_github::{FakeGithub, FakeGithubConfig};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

/// The token the fake GitHub requires and the client sends (both in this process).
const TOKEN: &str = "demo-token";

pub async fn demo(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    // One key: it is printed for the user to paste, so a list would print as a key that fails.
    let key = args.api_key.trim();
    if key.is_empty() || key.contains(',') {
        bail!(
            "--api-key must be one non-empty key without commas, got {:?}",
            args.api_key
        );
    }
    let until = args.until.unwrap_or_else(|| Utc::now().date_naive());
    let org = demo_org::generate(args.seed, until);
    let teams = domain::TeamConfig::from_json(&org.config_json)
        .context("while validating the generated team config")?;

    // A fresh database every run: nothing is written to disk.
    let store = store::Store::connect("sqlite::memory:", 1)
        .await
        .context("while opening the in-memory SQLite database")?;
    store.migrate().await.context("while migrating")?;

    let fake = FakeGithub::start(FakeGithubConfig {
        token: Some(TOKEN.into()),
        rate_limit: 1_000_000,
        ..FakeGithubConfig::default()
    })
    .await
    .context("starting the in-process fake GitHub")?;
    let mut repositories = Vec::new();
    for (name, pulls) in org.pulls {
        fake.set_pulls(&name, pulls);
        repositories.push(name);
    }
    let mut config = github::GithubConfig::new(fake.base_url(), TOKEN.to_owned().into());
    config.rate_limit_reserve = 0;
    let github = github::GithubClient::new(config).context("building the GitHub client")?;
    let mut settings = SyncSettings::new(repositories, org.end);
    settings.backfill = Backfill::Full;
    settings.budget = std::time::Duration::from_secs(600);
    let summary = run_sync(&store, &github, &teams, &settings)
        .await
        .context("while loading the demo data through the collector")?;
    if !summary.complete {
        bail!("the demo sync did not complete: {summary:?}");
    }
    tracing::info!(
        prs = summary.prs_upserted,
        requests = summary.requests,
        "demo data loaded through the collector"
    );

    // The API's "today" is the last day of the data, so its output depends on --seed and
    // --until only.
    let now = org.end - Duration::hours(12);
    let api_keys =
        api::ApiKeys::from_comma_separated(key).context("--api-key must not be empty")?;
    let state = api::AppState {
        store,
        api_keys: Arc::new(api_keys),
        clock: Arc::new(move || now),
    };
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {} (--addr)", args.addr))?;
    let addr = listener.local_addr()?;
    // The same machine-readable first line as `serve`, with what a person needs to log in.
    println!(
        "{}",
        serde_json::json!({
            "listening": format!("http://{addr}"),
            "dashboard": format!("http://{addr}/"),
            "api_key": key,
            "seed": args.seed,
            "until": until.to_string(),
            "pull_requests": summary.prs_upserted,
            "ready_ms": started.elapsed().as_millis() as u64,
        })
    );
    eprintln!("dorameter demo: open http://{addr}/ and enter the API key {key:?} (Ctrl-C to stop)");
    axum::serve(listener, api::router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("while serving")?;
    drop(fake);
    Ok(ExitCode::SUCCESS)
}
