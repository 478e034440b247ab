//! `dorameter-collector`: the scheduled collector Lambda. EventBridge invokes it (every 4 hours
//! in the template); each invocation is one sync run bounded by the invocation's deadline minus
//! `SYNC_SAFETY_MARGIN`. It returns the run's JSON summary (`complete: false` when time ran out:
//! the next schedule resumes), or an error typed `Retryable.*` / `NonRetryable.*` when
//! repositories failed or the run could not start.
//!
//! Configuration: the variables of `dorameter sync` (`REPOSITORIES`, `SYNC_*`, `GITHUB_*`,
//! `DATABASE_*`), secrets by ARN (`GITHUB_TOKEN_SECRET_ARN`, `DATABASE_URL_SECRET_ARN`,
//! `TEAM_CONFIG_JSON_SECRET_ARN`) or a `TEAM_CONFIG` file bundled next to `bootstrap`; see
//! `functions/README.md`.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use cloud::{CollectorFunction, Vars};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    cloud::init();
    // Settings are checked once per cold start; clients are built on the first invocation and
    // reused while the instance stays warm.
    let function = match CollectorFunction::from_vars(Vars::from_env()) {
        Ok(function) => function,
        Err(error) => {
            tracing::error!(error = cloud::chain(&error), "invalid configuration");
            return Err(error.into());
        }
    };
    let function = &function;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<EventBridgeEvent>| async move { function.handle(event).await },
    ))
    .await
}
