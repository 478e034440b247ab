//! Loads synthetic data into a fresh test database (default 1,000,000 PRs, 100 teams, 2,000
//! members), then times a membership edit with its recompute, a full attribution recompute, and
//! one-year `attributed_prs` reads against a `SELECT 1` baseline.
//!
//! Set `BENCH_KEEP_DB=1` to keep the database for inspection.
//!
//! `cargo run -p store --features testing --release --example bench_recompute -- [PRS TEAMS MEMBERS]`

use chrono::{Duration, TimeZone, Utc};
use std::time::{Duration as Elapsed, Instant};
use store::bench::{SeedSpec, seed, time_recompute_after_membership_edit};
use store::testing::TestDatabase;

fn arg(n: usize, default: u64) -> u64 {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Elapsed], p: f64) -> Elapsed {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

#[tokio::main]
async fn main() -> Result<(), store::StoreError> {
    let spec = SeedSpec::new(
        arg(1, 1_000_000),
        arg(2, 100) as usize,
        arg(3, 2_000) as usize,
    );
    let (db, store) = TestDatabase::migrated_store().await;
    if std::env::var_os("BENCH_KEEP_DB").is_some() {
        println!("keeping database {}", db.name);
        std::mem::forget(db);
    }
    let seeded = seed(&store, &spec).await?;
    println!(
        "seeded {} PRs, {} attributions: load {:?}, full attribution {:?}, vacuum {:?}",
        seeded.pull_requests, seeded.attributions, seeded.load, seeded.attribute, seeded.vacuum
    );
    let timings = time_recompute_after_membership_edit(&store, &seeded.config).await?;
    println!(
        "membership edit (sync + recompute of the login): {:?}; full recompute: {:?} ({} rows)",
        timings.sync_edit, timings.full_recompute, timings.rows
    );

    let start = Utc
        .with_ymd_and_hms(2024, 7, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let end = start + Duration::days(365);
    let teams: Vec<String> = seeded
        .config
        .teams
        .iter()
        .map(|t| t.id.to_string())
        .collect();
    let mut reads = Vec::new();
    let mut pings = Vec::new();
    let mut rows = 0;
    for i in 0..500 {
        let team = &teams[i % teams.len()];
        let t = Instant::now();
        let prs = store.attributed_prs(team, start, end).await?;
        let _ = domain::weekly_velocity(&prs);
        reads.push(t.elapsed());
        rows += prs.len();
        let t = Instant::now();
        store.ping().await?;
        pings.push(t.elapsed());
    }
    reads.sort();
    pings.sort();
    println!(
        "1-year attributed_prs + weekly_velocity: p50 {:?} p99 {:?} (avg {} rows); SELECT 1: p50 {:?} p99 {:?}",
        percentile(&reads, 0.5),
        percentile(&reads, 0.99),
        rows / reads.len(),
        percentile(&pings, 0.5),
        percentile(&pings, 0.99)
    );
    Ok(())
}
