//! CloudWatch metrics: one `PutMetricData` per collector run (and per batch of API requests),
//! namespace `Dorameter` (`METRICS_NAMESPACE`), dimension `FunctionName`. A failed publish is
//! logged and never fails the run: metrics are not worth losing a sync over.

use crate::aws::Aws;
use crate::error::{CloudError, chain};
use crate::vars::Vars;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit, StatisticSet};
use collector::{DurationStats, SyncSummary};
use std::sync::Arc;
use tokio::sync::OnceCell;

/// The unit of a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Seconds,
    Milliseconds,
}

/// A value: one sample, or a statistic set summarising many.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Single(f64),
    Stats(DurationStats),
}

/// One metric value to publish.
#[derive(Debug, Clone, PartialEq)]
pub struct Datum {
    pub name: &'static str,
    pub unit: Unit,
    pub value: Value,
}

impl Datum {
    fn new(name: &'static str, unit: Unit, value: f64) -> Self {
        Self {
            name,
            unit,
            value: Value::Single(value),
        }
    }
}

/// What one collector run reports; with an `earlier` attempt (one whose token GitHub rejected)
/// that `summary` completed, the GitHub traffic, errors, waits and time of both attempts count,
/// since both happened.
pub fn sync_run_data_after(summary: &SyncSummary, earlier: Option<&SyncSummary>) -> Vec<Datum> {
    let both = |f: fn(&SyncSummary) -> f64| f(summary) + earlier.map_or(0.0, f);
    let mut data = vec![
        Datum::new("PrsProcessed", Unit::Count, summary.prs_fetched as f64),
        Datum::new("GithubRequests", Unit::Count, both(|s| s.requests as f64)),
        Datum::new(
            "GithubApiErrors",
            Unit::Count,
            both(|s| s.github_api_errors as f64),
        ),
        Datum::new(
            "RateLimitWaitSeconds",
            Unit::Seconds,
            both(|s| s.rate_limit_wait_seconds),
        ),
        Datum::new(
            "SyncDurationSeconds",
            Unit::Seconds,
            both(|s| s.duration_seconds),
        ),
        Datum::new(
            "SyncComplete",
            Unit::Count,
            f64::from(u8::from(summary.complete)),
        ),
    ];
    // CloudWatch refuses an empty statistic set.
    if summary.db_duration_ms.count > 0 {
        data.push(Datum {
            name: "DbQueryDurationMs",
            unit: Unit::Milliseconds,
            value: Value::Stats(summary.db_duration_ms),
        });
    }
    data
}

/// Publishes to CloudWatch; the client is built on first use.
#[derive(Debug)]
pub struct Metrics {
    aws: Arc<Aws>,
    client: OnceCell<aws_sdk_cloudwatch::Client>,
    namespace: String,
    function_name: String,
    enabled: bool,
}

impl Metrics {
    /// `METRICS_NAMESPACE` (default `Dorameter`), the function name from
    /// `AWS_LAMBDA_FUNCTION_NAME`, and `METRICS_ENABLED=false` to publish nothing.
    pub fn new(vars: &Vars, aws: Arc<Aws>) -> Self {
        Self {
            aws,
            client: OnceCell::new(),
            namespace: vars
                .get("METRICS_NAMESPACE")
                .unwrap_or_else(|| "Dorameter".into()),
            function_name: vars
                .get("AWS_LAMBDA_FUNCTION_NAME")
                .unwrap_or_else(|| "local".into()),
            enabled: vars.get("METRICS_ENABLED").is_none_or(|v| v != "false"),
        }
    }

    /// One `PutMetricData` call with every datum.
    pub async fn publish(&self, data: &[Datum]) -> Result<(), CloudError> {
        if !self.enabled || data.is_empty() {
            return Ok(());
        }
        let client = self
            .client
            .get_or_init(|| async {
                let config = aws_sdk_cloudwatch::config::Builder::from(self.aws.config().await);
                let config = match self.aws.endpoint("AWS_ENDPOINT_URL_CLOUDWATCH") {
                    Some(url) => config.endpoint_url(url),
                    None => config,
                };
                aws_sdk_cloudwatch::Client::from_conf(config.build())
            })
            .await;
        let dimension = Dimension::builder()
            .name("FunctionName")
            .value(&self.function_name)
            .build();
        let data = data
            .iter()
            .map(|datum| to_metric_datum(datum, dimension.clone()))
            .collect();
        client
            .put_metric_data()
            .namespace(&self.namespace)
            .set_metric_data(Some(data))
            .send()
            .await
            .map_err(|e| {
                CloudError::Metrics(aws_sdk_cloudwatch::error::DisplayErrorContext(e).to_string())
            })?;
        Ok(())
    }

    /// [`Metrics::publish`], logging a failure instead of returning it.
    pub async fn publish_or_log(&self, data: &[Datum]) {
        match self.publish(data).await {
            Ok(()) => tracing::debug!(metrics = data.len(), "metrics published"),
            Err(error) => tracing::warn!(error = chain(&error), "metrics not published"),
        }
    }
}

fn to_metric_datum(datum: &Datum, dimension: Dimension) -> MetricDatum {
    let unit = match datum.unit {
        Unit::Count => StandardUnit::Count,
        Unit::Seconds => StandardUnit::Seconds,
        Unit::Milliseconds => StandardUnit::Milliseconds,
    };
    let builder = MetricDatum::builder()
        .metric_name(datum.name)
        .unit(unit)
        .dimensions(dimension)
        .timestamp(std::time::SystemTime::now().into());
    match datum.value {
        Value::Single(value) => builder.value(value),
        Value::Stats(stats) => builder.statistic_values(
            StatisticSet::builder()
                .sample_count(stats.count as f64)
                .sum(stats.sum_ms)
                .minimum(stats.min_ms)
                .maximum(stats.max_ms)
                .build(),
        ),
    }
    .build()
}
