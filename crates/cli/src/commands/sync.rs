//! `dorameter sync`: one collector run.

use super::{connect, connect_without_writing};
use crate::config::SyncArgs;
use anyhow::Context;
use chrono::Utc;
use collector::SyncSummary;
use std::process::ExitCode;

/// Exit status of a run the time budget cut short (the next run resumes).
const EXIT_INCOMPLETE: u8 = 2;

pub async fn sync(args: &SyncArgs) -> anyhow::Result<ExitCode> {
    let now = Utc::now();
    let settings = args.sync_settings(now)?;
    let count = settings.repositories.len();
    let github = args.github.client(args.concurrency)?;
    let store = if args.dry_run {
        connect_without_writing(&args.database).await?
    } else {
        connect(&args.database).await?
    };
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
