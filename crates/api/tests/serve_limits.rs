//! `api::serve` over real TCP: slow or silent clients are cut off, and connections beyond the
//! cap are answered 503 while the others keep being served.

use api::{ApiKeys, AppState, ServeLimits};
use std::time::{Duration, Instant};
use store::Store;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Serves the API (over an empty SQLite database) within `limits`; returns its address.
async fn spawn_server(limits: ServeLimits) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("api.db").display());
    let store = Store::connect(&url, 1).await.expect("open SQLite");
    store.migrate().await.expect("migrate");
    let state = AppState::new(store, ApiKeys::from_comma_separated("k").expect("keys"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address").to_string();
    tokio::spawn(api::serve(
        listener,
        api::router(state),
        limits,
        std::future::pending(),
    ));
    (addr, dir)
}

/// Everything the server sends until it closes the connection, or `None` if it is still open
/// after `within`.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(within, stream.read_to_end(&mut received)).await;
    match read {
        Ok(_) => Some(String::from_utf8_lossy(&received).into_owned()),
        Err(_) => None,
    }
}

async fn health(addr: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await
        .expect("write");
    read_until_closed(&mut stream, Duration::from_secs(5))
        .await
        .expect("answered and closed")
}

fn limits(header_read_timeout: Duration, max_connections: usize) -> ServeLimits {
    ServeLimits {
        header_read_timeout,
        max_connections,
        shutdown_grace: Duration::from_secs(1),
    }
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let (addr, _dir) = spawn_server(limits(Duration::from_millis(500), 8)).await;
    let mut stream = TcpStream::connect(&addr).await.expect("connect");
    stream
        .write_all(b"GET /health HTTP/1.1\r\nhost: x\r\n")
        .await
        .expect("write");
    let started = Instant::now();
    let answer = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(answer.is_some(), "the connection is still open");
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let (addr, _dir) = spawn_server(limits(Duration::from_millis(500), 8)).await;
    let mut stream = TcpStream::connect(&addr).await.expect("connect");
    stream
        .write_all(b"GET /health HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .expect("write");
    let mut first = [0_u8; 12];
    stream.read_exact(&mut first).await.expect("a response");
    assert_eq!(&first, b"HTTP/1.1 200");
    // Kept alive after the response, then closed for sending nothing more.
    let rest = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(rest.is_some(), "the idle connection is still open");
}

#[tokio::test]
async fn connections_beyond_the_cap_get_503_and_the_others_are_served_again_later() {
    let (addr, _dir) = spawn_server(limits(Duration::from_secs(1), 3)).await;
    let mut silent = Vec::new();
    for _ in 0..3 {
        silent.push(TcpStream::connect(&addr).await.expect("connect"));
    }
    // Let the server accept the three before the fourth arrives.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut beyond = TcpStream::connect(&addr).await.expect("connect");
    let answer = read_until_closed(&mut beyond, Duration::from_secs(5))
        .await
        .expect("closed at once");
    assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
    let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
    assert!(
        head.contains(&format!("content-length: {}", body.len())),
        "{answer}"
    );
    let body: serde_json::Value = serde_json::from_str(body).expect("JSON");
    assert_eq!(body["error"]["code"], "unavailable");
    // The silent ones time out and free their slots.
    for mut stream in silent {
        assert!(
            read_until_closed(&mut stream, Duration::from_secs(5))
                .await
                .is_some()
        );
    }
    let answer = health(&addr).await;
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
}
