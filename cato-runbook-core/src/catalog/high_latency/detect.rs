//! The symptoms: a slow p99 (end to end, or Shadow Self's), and timeout errors.

use std::sync::Arc;

use async_trait::async_trait;

use super::Config;
use crate::catalog::kit::{self, last_minutes};
use crate::error::{Error, ErrorKind, Result};
use crate::ports::{Dimension, Logs, MetricQuery, Metrics, Statistic};
use crate::runbook::{Detector, Observation, ObserveContext, Symptom};
use crate::severity::Impact;
use crate::time::{self, HumanDuration};

/// The orchestrator's request latency (ms), one statistic over the whole window.
pub(super) fn request_latency(config: &Config, id: &str, statistic: Statistic) -> MetricQuery {
    MetricQuery {
        id: id.to_owned(),
        namespace: config.request_latency.namespace.as_str().into(),
        metric: config.request_latency.metric.as_str().into(),
        dimensions: Vec::new(),
        statistic,
        period: config.window,
    }
}

/// A metric of the Shadow Self endpoint, one statistic over the whole window.
pub(super) fn endpoint_metric(
    config: &Config,
    id: &str,
    metric: &str,
    statistic: Statistic,
) -> MetricQuery {
    let s = &config.shadow_self;
    MetricQuery {
        id: id.to_owned(),
        namespace: "AWS/SageMaker".into(),
        metric: metric.into(),
        dimensions: vec![
            Dimension::new("EndpointName", s.endpoint.clone()),
            Dimension::new("VariantName", s.variant.clone()),
        ],
        statistic,
        period: config.window,
    }
}

/// "p99 latency > 2 seconds": the request p99 and Shadow Self's `ModelLatency` p99.
#[derive(Debug)]
pub(super) struct P99Latency {
    metrics: Arc<dyn Metrics>,
    /// The request p99 and the endpoint's `ModelLatency` p99, built once.
    queries: [MetricQuery; 2],
    config: Arc<Config>,
}

impl P99Latency {
    pub(super) fn new(metrics: Arc<dyn Metrics>, config: Arc<Config>) -> Self {
        let queries = [
            request_latency(&config, "request_p99", Statistic::Percentile(99.0)),
            endpoint_metric(
                &config,
                "model_p99",
                "ModelLatency",
                Statistic::Percentile(99.0),
            ),
        ];
        P99Latency {
            metrics,
            queries,
            config,
        }
    }
}

#[async_trait]
impl Detector for P99Latency {
    fn name(&self) -> &str {
        "p99-latency"
    }

    fn resource(&self) -> &str {
        &self.config.orchestrator.deployment
    }

    /// # Errors
    ///
    /// When the metrics cannot be read, or the request latency has no data in the window:
    /// without it the p99 is unknown, not fine.
    async fn observe(&self, ctx: &ObserveContext) -> Result<Observation> {
        let c = &self.config;
        let (start, end) = last_minutes(ctx.now, c.window);
        let series = self.metrics.query(&self.queries, start, end).await?;
        let request_ms = kit::peak(&series, "request_p99").ok_or_else(|| {
            Error::new(
                ErrorKind::MalformedResponse,
                "p99-latency",
                format!(
                    "no {} data in the last {}",
                    c.request_latency.metric,
                    HumanDuration(c.window)
                ),
            )
            .with_resource(c.orchestrator.deployment.clone())
        })?;
        // SageMaker reports ModelLatency in microseconds.
        let model_ms = kit::peak(&series, "model_p99").map(|us| us / 1000.0);
        let request_threshold = c.p99_threshold.as_secs_f64() * 1000.0;
        let model_threshold = c.shadow_self.model_latency_p99.as_secs_f64() * 1000.0;
        let mut slow = Vec::new();
        if request_ms > request_threshold {
            slow.push(format!(
                "request p99 {:.2} s > {}",
                request_ms / 1000.0,
                HumanDuration(c.p99_threshold)
            ));
        }
        if let Some(model_ms) = model_ms.filter(|ms| *ms > model_threshold) {
            slow.push(format!(
                "{} ModelLatency p99 {:.2} s > {}",
                c.shadow_self.endpoint,
                model_ms / 1000.0,
                HumanDuration(c.shadow_self.model_latency_p99)
            ));
        }
        if slow.is_empty() {
            return Ok(Observation::Healthy);
        }
        let mut symptom = Symptom::new(
            format!("{} (last {})", slow.join("; "), HumanDuration(c.window)),
            Impact::degraded(c.affected_share)?,
        )
        .with_evidence(format!(
            "{} p99 {request_ms:.0} ms",
            c.request_latency.metric
        ));
        if let Some(ms) = model_ms {
            symptom = symptom.with_evidence(format!("ModelLatency p99 {ms:.0} ms"));
        }
        Ok(Observation::Symptom(symptom))
    }
}

/// "Timeout errors": timeout events in the orchestrator's logs.
#[derive(Debug)]
pub(super) struct TimeoutErrors {
    logs: Arc<dyn Logs>,
    config: Arc<Config>,
}

impl TimeoutErrors {
    pub(super) fn new(logs: Arc<dyn Logs>, config: Arc<Config>) -> Self {
        TimeoutErrors { logs, config }
    }
}

#[async_trait]
impl Detector for TimeoutErrors {
    fn name(&self) -> &str {
        "timeouts"
    }

    fn resource(&self) -> &str {
        &self.config.orchestrator.deployment
    }

    async fn observe(&self, ctx: &ObserveContext) -> Result<Observation> {
        let c = &self.config;
        let t = &c.timeouts;
        let since = time::sub(ctx.now, c.window);
        // One more than the threshold is enough to tell.
        let limit = t.threshold.saturating_add(1).max(1);
        let events = self
            .logs
            .filter(&t.log_group, &t.pattern, since, limit)
            .await?;
        if t.threshold == 0 || events.len() < t.threshold {
            return Ok(Observation::Healthy);
        }
        let mut symptom = Symptom::new(
            format!(
                "{}{} timeout errors in {} in the last {}",
                if events.len() > t.threshold {
                    "over "
                } else {
                    ""
                },
                t.threshold,
                t.log_group,
                HumanDuration(c.window)
            ),
            Impact::degraded(c.affected_share)?,
        );
        for event in events.iter().take(3) {
            symptom = symptom.with_evidence(event.message.clone());
        }
        Ok(Observation::Symptom(symptom))
    }
}
