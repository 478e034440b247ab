//! Serving the [`crate::router`] over TCP (`dorameter serve`) with bounds a client cannot
//! stretch: request headers must arrive within a timeout (which also closes an idle keep-alive
//! connection, as hyper starts it when it waits for the next request), and at most so many
//! connections are open at once; one beyond the cap gets a `503` and is closed at once, so a
//! crowd of silent connections can never starve the others of sockets for long.

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

/// Bounds on the connections a server accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeLimits {
    /// Time a client has to send a request's headers, counted from when the connection is
    /// ready for a request: after accept, and after each response on a kept-alive connection
    /// (so it is the idle keep-alive timeout too).
    pub header_read_timeout: Duration,
    /// Connections open at once; the next is answered `503` and closed.
    pub max_connections: usize,
    /// How long a shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
}

impl Default for ServeLimits {
    /// 10 s for headers (and idle keep-alive), 512 connections, 30 s of grace at shutdown.
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 512,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// What a connection beyond the cap is told before it is closed.
const OVER_CAPACITY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: 82\r\nconnection: close\r\nretry-after: 1\r\n\r\n{\"error\":{\"code\":\"unavailable\",\"message\":\"too many connections, try again later\"}}";

/// Serves `app` on `listener` within `limits` until `shutdown` completes, then lets the
/// requests in flight finish (up to `limits.shutdown_grace`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopping) = watch::channel(false);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // wait a moment rather than spin.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            refuse(&stream);
            continue;
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |request| app.clone().oneshot(request));
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            tokio::pin!(connection);
            let stop_requested = tokio::select! {
                _ = connection.as_mut() => false,
                stop = stopping.wait_for(|stop| *stop) => stop.is_ok(),
            };
            if stop_requested {
                connection.as_mut().graceful_shutdown();
                let _ = connection.await;
            }
            drop(slot);
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(limits.shutdown_grace, slots.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight at the end of the shutdown grace period");
    }
}

/// Tells a connection beyond the cap to come back later, without waiting on it: a fresh
/// socket's send buffer takes the short answer at once, and if not, closing says enough.
fn refuse(stream: &TcpStream) {
    tracing::warn!("connection refused: too many open connections");
    let _ = stream.try_write(OVER_CAPACITY);
}
