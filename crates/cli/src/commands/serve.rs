//! `dorameter serve`: the API over TCP until Ctrl-C or SIGTERM.

use super::connect;
use crate::config::ServeArgs;
use anyhow::Context;
use std::process::ExitCode;

pub async fn serve(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let api_keys = args.api_keys()?;
    let store = connect(&args.database).await?;
    let app = api::router(api::AppState::new(store, api_keys));
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {} (LISTEN_ADDR / --addr)", args.addr))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "serving the API");
    // One machine-readable line on stdout, so scripts and tests can find an ephemeral port.
    println!(
        "{}",
        serde_json::json!({ "listening": format!("http://{addr}") })
    );
    api::serve(
        listener,
        app,
        api::ServeLimits::default(),
        shutdown_signal(),
    )
    .await;
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
