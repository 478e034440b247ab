//! `dorameter sync`: one collector run.

use super::{connect, connect_without_writing};
use crate::config::SyncArgs;
use anyhow::{Context, bail};
use chrono::{DateTime, Duration as Span, Utc};
use collector::{Backfill, SyncSettings, SyncSummary};
use std::process::ExitCode;

/// Exit status of a run the time budget cut short (the next run resumes).
const EXIT_INCOMPLETE: u8 = 2;

/// Parses `--since`: a duration back from `now`, or a day / instant not after `now`.
fn backfill(args: &SyncArgs, now: DateTime<Utc>) -> anyhow::Result<Backfill> {
    if args.full {
        return Ok(Backfill::Full);
    }
    let since = match domain::time::parse_config_instant(&args.since) {
        Some(t) => t,
        None => {
            let back = humantime::parse_duration(&args.since).with_context(|| {
                format!(
                    "SYNC_SINCE / --since {:?}: expected a duration like 365d or a date like 2025-01-01",
                    args.since
                )
            })?;
            now - Span::from_std(back).context("SYNC_SINCE / --since is too long")?
        }
    };
    if since > now {
        bail!(
            "SYNC_SINCE / --since {:?} is in the future ({since}); give a past date or a duration like 365d",
            args.since
        );
    }
    Ok(Backfill::Since(since))
}

pub async fn sync(args: &SyncArgs) -> anyhow::Result<ExitCode> {
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
    let now = Utc::now();
    let backfill = backfill(args, now)?;
    let github = args.github.client(args.concurrency)?;
    let store = if args.dry_run {
        connect_without_writing(&args.database).await?
    } else {
        connect(&args.database).await?
    };
    let count = repositories.len();
    let mut settings = SyncSettings::new(repositories, now);
    settings.backfill = backfill;
    settings.overlap = Span::from_std(args.overlap).context("SYNC_OVERLAP is too long")?;
    settings.budget = args.budget;
    settings.concurrency = args.concurrency.max(1);
    settings.dry_run = args.dry_run;
    // A run that cannot start still prints its summary line (with `error`), for whatever
    // reads it; the message goes to stderr too.
    let summary = match args.config.load() {
        Err(error) => SyncSummary::not_started(None, count, args.dry_run, format!("{error:#}")),
        Ok(teams) => match collector::run_sync(&store, &github, &teams, &settings).await {
            Ok(summary) => summary,
            Err(failed) => {
                let error = anyhow::Error::new(failed.error);
                SyncSummary::not_started(
                    Some(failed.run_id),
                    count,
                    args.dry_run,
                    format!("{error:#}"),
                )
            }
        },
    };
    println!("{}", serde_json::to_string(&summary).context("summary")?);
    if let Some(error) = &summary.error {
        eprintln!("error: {error}");
    }
    for failure in summary
        .details
        .iter()
        .filter_map(|d| d.error.as_ref().map(|e| (&d.repository, e)))
    {
        eprintln!("error: {}: {}", failure.0, failure.1);
    }
    Ok(if summary.complete {
        ExitCode::SUCCESS
    } else if summary.failed.is_empty() && summary.error.is_none() {
        ExitCode::from(EXIT_INCOMPLETE)
    } else {
        ExitCode::FAILURE
    })
}
