//! `dorameter`: the command line. Parses configuration, builds clients and calls library code;
//! nothing here is worth testing on its own beyond what the end-to-end tests do.

mod commands;
mod config;
#[cfg(feature = "demo")]
mod demo_org;
mod logging;

use clap::Parser;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match config::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            if let Some(variable) = config::env_source_of_refused_value(&error) {
                eprintln!(
                    "error: the environment variable {variable} holds a value dorameter cannot use (details below)"
                );
            }
            error.exit()
        }
    };
    logging::init(cli.log_format);
    match commands::run(cli).await {
        Ok(code) => code,
        Err(error) => {
            // `{:#}` prints the whole context chain on one line: "while …: cause".
            eprintln!("error: {error:#}");
            tracing::error!(error = format!("{error:#}"), "command failed");
            ExitCode::FAILURE
        }
    }
}
