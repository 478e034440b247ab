//! One function per command.

mod bench;
#[cfg(feature = "demo")]
mod bench_sync;
#[cfg(feature = "demo")]
mod demo;
mod serve;
mod sync;
mod teams;

use crate::config::{BenchCommand, Cli, Command, DatabaseArgs, TeamsCommand};
use anyhow::Context;
use std::process::ExitCode;
use store::Store;

/// Runs the parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Migrate(database) => migrate(&database).await,
        Command::Teams(TeamsCommand::Sync { database, config }) => {
            teams::sync(&database, &config).await
        }
        Command::Teams(TeamsCommand::Validate { config }) => teams::validate(&config),
        Command::Sync(args) => sync::sync(&args).await,
        Command::Serve(args) => serve::serve(&args).await,
        #[cfg(feature = "demo")]
        Command::Demo(args) => demo::demo(&args).await,
        Command::Bench(BenchCommand::Api(args)) => bench::api(&args).await,
        #[cfg(feature = "demo")]
        Command::Bench(BenchCommand::Sync(args)) => bench_sync::sync(&args).await,
    }
}

/// Connects to the database named by `DATABASE_URL` (default: the SQLite file
/// `./dorameter.db`). An embedded SQLite database is migrated on connect, so the local default
/// needs no separate `migrate` step; PostgreSQL is migrated by `dorameter migrate` only.
pub async fn connect(database: &DatabaseArgs) -> anyhow::Result<Store> {
    let store = open(database).await?;
    if store.is_sqlite() {
        store
            .migrate()
            .await
            .with_context(|| format!("while migrating {}", store.target()))?;
    }
    Ok(store)
}

/// Opens the database named by `DATABASE_URL` for a run that writes nothing (a dry run): no
/// migration, nothing created. A database that does not exist yet (no SQLite file, no such
/// PostgreSQL database) is stood in for by an empty in-memory one: it has no sync state, as
/// the real one would not.
pub async fn connect_without_writing(database: &DatabaseArgs) -> anyhow::Result<Store> {
    let existing = Store::connect_existing(database.url(), database.max_connections)
        .await
        .context("while connecting to the database (DATABASE_URL)")?;
    match existing {
        Some(store) => Ok(store),
        None => {
            tracing::info!("the database does not exist yet: the dry run sees no sync state");
            Store::connect("sqlite::memory:", 1)
                .await
                .context("while opening an empty in-memory database for the dry run")
        }
    }
}

/// Opens the database named by `DATABASE_URL` without migrating it.
async fn open(database: &DatabaseArgs) -> anyhow::Result<Store> {
    Store::connect(database.url(), database.max_connections)
        .await
        .context("while connecting to the database (DATABASE_URL)")
}

async fn migrate(database: &DatabaseArgs) -> anyhow::Result<ExitCode> {
    let store = open(database).await?;
    let applied = store.migrate().await.context("while migrating")?;
    if applied.is_empty() {
        println!("database is up to date");
    } else {
        for name in &applied {
            println!("applied {name}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
