//! The token never appears in logs, whatever happens: every event of the client (and of the
//! libraries under it, at TRACE level) is captured while it meets a 401, retries and rate limits.

mod common;

use common::{TOKEN, client, config, fake, first, merged};
use fake_github::{FakeGithubConfig, Fault};
use github::{GithubConfig, SecretString};
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_token_is_never_logged() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let fake = fake(FakeGithubConfig::default()).await;
    fake.set_pulls("acme/widgets", merged(3));
    fake.inject(Fault::ServerError(502), 1);
    fake.inject(Fault::secondary_rate_limit(), 1);
    fake.inject(Fault::MalformedJson, 1);
    let good = client(GithubConfig {
        secondary_rate_limit_wait: std::time::Duration::from_millis(10),
        ..config(&fake)
    });
    let _ = first(&good, "acme/widgets", None).await; // 502, secondary (1 s), malformed
    let _ = first(&good, "acme/widgets", None).await;
    let wrong = "ghp_wrong_token_for_logging_test";
    let bad = client(GithubConfig {
        token: SecretString::from(wrong),
        ..config(&fake)
    });
    let _ = first(&bad, "acme/widgets", None).await;

    let logs =
        String::from_utf8_lossy(&captured.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned();
    assert!(
        logs.contains("GitHub server error"),
        "events were captured:\n{logs}"
    );
    assert!(logs.contains("rate limited by GitHub"));
    assert!(!logs.contains(TOKEN), "token leaked:\n{logs}");
    assert!(!logs.contains(wrong), "token leaked:\n{logs}");
}
