//! The AWS SDK configuration, loaded once per cold start and only when a secret or a metric
//! first needs it (a local run without AWS never touches it). Region, credentials and
//! endpoints come from [`Vars`], so tests point each service at its own local server.

use crate::vars::Vars;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_secretsmanager::config::Credentials;
use std::time::Duration;
use tokio::sync::OnceCell;

/// Bound on one AWS call, retries included: a slow AWS API must not eat the run's budget.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(5);
/// Bound on opening a connection to an AWS endpoint.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// The shared SDK configuration.
#[derive(Debug)]
pub struct Aws {
    vars: Vars,
    config: OnceCell<SdkConfig>,
}

impl Aws {
    /// Nothing is loaded until [`Aws::config`] is first called.
    pub fn new(vars: Vars) -> Self {
        Self {
            vars,
            config: OnceCell::new(),
        }
    }

    /// The SDK configuration: the standard chain (in Lambda, the function role's credentials
    /// from env), with `AWS_REGION`, static keys and `AWS_ENDPOINT_URL` taken from the vars.
    pub async fn config(&self) -> &SdkConfig {
        self.config
            .get_or_init(|| async {
                let mut loader = aws_config::defaults(BehaviorVersion::latest())
                    .timeout_config(
                        TimeoutConfig::builder()
                            .operation_timeout(OPERATION_TIMEOUT)
                            .connect_timeout(CONNECT_TIMEOUT)
                            .build(),
                    )
                    .retry_config(RetryConfig::standard().with_max_attempts(2));
                if let Some(region) = self
                    .vars
                    .get("AWS_REGION")
                    .or_else(|| self.vars.get("AWS_DEFAULT_REGION"))
                {
                    loader = loader.region(Region::new(region));
                }
                if let (Some(key), Some(secret)) = (
                    self.vars.get("AWS_ACCESS_KEY_ID"),
                    self.vars.get("AWS_SECRET_ACCESS_KEY"),
                ) {
                    let token = self.vars.get("AWS_SESSION_TOKEN");
                    loader = loader
                        .credentials_provider(Credentials::new(key, secret, token, None, "vars"));
                }
                loader.load().await
            })
            .await
    }

    /// The endpoint for one service: `AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`,
    /// else the SDK's own (the real AWS endpoint).
    pub fn endpoint(&self, service_variable: &str) -> Option<String> {
        self.vars
            .get(service_variable)
            .or_else(|| self.vars.get("AWS_ENDPOINT_URL"))
    }
}
