//! `dorameter bench api`: placeholder until the store exposes its bulk loader.

use crate::config::BenchApiArgs;
use std::process::ExitCode;

pub async fn api(_args: &BenchApiArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not yet implemented")
}
