//! moto's server (`pip install 'moto[server]'`) on an ephemeral 127.0.0.1 port, standing in for
//! Secrets Manager. A missing `moto_server` fails the test with an install hint; it never skips.

use super::{AWS_TEST_VARS, workspace_root};
use aws_sdk_secretsmanager::Client;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running moto server, killed on drop.
pub struct MotoServer {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    child: Child,
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `MOTO_SERVER`, else `.venv/bin/moto_server`, else `moto_server` on `PATH`.
fn moto_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("MOTO_SERVER") {
        return path.into();
    }
    let venv = workspace_root().join(".venv/bin/moto_server");
    if venv.exists() {
        return venv;
    }
    PathBuf::from("moto_server")
}

impl MotoServer {
    /// Starts moto and waits (at most 30 s) until it accepts connections.
    pub fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let binary = moto_binary();
        let child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {} ({e}): install moto's server with `cargo xtask test` \
                     (it installs the Python test tools into .venv) or \
                     `.venv/bin/pip install 'moto[server]'`, or set MOTO_SERVER",
                    binary.display()
                )
            });
        let mut server = Self {
            endpoint: format!("http://127.0.0.1:{port}"),
            child,
        };
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let started = Instant::now();
        while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("moto_server exited with {status} before listening on {address}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "moto_server did not listen on {address} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    /// Variables pointing a function's Secrets Manager client here.
    pub fn vars(&self) -> Vec<(String, String)> {
        let mut vars: Vec<(String, String)> = AWS_TEST_VARS
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        vars.push((
            "AWS_ENDPOINT_URL_SECRETS_MANAGER".into(),
            self.endpoint.clone(),
        ));
        vars
    }

    /// A Secrets Manager client on this server.
    pub fn client(&self) -> Client {
        let config = aws_sdk_secretsmanager::Config::builder()
            .behavior_version(aws_sdk_secretsmanager::config::BehaviorVersion::latest())
            .region(aws_sdk_secretsmanager::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_secretsmanager::config::Credentials::new(
                "testing", "testing", None, None, "test",
            ))
            .endpoint_url(&self.endpoint)
            .build();
        Client::from_conf(config)
    }

    /// Creates a secret holding `value`; returns its ARN.
    pub async fn create_secret(&self, name: &str, value: &str) -> String {
        let output = self
            .client()
            .create_secret()
            .name(name)
            .secret_string(value)
            .send()
            .await
            .unwrap_or_else(|e| panic!("moto CreateSecret {name}: {e:?}"));
        output.arn().unwrap_or(name).to_owned()
    }

    /// Stores a new current version of the secret (what a rotation does).
    pub async fn rotate_secret(&self, arn: &str, value: &str) {
        self.client()
            .put_secret_value()
            .secret_id(arn)
            .secret_string(value)
            .send()
            .await
            .unwrap_or_else(|e| panic!("moto PutSecretValue {arn}: {e:?}"));
    }
}
