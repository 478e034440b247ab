//! `dorameter bench sync`: the collector against an in-process fake GitHub serving N PRs over R
//! repositories, into an empty database. Reports GitHub requests of a first sync against the
//! floor Σ ceil(PRs/100), requests of a no-change sync, and ingest rate against a dry run (the
//! same fetches without writing) measured in the same run.

use super::connect;
use crate::config::BenchSyncArgs;
use anyhow::{Context, bail};
use chrono::{Duration, TimeZone, Utc};
use collector::{Backfill, SyncSettings, run_sync};
use fake_github::{FakeGithub, FakeGithubConfig, FakePull, FakeUser};
use serde_json::json;
use std::process::ExitCode;

const TOKEN: &str = "bench-token";

fn pulls(repo: u64, n: u64) -> Vec<FakePull> {
    let start = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    (1..=n)
        .map(|number| {
            let created = start + Duration::minutes((number * 37 + repo) as i64);
            let merged = created + Duration::minutes((60 + (number * 7919) % 10_000) as i64);
            let login = format!("dev{:03}", (number * 31 + repo) % 200);
            let mut pull = FakePull::merged(
                number,
                Some(FakeUser::user(&login, number)),
                created,
                merged,
            );
            pull.id = repo * 10_000_000 + number;
            pull
        })
        .collect()
}

pub async fn sync(args: &BenchSyncArgs) -> anyhow::Result<ExitCode> {
    let store = connect(&args.database).await?;
    // The ingest goal (≥ 20,000 PRs/s) is for PostgreSQL, the production backend; SQLite
    // figures are not comparable with it.
    if store.is_sqlite() {
        eprintln!(
            "warning: bench sync is running on SQLite ({}); its ingest goal is for PostgreSQL: \
             set DATABASE_URL=postgres://… to measure it",
            store.target()
        );
        tracing::warn!(
            target = store.target(),
            "bench sync on SQLite, not PostgreSQL"
        );
    }
    store.migrate().await.context("while migrating")?;
    if store.repo_sync_state("bench/repo-000").await?.is_some() {
        bail!("bench sync needs an empty database: point DATABASE_URL at a throwaway one");
    }
    let fake = FakeGithub::start(FakeGithubConfig {
        token: Some(TOKEN.into()),
        rate_limit: 1_000_000,
        ..FakeGithubConfig::default()
    })
    .await
    .context("starting the fake GitHub")?;
    let per_repo = args.prs / args.repositories.max(1);
    let mut repositories = Vec::new();
    let mut floor = 0;
    for r in 0..args.repositories {
        let name = format!("bench/repo-{r:03}");
        fake.set_pulls(&name, pulls(r, per_repo));
        floor += per_repo.div_ceil(100);
        repositories.push(name);
    }
    let total = per_repo * args.repositories;
    // A team of the 200 synthetic developers, so every PR is attributed.
    let members: Vec<String> = (0..200)
        .map(|i| format!(r#"{{"github":"dev{i:03}","joined_at":"2020-01-01"}}"#))
        .collect();
    let teams = domain::TeamConfig::from_json(&format!(
        r#"{{"teams":[{{"id":"bench","members":[{}]}}]}}"#,
        members.join(",")
    ))?;
    let mut config = github::GithubConfig::new(fake.base_url(), TOKEN.to_owned().into());
    config.rate_limit_reserve = 0;
    let github = github::GithubClient::new(config)?;
    let mut settings = SyncSettings::new(repositories, Utc::now());
    settings.backfill = Backfill::Full;
    settings.budget = std::time::Duration::from_secs(3600);

    settings.dry_run = true;
    let dry = run_sync(&store, &github, &teams, &settings).await?;
    settings.dry_run = false;
    let first = run_sync(&store, &github, &teams, &settings).await?;
    let second = run_sync(&store, &github, &teams, &settings).await?;
    if !(first.complete && second.complete) {
        bail!("a bench run did not complete: {first:?}");
    }
    let rate = |prs: u64, seconds: f64| (prs as f64 / seconds.max(1e-9)).round();
    let ingest_rate = rate(first.prs_upserted, first.duration_seconds);
    let fetch_rate = rate(dry.prs_fetched, dry.duration_seconds);
    let report = json!({
        "database": if store.is_sqlite() { "sqlite" } else { "postgresql" },
        "prs": total,
        "repositories": args.repositories,
        "first_sync": {
            "requests": first.requests,
            "floor_requests": floor,
            "requests_vs_floor": (first.requests as f64 / floor.max(1) as f64 * 1000.0).round() / 1000.0,
            "prs_upserted": first.prs_upserted,
            "seconds": first.duration_seconds,
            "ingest_prs_per_second": ingest_rate,
        },
        "dry_run_baseline": { "seconds": dry.duration_seconds, "fetch_prs_per_second": fetch_rate },
        "ingest_vs_fetch_only": (ingest_rate / fetch_rate.max(1.0) * 1000.0).round() / 1000.0,
        "no_change_sync": {
            "requests": second.requests,
            "not_modified": second.not_modified,
            "requests_per_repository": second.requests as f64 / args.repositories.max(1) as f64,
        },
    });
    println!("{report}");
    Ok(ExitCode::SUCCESS)
}
