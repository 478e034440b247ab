//! The AWS side of dorameter's Lambda functions, so that their entry points stay thin:
//!
//! - [`Vars`]: configuration from env under the CLI's names, checked at cold start;
//! - [`Secrets`]: plain variables locally, Secrets Manager by ARN in AWS
//!   (`<NAME>_SECRET_ARN`), cached per cold start and refreshed after an auth failure;
//! - `Metrics`: one CloudWatch `PutMetricData` per run or per batch of requests;
//! - [`init`]: the rustls crypto provider and JSON logs on stdout;
//! - [`CollectorFunction`] and [`ApiFunction`]: what an invocation of each function does.
//!
//! Test doubles (feature `testing`): a moto server harness for Secrets Manager, a fake
//! CloudWatch decoding the SDK's CBOR requests, and a fake Lambda Runtime API.

mod api_fn;
mod aws;
mod collector_fn;
mod error;
mod logging;
mod metrics;
mod secrets;
mod settings;
mod vars;

#[cfg(feature = "testing")]
pub mod testing;

pub use api_fn::ApiFunction;
pub use aws::Aws;
pub use collector_fn::CollectorFunction;
pub use error::{CloudError, chain};
pub use logging::init;
pub use secrets::{Refreshed, SecretSource, Secrets};
pub use settings::CollectorSettings;
pub use vars::Vars;
