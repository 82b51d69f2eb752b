//! A custom metric as a detector of its own: abnormal or healthy, never a symptom, so it posts
//! to the alerts channel and never opens an incident.

use std::sync::Arc;

use async_trait::async_trait;

use super::config::{AlertsConfig, CustomMetric};
use crate::error::{Error, ErrorKind, Result};
use crate::ports::{MetricQuery, Metrics};
use crate::runbook::{Detector, Observation, ObserveContext, Runbook, Symptom};
use crate::severity::Impact;
use crate::time;

/// The runbook id of the custom metrics' detectors.
pub const CUSTOM_METRICS_RUNBOOK: &str = "custom-metrics";

/// Watches one custom metric: its latest complete datapoint against the threshold.
#[derive(Debug)]
pub struct CustomMetricDetector {
    metric: CustomMetric,
    metrics: Arc<dyn Metrics>,
}

impl CustomMetricDetector {
    /// A detector of `metric`, read through `metrics`.
    pub fn new(metric: CustomMetric, metrics: Arc<dyn Metrics>) -> Self {
        CustomMetricDetector { metric, metrics }
    }
}

#[async_trait]
impl Detector for CustomMetricDetector {
    fn name(&self) -> &str {
        &self.metric.name
    }

    fn resource(&self) -> &str {
        &self.metric.metric
    }

    async fn observe(&self, ctx: &ObserveContext) -> Result<Observation> {
        let m = &self.metric;
        let query = MetricQuery {
            id: "m".to_owned(),
            namespace: m.namespace.as_str().into(),
            metric: m.metric.as_str().into(),
            dimensions: m.dimensions(),
            statistic: m.statistic,
            period: m.period,
        };
        // The last two periods: the latest complete datapoint is in them.
        let start = ctx.now - chrono::TimeDelta::from_std(m.period * 2).unwrap_or_default();
        let series = self.metrics.query(&[query], start, ctx.now).await?;
        let Some(value) = series.first().and_then(|s| s.latest()) else {
            return Err(Error::new(
                ErrorKind::Unavailable,
                "custom-metric.observe",
                format!(
                    "no datapoint of {}/{} in the last {}",
                    m.namespace,
                    m.metric,
                    time::HumanDuration(m.period * 2)
                ),
            )
            .with_resource(m.name.clone()));
        };
        if !m.comparison.breached(value, m.threshold) {
            return Ok(Observation::Healthy);
        }
        Ok(Observation::Abnormal(
            Symptom::new(
                format!(
                    "{} {}/{} {value} {} {}",
                    m.statistic,
                    m.namespace,
                    m.metric,
                    m.comparison.sign(),
                    m.threshold
                ),
                Impact::none(),
            )
            .with_evidence(format!(
                "custom metric {} over {}",
                m.name,
                time::HumanDuration(m.period)
            )),
        ))
    }
}

/// The custom metrics of `config` as a runbook of detectors alone (no ladder: its looks are
/// abnormal or healthy, so it never opens an incident); none without metrics.
///
/// # Errors
///
/// The config's validation error, naming the key.
pub fn custom_metrics_runbook(
    config: &AlertsConfig,
    metrics: Arc<dyn Metrics>,
) -> Result<Option<Runbook>> {
    config.validate()?;
    if config.metrics.is_empty() {
        return Ok(None);
    }
    let mut builder = Runbook::builder(CUSTOM_METRICS_RUNBOOK, "Custom metrics");
    for metric in &config.metrics {
        builder = builder.detector(Arc::new(CustomMetricDetector::new(
            metric.clone(),
            metrics.clone(),
        )));
    }
    builder.build().map(Some)
}
