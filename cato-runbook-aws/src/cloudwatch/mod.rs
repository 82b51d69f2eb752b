//! [`Metrics`] on CloudWatch: many series per call, percentiles, Cato's custom metrics.
//!
//! | port call | CloudWatch operation (IAM action `cloudwatch:…`) |
//! |---|---|
//! | [`query`](Metrics::query) | `GetMetricData`, up to 500 queries a call (1,000 series cost 2 calls), every page |
//! | [`put`](Metrics::put) | `PutMetricData` |
//!
//! A query's id is the caller's own: the provider numbers the queries it sends (`q0`, `q1`, …,
//! as CloudWatch requires `[a-z][a-zA-Z0-9_]*`) and answers under the caller's ids, one series
//! per query, in query order, points oldest first.
//!
//! [`CloudWatchAlarms`] reads the state of CloudWatch alarms (the [`Alarms`](cato_runbook_core::ports::Alarms) port).

mod alarms;
mod query;

use std::fmt;

use async_trait::async_trait;
use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{Dimension as SdkDimension, MetricDatum};
use cato_runbook_core::ports::{Dimension, MetricQuery, MetricSeries, Metrics};
use cato_runbook_core::{Result, Timestamp};

use crate::sdk::{Call, Settings, from_timestamp, settings_builders};

pub use alarms::CloudWatchAlarms;
pub use query::MAX_QUERIES_PER_CALL;
pub(crate) use query::get_metric_data;

const PROVIDER: &str = "cloudwatch";

/// The [`Metrics`] port on Amazon CloudWatch.
///
/// # Examples
///
/// ```no_run
/// # async fn example() {
/// use cato_runbook_aws::cloudwatch::CloudWatchMetrics;
///
/// let sdk = aws_config::load_from_env().await;
/// let metrics = CloudWatchMetrics::new(&sdk);
/// assert_eq!(metrics.to_string(), "cloudwatch");
/// # }
/// ```
pub struct CloudWatchMetrics {
    client: Client,
    settings: Settings,
}

impl CloudWatchMetrics {
    /// A provider over a client built from `config`.
    pub fn new(config: &aws_types::SdkConfig) -> Self {
        Self::from_client(Client::new(config))
    }

    /// A provider over a ready client.
    pub fn from_client(client: Client) -> Self {
        CloudWatchMetrics {
            client,
            settings: Settings::default(),
        }
    }
}

settings_builders!(CloudWatchMetrics);

impl fmt::Debug for CloudWatchMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudWatchMetrics")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for CloudWatchMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PROVIDER)
    }
}

#[async_trait]
impl Metrics for CloudWatchMetrics {
    async fn query(
        &self,
        queries: &[MetricQuery],
        start: Timestamp,
        end: Timestamp,
    ) -> Result<Vec<MetricSeries>> {
        let call = Call::new(PROVIDER, "GetMetricData", &self.settings);
        call.run(get_metric_data(&self.client, &call, queries, start, end))
            .await
    }

    async fn put(
        &self,
        namespace: &str,
        metric: &str,
        dimensions: &[Dimension],
        value: f64,
        at: Timestamp,
    ) -> Result<()> {
        let resource = format!("{namespace}/{metric}");
        let call = Call::new(PROVIDER, "PutMetricData", &self.settings).on(&resource);
        if namespace.is_empty() || namespace.starts_with("AWS/") {
            return Err(call.invalid(format!(
                "namespace {namespace:?}: custom metrics may not use an AWS/ namespace"
            )));
        }
        if metric.is_empty() {
            return Err(call.invalid("the metric has no name"));
        }
        if !value.is_finite() {
            return Err(call.invalid(format!("{value} is not a value CloudWatch takes")));
        }
        let datum = MetricDatum::builder()
            .metric_name(metric)
            .set_dimensions(Some(dimensions.iter().map(sdk_dimension).collect()))
            .value(value)
            .timestamp(from_timestamp(at))
            .build();
        call.run(async {
            self.client
                .put_metric_data()
                .namespace(namespace)
                .metric_data(datum)
                .send()
                .await
                .map_err(|e| call.sdk(e))
                .map(|_| ())
        })
        .await
    }
}

pub(crate) fn sdk_dimension(d: &Dimension) -> SdkDimension {
    SdkDimension::builder()
        .name(d.name.as_str())
        .value(d.value.as_str())
        .build()
}
