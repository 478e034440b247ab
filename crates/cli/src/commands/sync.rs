//! `dorameter sync`: one collector run.

use super::connect;
use crate::config::SyncArgs;
use anyhow::{Context, bail};
use chrono::{Duration as Span, Utc};
use collector::{Backfill, SyncSettings};
use std::process::ExitCode;

/// Exit status of a run the time budget cut short (the next run resumes).
const EXIT_INCOMPLETE: u8 = 2;

/// Parses `--since`: a duration back from now, or a day / instant.
fn backfill(args: &SyncArgs) -> anyhow::Result<Backfill> {
    if args.full {
        return Ok(Backfill::Full);
    }
    let now = Utc::now();
    if let Some(t) = domain::time::parse_config_instant(&args.since) {
        return Ok(Backfill::Since(t));
    }
    let back = humantime::parse_duration(&args.since).with_context(|| {
        format!(
            "SYNC_SINCE / --since {:?}: expected a duration like 365d or a date like 2025-01-01",
            args.since
        )
    })?;
    let back = Span::from_std(back).context("SYNC_SINCE / --since is too long")?;
    Ok(Backfill::Since(now - back))
}

pub async fn sync(args: &SyncArgs) -> anyhow::Result<ExitCode> {
    let teams = args.config.load()?;
    let repositories: Vec<String> = args
        .repositories
        .iter()
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
        .collect();
    if repositories.is_empty() {
        bail!(
            "REPOSITORIES is not set: set it (or pass --repositories) to comma-separated owner/name"
        );
    }
    for repository in &repositories {
        collector::normalize_repository(repository)?;
    }
    let github = args.github.client(args.concurrency)?;
    let store = connect(&args.database).await?;
    let mut settings = SyncSettings::new(repositories, Utc::now());
    settings.backfill = backfill(args)?;
    settings.overlap = Span::from_std(args.overlap).context("SYNC_OVERLAP is too long")?;
    settings.budget = args.budget;
    settings.concurrency = args.concurrency.max(1);
    settings.dry_run = args.dry_run;
    let summary = collector::run_sync(&store, &github, &teams, &settings).await?;
    println!("{}", serde_json::to_string(&summary).context("summary")?);
    for failure in summary
        .details
        .iter()
        .filter_map(|d| d.error.as_ref().map(|e| (&d.repository, e)))
    {
        eprintln!("error: {}: {}", failure.0, failure.1);
    }
    Ok(if summary.complete {
        ExitCode::SUCCESS
    } else if summary.failed.is_empty() {
        ExitCode::from(EXIT_INCOMPLETE)
    } else {
        ExitCode::FAILURE
    })
}
