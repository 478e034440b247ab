//! `dorameter-api`: the HTTP API Lambda behind API Gateway (REST API v1 or HTTP API v2 events,
//! both handled by `lambda_http`). It serves `api::router` unchanged, API-key check included, as
//! defence in depth behind API Gateway's usage-plan key.
//!
//! Configuration: `DATABASE_URL` / `DATABASE_URL_SECRET_ARN`, `API_KEYS` / `API_KEYS_SECRET_ARN`,
//! `DATABASE_MAX_CONNECTIONS` (default 2); see `functions/README.md`.

use cloud::{ApiFunction, Vars};
use lambda_http::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    cloud::init();
    // The store and router are built on the first request and reused while warm.
    let function = match ApiFunction::from_vars(Vars::from_env()) {
        Ok(function) => function,
        Err(error) => {
            tracing::error!(error = cloud::chain(&error), "invalid configuration");
            return Err(error.into());
        }
    };
    lambda_http::run(function).await
}
