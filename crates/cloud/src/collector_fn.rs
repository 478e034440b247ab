//! The scheduled collector function: one sync run per EventBridge event, within the time the
//! invocation has left minus a safety margin, so a run is never killed mid-transaction; a run
//! that runs out of time succeeds with `complete: false` and the next schedule resumes.
//!
//! Clients are built on the first invocation and reused while the instance is warm. A token
//! GitHub rejects, or a password PostgreSQL rejects, is re-read from Secrets Manager once and
//! the work retried (rotation). Metrics go out in one `PutMetricData` per run.

use crate::aws::Aws;
use crate::error::CloudError;
use crate::metrics::{Metrics, sync_run_data_after};
use crate::secrets::{Refreshed, Secrets};
use crate::settings::{CollectorSettings, TeamSource};
use crate::vars::Vars;
use aws_lambda_events::eventbridge::EventBridgeEvent;
use collector::SyncSummary;
use github::GithubClient;
use lambda_runtime::LambdaEvent;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use store::Store;
use tokio::sync::Mutex;

const GITHUB_TOKEN_HINT: &str = "a GitHub token that can read the repositories";

/// One warm collector instance.
#[derive(Debug)]
pub struct CollectorFunction {
    settings: CollectorSettings,
    secrets: Secrets,
    metrics: Metrics,
    store: Mutex<Option<Store>>,
    github: Mutex<Option<GithubClient>>,
}

impl CollectorFunction {
    /// Validates the plain settings; nothing is contacted yet.
    pub fn from_vars(vars: Vars) -> Result<Self, CloudError> {
        let aws = Arc::new(Aws::new(vars.clone()));
        Ok(Self {
            settings: CollectorSettings::from_vars(&vars)?,
            secrets: Secrets::new(vars.clone(), aws.clone()),
            metrics: Metrics::new(&vars, aws),
            store: Mutex::new(None),
            github: Mutex::new(None),
        })
    }

    /// The secrets, for tests that count fetches.
    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// The Lambda handler: the event only triggers the run; its deadline bounds it.
    pub async fn handle(
        &self,
        event: LambdaEvent<EventBridgeEvent>,
    ) -> Result<SyncSummary, CloudError> {
        let deadline = (event.context.deadline > 0).then(|| event.context.deadline());
        tracing::info!(
            request_id = %event.context.request_id,
            source = %event.payload.source,
            detail_type = %event.payload.detail_type,
            "scheduled run"
        );
        self.run(deadline).await
    }

    /// One run; `deadline` is when Lambda stops the invocation (`None`: no limit but
    /// `SYNC_BUDGET`).
    pub async fn run(&self, deadline: Option<SystemTime>) -> Result<SyncSummary, CloudError> {
        let teams = self.team_config().await?;
        let store = self.store().await?;
        let mut github = self.github(false).await?;
        let mut summary = self.sync(&store, &github, &teams, deadline).await?;
        let mut rejected = None;
        if summary.token_rejected()
            && matches!(
                self.secrets.refresh("GITHUB_TOKEN", Duration::ZERO).await?,
                Refreshed::Changed(_)
            )
        {
            tracing::warn!("GitHub rejected the token; retrying with the rotated one");
            github = self.github(true).await?;
            let retried = self.sync(&store, &github, &teams, deadline).await?;
            rejected = Some(std::mem::replace(&mut summary, retried));
        }
        self.metrics
            .publish_or_log(&sync_run_data_after(&summary, rejected.as_ref()))
            .await;
        if summary.failed.is_empty() {
            Ok(summary)
        } else {
            Err(CloudError::RepositoriesFailed {
                count: summary.failed.len(),
                first: summary
                    .details
                    .iter()
                    .find_map(|d| Some(format!("{}: {}", d.repository, d.error.as_ref()?)))
                    .unwrap_or_default(),
                transient: summary.failures_are_transient(),
            })
        }
    }

    async fn sync(
        &self,
        store: &Store,
        github: &GithubClient,
        teams: &domain::TeamConfig,
        deadline: Option<SystemTime>,
    ) -> Result<SyncSummary, CloudError> {
        let budget = self.settings.budget(deadline, SystemTime::now());
        let settings = self.settings.sync_settings(budget, chrono::Utc::now())?;
        Ok(collector::run_sync(store, github, teams, &settings).await?)
    }

    /// The team config, read afresh every run (a file next to `bootstrap`, or a document in
    /// `TEAM_CONFIG_JSON` or its secret), so an edit applies at the next schedule.
    async fn team_config(&self) -> Result<domain::TeamConfig, CloudError> {
        match &self.settings.teams {
            TeamSource::File(path) => {
                let read = |reason: String| CloudError::TeamConfig {
                    source_name: "TEAM_CONFIG",
                    reason: format!("{}: {reason}", path.display()),
                };
                let document = std::fs::read_to_string(path).map_err(|e| read(e.to_string()))?;
                domain::TeamConfig::from_json(&document).map_err(|e| read(e.to_string()))
            }
            TeamSource::Document => {
                self.secrets
                    .refresh("TEAM_CONFIG_JSON", Duration::ZERO)
                    .await?;
                let document = self
                    .secrets
                    .get("TEAM_CONFIG_JSON", "the team config JSON, or TEAM_CONFIG")
                    .await?;
                use secrecy::ExposeSecret;
                domain::TeamConfig::from_json(document.expose_secret()).map_err(|e| {
                    CloudError::TeamConfig {
                        source_name: "TEAM_CONFIG_JSON",
                        reason: e.to_string(),
                    }
                })
            }
        }
    }

    /// The pool, connected (and the schema migrated) on first use; a refused password re-reads
    /// the secret once.
    async fn store(&self) -> Result<Store, CloudError> {
        let mut slot = self.store.lock().await;
        if let Some(store) = slot.as_ref() {
            return Ok(store.clone());
        }
        let store = crate::settings::connect_store(
            &self.secrets,
            self.settings.max_connections,
            Duration::ZERO,
        )
        .await?;
        if self.settings.migrate {
            // Under the migrator's advisory lock, so concurrent cold starts are safe.
            let applied = store.migrate().await?;
            if !applied.is_empty() {
                tracing::info!(migrations = ?applied, "applied database migrations");
            }
        }
        *slot = Some(store.clone());
        Ok(store)
    }

    /// The GitHub client, built on first use or after the token was refreshed.
    async fn github(&self, rebuild: bool) -> Result<GithubClient, CloudError> {
        let mut slot = self.github.lock().await;
        if let (Some(client), false) = (slot.as_ref(), rebuild) {
            return Ok(client.clone());
        }
        let token = self.secrets.get("GITHUB_TOKEN", GITHUB_TOKEN_HINT).await?;
        let client = GithubClient::new(self.settings.github_config(token))?;
        *slot = Some(client.clone());
        Ok(client)
    }
}
