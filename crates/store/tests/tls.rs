//! TLS to PostgreSQL, for real, with proxies on 127.0.0.1 in front of the test server (whose own
//! TLS set-up, if any, is unknown): one answers PostgreSQL's `SSLRequest` with `S`, completes the
//! handshake with a certificate from a throwaway CA (rcgen) and relays the decrypted stream; the
//! other answers `N`, as a server without TLS does, and relays in plain text.

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use store::Store;
use store::testing::TestDatabase;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types::PrivateKeyDer};

/// PostgreSQL's `SSLRequest`: length 8, code 80877103.
const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

/// A TLS front for the test server, with its CA written to a PEM file.
struct TlsProxy {
    port: u16,
    ca_file: tempfile::NamedTempFile,
    handshakes: Arc<AtomicUsize>,
}

impl TlsProxy {
    /// Serves a certificate for `localhost` only, issued by a fresh CA.
    async fn start() -> Self {
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(ca_params, ca_key).expect("CA");
        let server_key = KeyPair::generate().expect("server key");
        let server_cert = CertificateParams::new(vec!["localhost".to_owned()])
            .expect("server params")
            .signed_by(&server_key, &ca)
            .expect("server cert");
        let ca_file = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(ca_file.path(), ca.pem()).expect("write CA");

        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![server_cert.der().clone()],
                PrivateKeyDer::try_from(server_key.serialize_der()).expect("key der"),
            )
            .expect("server config");
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let handshakes = Arc::new(AtomicUsize::new(0));
        let counter = handshakes.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(relay(client, Some(acceptor.clone()), counter.clone()));
            }
        });
        Self {
            port,
            ca_file,
            handshakes,
        }
    }

    fn url(&self, host: &str, db: &TestDatabase, options: &str) -> String {
        format!(
            "postgres://postgres@{host}:{}/{}?{options}",
            self.port, db.name
        )
    }

    fn ca_path(&self) -> String {
        self.ca_file.path().display().to_string()
    }
}

/// A server without TLS: refuses `SSLRequest` with `N`, then relays in plain text. Returns the
/// URL of `db` through it.
async fn plain_server(db: &TestDatabase, options: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(relay(client, None, Arc::default()));
        }
    });
    format!("postgres://postgres@127.0.0.1:{port}/{}?{options}", db.name)
}

/// One client: `SSLRequest` → `S` → TLS (or `N` → plain without an acceptor) → relayed to the
/// real server. Ends with either side.
async fn relay(mut client: TcpStream, acceptor: Option<TlsAcceptor>, handshakes: Arc<AtomicUsize>) {
    let mut request = [0u8; 8];
    if client.peek(&mut request).await.is_ok_and(|n| n == 8) && request == SSL_REQUEST {
        let _ = client.read_exact(&mut request).await;
        let answer = if acceptor.is_some() { b"S" } else { b"N" };
        if client.write_all(answer).await.is_err() {
            return;
        }
    }
    let Ok(mut server) = TcpStream::connect("127.0.0.1:5432").await else {
        return;
    };
    match acceptor {
        Some(acceptor) => {
            let Ok(mut tls) = acceptor.accept(client).await else {
                return;
            };
            handshakes.fetch_add(1, Ordering::SeqCst);
            let _ = tokio::io::copy_bidirectional(&mut tls, &mut server).await;
        }
        None => {
            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
        }
    }
}

/// The error's whole chain on one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[tokio::test]
async fn verify_full_connects_when_the_certificate_chains_to_sslrootcert_and_names_the_host() {
    let db = TestDatabase::create().await;
    let proxy = TlsProxy::start().await;
    let url = proxy.url(
        "localhost",
        &db,
        &format!("sslmode=verify-full&sslrootcert={}", proxy.ca_path()),
    );

    let store = Store::connect(&url, 2)
        .await
        .expect("verify-full through the proxy");
    store.migrate().await.expect("migrations run over TLS");

    assert!(proxy.handshakes.load(Ordering::SeqCst) >= 1);
}

#[tokio::test]
async fn verify_full_refuses_a_certificate_for_another_host_but_verify_ca_accepts_it() {
    let db = TestDatabase::create().await;
    let proxy = TlsProxy::start().await;
    let root = format!("sslrootcert={}", proxy.ca_path());

    let wrong_host = proxy.url("127.0.0.1", &db, &format!("sslmode=verify-full&{root}"));
    let error = Store::connect(&wrong_host, 1)
        .await
        .expect_err("name mismatch accepted");
    let text = chain(&error);
    assert!(text.contains("certificate"), "{text}");

    let any_name = proxy.url("127.0.0.1", &db, &format!("sslmode=verify-ca&{root}"));
    Store::connect(&any_name, 1)
        .await
        .expect("verify-ca ignores the name");
}

#[tokio::test]
async fn verify_full_with_the_embedded_rds_roots_refuses_an_unknown_issuer() {
    let db = TestDatabase::create().await;
    let proxy = TlsProxy::start().await;
    let url = proxy.url("localhost", &db, "sslmode=verify-full");

    let error = Store::connect(&url, 1)
        .await
        .expect_err("self-signed CA accepted");

    let text = chain(&error);
    assert!(
        text.contains("UnknownIssuer") || text.contains("unknown issuer"),
        "{text}"
    );
}

#[tokio::test]
async fn require_encrypts_without_checking_the_certificate() {
    let db = TestDatabase::create().await;
    let proxy = TlsProxy::start().await;

    Store::connect(&proxy.url("127.0.0.1", &db, "sslmode=require"), 1)
        .await
        .expect("require through the proxy");

    assert!(proxy.handshakes.load(Ordering::SeqCst) >= 1);
}

#[tokio::test]
async fn require_fails_clearly_against_a_server_without_tls() {
    let db = TestDatabase::create().await;
    let url = plain_server(&db, "sslmode=require").await;

    let error = Store::connect(&url, 1)
        .await
        .expect_err("plain server accepted");

    let text = chain(&error);
    assert!(text.contains("cannot connect to PostgreSQL"), "{text}");
    assert!(text.contains("TLS"), "{text}");
}

#[tokio::test]
async fn disable_and_prefer_connect_to_a_server_without_tls() {
    let db = TestDatabase::create().await;
    for mode in ["disable", "prefer"] {
        let url = plain_server(&db, &format!("sslmode={mode}")).await;
        Store::connect(&url, 1)
            .await
            .unwrap_or_else(|e| panic!("sslmode={mode}: {}", chain(&e)));
    }
}
