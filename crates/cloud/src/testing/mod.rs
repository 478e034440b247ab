//! Test doubles for the functions' tests, all real HTTP servers on 127.0.0.1: moto for Secrets
//! Manager, a fake CloudWatch that decodes the SDK's CBOR, a fake Lambda Runtime API and a fake
//! API Gateway stage in front of it.

mod api_gateway;
mod cloudwatch;
mod moto;
mod process;
mod runtime_api;

pub use api_gateway::FakeApiGateway;
pub use cloudwatch::{FakeCloudWatch, PutMetricDataCall, RecordedDatum};
pub use moto::MotoServer;
pub use process::{Bootstrap, percentile};
pub use runtime_api::{FakeRuntimeApi, Outcome};

/// Dummy credentials and region for the AWS SDK against local servers.
pub const AWS_TEST_VARS: [(&str, &str); 3] = [
    ("AWS_REGION", "us-east-1"),
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
];

/// The workspace root (for `.venv` and built artefacts).
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| std::path::PathBuf::from("."))
}
