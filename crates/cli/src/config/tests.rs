//! The CLI and the collector Lambda read the same variables through the same definitions
//! (`collector::settings`): fed one environment, they must resolve one run.

use super::*;
use clap::{CommandFactory, FromArgMatches};
use cloud::{CollectorSettings, Vars};

/// `dorameter sync`'s settings with exactly these variables. clap reads variables when the
/// command is built, so each one is handed over as its flag (`--since=…`, the same parse path
/// as an environment value) with every variable of the process environment detached.
fn cli_run(env: &[(&str, &str)], now: DateTime<Utc>) -> anyhow::Result<String> {
    let detach = |command: clap::Command| command.mut_args(|arg| arg.env(None));
    let command = detach(Cli::command()).mut_subcommand("sync", detach);
    let sync = command.find_subcommand("sync").expect("a sync subcommand");
    let mut argv = vec!["dorameter".to_owned(), "sync".to_owned()];
    for arg in Cli::command()
        .find_subcommand("sync")
        .expect("a sync subcommand")
        .get_arguments()
    {
        let (Some(var), Some(long)) = (arg.get_env(), arg.get_long()) else {
            continue;
        };
        // The last value of a variable wins, as in the Lambda's `Vars`.
        if let Some((_, value)) = env.iter().rev().find(|(name, _)| var == *name) {
            argv.push(format!("--{long}={value}"));
        }
    }
    assert!(sync.get_arguments().all(|arg| arg.get_env().is_none()));
    let matches = command.try_get_matches_from(argv)?;
    let Command::Sync(args) = Cli::from_arg_matches(&matches)?.command else {
        unreachable!("parsed as sync");
    };
    let settings = args.sync_settings(now)?;
    let github = args
        .github
        .config("token".to_owned().into(), args.concurrency);
    Ok(format!("{settings:?}\n{github:?}"))
}

/// The Lambda's settings with exactly these variables, for a run without a deadline.
fn lambda_run(env: &[(&str, &str)], now: DateTime<Utc>) -> anyhow::Result<String> {
    let settings = CollectorSettings::from_vars(&Vars::from_pairs(env.iter().copied()))?;
    let budget = settings.budget(None, std::time::SystemTime::now());
    let sync = settings.sync_settings(budget, now)?;
    let github = settings.github_config("token".to_owned().into());
    Ok(format!("{sync:?}\n{github:?}"))
}

#[test]
fn the_cli_and_the_lambda_resolve_the_same_environment_alike() {
    let now = Utc::now();
    let repositories = ("REPOSITORIES", "acme/widgets, acme/gadgets");
    let cases: &[&[(&str, &str)]] = &[
        &[],
        &[("SYNC_SINCE", "full")],
        &[("SYNC_SINCE", "30d"), ("SYNC_OVERLAP", "2h")],
        &[("SYNC_SINCE", "2025-01-01"), ("SYNC_BUDGET", "5m")],
        &[("SYNC_SINCE", "2024-02-29T12:00:00+02:00")],
        &[("SYNC_SINCE", "  "), ("SYNC_CONCURRENCY", "0")],
        &[("SYNC_CONCURRENCY", "2"), ("GITHUB_MAX_ATTEMPTS", "3")],
        &[
            ("GITHUB_API_URL", "https://ghe.example.com/api/v3"),
            ("GITHUB_REQUEST_TIMEOUT", "5s"),
            ("GITHUB_RETRY_BASE_DELAY", "250ms"),
            ("GITHUB_SECONDARY_RATE_LIMIT_WAIT", "2m"),
        ],
    ];
    for case in cases {
        let env: Vec<_> = std::iter::once(repositories)
            .chain(case.iter().copied())
            .collect();
        let cli = cli_run(&env, now).unwrap_or_else(|e| panic!("CLI refused {env:?}: {e:#}"));
        let lambda =
            lambda_run(&env, now).unwrap_or_else(|e| panic!("Lambda refused {env:?}: {e:#}"));
        assert_eq!(cli, lambda, "{env:?}");
    }
}

#[test]
fn the_cli_and_the_lambda_refuse_the_same_environment() {
    let now = Utc::now();
    for (var, value) in [
        ("SYNC_SINCE", "2999-01-01"),
        ("SYNC_SINCE", "100000000d"),
        ("SYNC_SINCE", "sometime"),
        ("SYNC_OVERLAP", "100000000d"),
        ("SYNC_BUDGET", "300000000000y"),
        ("SYNC_CONCURRENCY", "many"),
        ("GITHUB_REQUEST_TIMEOUT", "300000000000y"),
        ("REPOSITORIES", "not-a-repository"),
    ] {
        let env = [("REPOSITORIES", "acme/widgets"), (var, value)];
        let cli = cli_run(&env, now).expect_err("the CLI accepted it");
        let lambda = lambda_run(&env, now).expect_err("the Lambda accepted it");
        let lambda = lambda.to_string();
        assert!(lambda.starts_with(&format!("{var} is invalid")), "{lambda}");
        // clap names the flag (the binary adds the variable it came from).
        let cli = format!("{cli:#}");
        let flag = Cli::command()
            .find_subcommand("sync")
            .and_then(|sync| {
                let arg = sync
                    .get_arguments()
                    .find(|a| a.get_env() == Some(var.as_ref()))?;
                Some(format!("--{}", arg.get_long()?))
            })
            .expect("a flag for the variable");
        assert!(cli.contains(var) || cli.contains(&flag), "{cli}");
    }
}
