//! `dorameter bench api`: loads a large synthetic organisation into an empty database, serves the
//! API on a loopback port, and measures request latency against a `SELECT 1` baseline taken in
//! the same run; then times an attribution recompute after a membership edit.

use super::connect;
use crate::config::BenchApiArgs;
use anyhow::{Context, bail};
use serde_json::json;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use store::bench::{SeedSpec, seed, time_recompute_after_membership_edit};

const BENCH_KEY: &str = "bench-key";

/// p50 / p99 / max of a set of latencies, in milliseconds.
fn summarize(mut samples: Vec<Duration>) -> serde_json::Value {
    samples.sort();
    let ms = |d: Duration| (d.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0;
    let at = |q: f64| {
        let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples.get(i).copied().map(ms).unwrap_or(0.0)
    };
    json!({ "p50_ms": at(0.5), "p99_ms": at(0.99), "max_ms": samples.last().copied().map(ms), "n": samples.len() })
}

pub async fn api(args: &BenchApiArgs) -> anyhow::Result<ExitCode> {
    let store = connect(&args.database).await?;
    store.migrate().await.context("while migrating")?;
    if !store.load_team_config().await?.teams.is_empty() {
        bail!(
            "bench api needs an empty database (it loads synthetic data): point DATABASE_URL at a throwaway one"
        );
    }
    let spec = SeedSpec::new(args.prs as u64, args.teams, args.members);
    eprintln!(
        "loading {} PRs, {} teams, {} members…",
        args.prs, args.teams, args.members
    );
    let seeded = seed(&store, &spec)
        .await
        .context("while loading synthetic data")?;

    let state = api::AppState::new(
        store.clone(),
        api::ApiKeys::from_comma_separated(BENCH_KEY).context("bench key")?,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, api::router(state)).await });
    let http = reqwest::Client::new();

    // A one-year range in the middle of the generated data.
    let (from, to) = ("2024-07-01", "2025-06-30");
    let teams: Vec<String> = seeded
        .config
        .teams
        .iter()
        .map(|t| t.id.to_string())
        .collect();
    let measure = async |route: &str| -> anyhow::Result<serde_json::Value> {
        let mut samples = Vec::with_capacity(args.requests);
        for i in 0..args.requests + 20 {
            let team = &teams[i % teams.len().max(1)];
            let url = format!("{base}/metrics/team/{team}/{route}?from={from}&to={to}");
            let started = Instant::now();
            let response = http.get(&url).header("x-api-key", BENCH_KEY).send().await?;
            let status = response.status();
            response.bytes().await?;
            if !status.is_success() {
                bail!("{url} answered {status}");
            }
            // The first requests warm the pool and caches.
            if i >= 20 {
                samples.push(started.elapsed());
            }
        }
        Ok(summarize(samples))
    };
    let velocity = measure("velocity").await?;
    let lead_time = measure("lead-time").await?;
    let mut baseline = Vec::with_capacity(args.requests);
    for _ in 0..args.requests {
        let started = Instant::now();
        store.ping().await?;
        baseline.push(started.elapsed());
    }
    let baseline = summarize(baseline);
    let recompute = time_recompute_after_membership_edit(&store, &seeded.config).await?;
    let ratio = |v: &serde_json::Value, key: &str| {
        let b = baseline[key].as_f64().unwrap_or(0.0);
        v[key].as_f64().map(|x| {
            if b > 0.0 {
                (x / b * 10.0).round() / 10.0
            } else {
                0.0
            }
        })
    };
    let report = json!({
        "data": { "pull_requests": seeded.pull_requests, "attributions": seeded.attributions,
                  "teams": args.teams, "members": args.members, "range": [from, to] },
        "load_seconds": seeded.load.as_secs_f64(),
        "initial_attribution_seconds": seeded.attribute.as_secs_f64(),
        "select_1": baseline,
        "velocity": velocity,
        "lead_time": lead_time,
        "p99_vs_select_1": { "velocity": ratio(&velocity, "p99_ms"), "lead_time": ratio(&lead_time, "p99_ms") },
        "membership_edit_sync_seconds": recompute.sync_edit.as_secs_f64(),
        "full_recompute_seconds": recompute.full_recompute.as_secs_f64(),
    });
    println!("{report}");
    Ok(ExitCode::SUCCESS)
}
