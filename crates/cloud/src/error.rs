//! The one error type of the crate, and the error a Lambda invocation returns: every failure
//! says whether retrying can help, and none carries a secret.

use lambda_runtime::Diagnostic;
use thiserror::Error;

/// What went wrong configuring or running a function.
#[derive(Debug, Error)]
pub enum CloudError {
    /// A required variable is not set (neither `NAME` nor `NAME_SECRET_ARN`).
    #[error("{name} is not set: {hint}")]
    MissingVariable {
        /// The variable.
        name: String,
        /// What to set it to.
        hint: &'static str,
    },
    /// A variable holds something unusable; its value is not repeated.
    #[error("{name} is invalid: {reason}")]
    InvalidVariable {
        /// The variable.
        name: String,
        /// Why.
        reason: String,
    },
    /// Secrets Manager did not return the secret.
    #[error("cannot read secret {arn} (for {name}) from Secrets Manager: {reason}")]
    SecretUnavailable {
        /// The variable the secret stands for.
        name: String,
        /// Its ARN (not secret).
        arn: String,
        /// What the service or the connection reported.
        reason: String,
    },
    /// The team config could not be read or is invalid.
    #[error("team config ({source_name}): {reason}")]
    TeamConfig {
        /// `TEAM_CONFIG` (a file) or `TEAM_CONFIG_JSON` (the document, or its secret).
        source_name: &'static str,
        /// Why.
        reason: String,
    },
    /// PostgreSQL could not be reached or refused the work.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The GitHub client could not be built.
    #[error(transparent)]
    Github(#[from] github::GithubError),
    /// The collector could not start a run.
    #[error(transparent)]
    Collector(#[from] collector::SyncError),
    /// Some repositories failed; the others completed.
    #[error("{count} repositories failed: {first}")]
    RepositoriesFailed {
        /// How many.
        count: usize,
        /// The first failure, e.g. `acme/widgets: GitHub unavailable …`.
        first: String,
        /// Whether every failure may go away by itself.
        transient: bool,
    },
    /// CloudWatch refused or never answered a `PutMetricData`.
    #[error("PutMetricData to CloudWatch failed: {0}")]
    Metrics(String),
}

impl From<collector::settings::SettingError> for CloudError {
    fn from(error: collector::settings::SettingError) -> Self {
        Self::InvalidVariable {
            name: error.var.to_owned(),
            reason: error.reason,
        }
    }
}

impl CloudError {
    /// Whether the same invocation may succeed later with nothing changed: outages and
    /// timeouts, yes; configuration, permissions and data, no.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::SecretUnavailable { .. } | Self::Metrics(_) => true,
            Self::Store(e) => e.is_transient(),
            Self::Github(e) => e.is_transient(),
            Self::Collector(e) => e.error.is_transient(),
            Self::RepositoriesFailed { transient, .. } => *transient,
            _ => false,
        }
    }

    /// A short name of the situation for the Lambda error type.
    fn kind(&self) -> &'static str {
        match self {
            Self::MissingVariable { .. } | Self::InvalidVariable { .. } => "Configuration",
            Self::SecretUnavailable { .. } => "SecretUnavailable",
            Self::TeamConfig { .. } => "TeamConfig",
            Self::Store(e) if e.is_auth_failure() => "DatabaseAuthentication",
            Self::Store(_) => "Database",
            Self::Github(_) => "Github",
            Self::Collector(_) => "Collector",
            Self::RepositoriesFailed { .. } => "RepositoriesFailed",
            Self::Metrics(_) => "Metrics",
        }
    }
}

/// The Lambda error: `errorType` is `Retryable.<Kind>` or `NonRetryable.<Kind>`, so failure
/// destinations and alarms can tell an outage from a configuration problem; `errorMessage` is
/// the whole cause chain.
impl From<CloudError> for Diagnostic {
    fn from(error: CloudError) -> Self {
        let class = if error.is_retryable() {
            "Retryable"
        } else {
            "NonRetryable"
        };
        Diagnostic {
            error_type: format!("{class}.{}", error.kind()),
            error_message: chain(&error),
        }
    }
}

/// An error and its sources on one line: "what: why: root cause".
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lambda_error_type_says_whether_a_retry_can_help() {
        let outage = CloudError::RepositoriesFailed {
            count: 1,
            first: "acme/widgets: GitHub unavailable".into(),
            transient: true,
        };
        let config = CloudError::MissingVariable {
            name: "REPOSITORIES".into(),
            hint: "comma-separated owner/name",
        };

        let outage = Diagnostic::from(outage);
        let config = Diagnostic::from(config);

        assert_eq!(outage.error_type, "Retryable.RepositoriesFailed");
        assert!(outage.error_message.contains("acme/widgets"));
        assert_eq!(config.error_type, "NonRetryable.Configuration");
        assert!(config.error_message.contains("REPOSITORIES"));
    }
}
