//! Start-up of a function process: the rustls crypto provider (aws-lc-rs, installed once so
//! every TLS client agrees) and JSON logs on stdout for CloudWatch Logs, level from `RUST_LOG`.
//! Each line lists its spans: the runtime's per-invocation span carries the Lambda `requestId`,
//! the collector's `sync` span the `run_id`.

use tracing_subscriber::EnvFilter;

/// Installs the crypto provider and the log subscriber. Safe to call more than once.
pub fn init() {
    // Err means a provider is already installed, which is just as good.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stdout)
        .with_ansi(false)
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(true)
        .with_target(false)
        .try_init();
}
