//! The symptoms: 5XX errors, slow introspection, the circuit breaker, and no instance serving.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::Config;
use crate::catalog::circuit_breaker::{BreakerState, CircuitBreaker};
use crate::catalog::kit::{self, last_minutes};
use crate::error::{Error, ErrorKind, Result};
use crate::ports::{
    Dimension, EndpointDescription, EndpointStatus, MetricQuery, Metrics, ModelEndpoint, Statistic,
    Variant,
};
use crate::runbook::{Detector, Observation, ObserveContext, Symptom};
use crate::severity::Impact;
use crate::time::{HumanDuration, Timestamp};

const MINUTE: Duration = Duration::from_secs(60);

/// `EndpointName` and `VariantName`, as SageMaker publishes its invocation metrics.
fn endpoint_dimensions(config: &Config) -> Vec<Dimension> {
    vec![
        Dimension::new("EndpointName", config.endpoint.clone()),
        Dimension::new("VariantName", config.variant.clone()),
    ]
}

fn sagemaker(
    id: &str,
    metric: &str,
    statistic: Statistic,
    period: Duration,
    config: &Config,
) -> MetricQuery {
    MetricQuery {
        id: id.to_owned(),
        namespace: "AWS/SageMaker".into(),
        metric: metric.into(),
        dimensions: endpoint_dimensions(config),
        statistic,
        period,
    }
}

/// Invocations and 5XX answers of the endpoint over a window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Invocations {
    pub(super) total: f64,
    pub(super) errors: f64,
}

impl Invocations {
    /// 5XX answers, percent of invocations.
    pub(super) fn error_percent(&self) -> f64 {
        if self.total > 0.0 {
            (self.errors * 100.0 / self.total).min(100.0)
        } else {
            0.0
        }
    }
}

/// The endpoint's `Invocations` and `Invocation5XXErrors` sums, one-minute periods: built once
/// where they are read every tick (the detectors).
#[derive(Debug, Clone)]
pub(super) struct InvocationQueries([MetricQuery; 2]);

impl InvocationQueries {
    pub(super) fn of(config: &Config) -> Self {
        InvocationQueries([
            sagemaker("invocations", "Invocations", Statistic::Sum, MINUTE, config),
            sagemaker(
                "errors",
                "Invocation5XXErrors",
                Statistic::Sum,
                MINUTE,
                config,
            ),
        ])
    }
}

/// `Invocations` and `Invocation5XXErrors` summed over `[start, end)`, in one query.
pub(super) async fn invocations(
    metrics: &dyn Metrics,
    queries: &InvocationQueries,
    config: &Config,
    start: Timestamp,
    end: Timestamp,
) -> Result<Invocations> {
    let series = metrics.query(&queries.0, start, end).await?;
    // A series without data is not zero: SageMaker publishes both, zeros included, while the
    // endpoint is there to count; without them the share cannot be told.
    let sum = |id: &str, metric: &str| {
        kit::total(&series, id).ok_or_else(|| {
            Error::new(
                ErrorKind::Unavailable,
                "endpoint-5xx",
                format!(
                    "no {metric} data for {} between {} and {}: cannot tell the 5XX share",
                    config.endpoint,
                    start.format("%H:%M"),
                    end.format("%H:%M")
                ),
            )
            .with_resource(config.endpoint.clone())
        })
    };
    Ok(Invocations {
        total: sum("invocations", "Invocations")?,
        errors: sum("errors", "Invocation5XXErrors")?,
    })
}

/// "5XX errors from `/api/admin/cato/shadow-self/*`": the endpoint's 5XX share.
#[derive(Debug)]
pub(super) struct EndpointErrors {
    metrics: Arc<dyn Metrics>,
    queries: InvocationQueries,
    config: Arc<Config>,
}

impl EndpointErrors {
    pub(super) fn new(metrics: Arc<dyn Metrics>, config: Arc<Config>) -> Self {
        EndpointErrors {
            metrics,
            queries: InvocationQueries::of(&config),
            config,
        }
    }
}

#[async_trait]
impl Detector for EndpointErrors {
    fn name(&self) -> &str {
        "endpoint-5xx"
    }

    fn resource(&self) -> &str {
        &self.config.endpoint
    }

    /// Few invocations (fewer than `min_invocations`) is healthy for this symptom: nothing
    /// failed. `endpoint-instances` watches an endpoint nobody calls. No data at all is no
    /// look: an error, which the engine counts as unknown.
    async fn observe(&self, ctx: &ObserveContext) -> Result<Observation> {
        let c = &self.config;
        let (start, end) = last_minutes(ctx.now, c.window);
        let counts = invocations(self.metrics.as_ref(), &self.queries, c, start, end).await?;
        let rate = counts.error_percent();
        if counts.total < c.min_invocations as f64 || rate <= c.error_rate_threshold_percent {
            return Ok(Observation::Healthy);
        }
        let impact = if rate >= c.outage_error_rate_percent {
            Impact::outage()
        } else {
            Impact::degraded(rate / 100.0)?
        };
        Ok(Observation::Symptom(
            Symptom::new(
                format!(
                    "5XX on {rate:.0} % of {} invocations of {} in the last {} (threshold {} %)",
                    counts.total,
                    c.endpoint,
                    HumanDuration(c.window),
                    c.error_rate_threshold_percent
                ),
                impact,
            )
            .with_evidence(format!(
                "Invocation5XXErrors {} / Invocations {}",
                counts.errors, counts.total
            )),
        ))
    }
}

/// "High latency on introspection queries": the endpoint's `ModelLatency` p99.
#[derive(Debug)]
pub(super) struct IntrospectionLatency {
    metrics: Arc<dyn Metrics>,
    latency: LatencyQueries,
    invocations: InvocationQueries,
    config: Arc<Config>,
}

impl IntrospectionLatency {
    pub(super) fn new(metrics: Arc<dyn Metrics>, config: Arc<Config>) -> Self {
        IntrospectionLatency {
            metrics,
            latency: LatencyQueries::of(&config),
            invocations: InvocationQueries::of(&config),
            config,
        }
    }
}

/// The endpoint's `ModelLatency` p99 and p50, one period over the config's window (at least a
/// minute).
#[derive(Debug, Clone)]
pub(super) struct LatencyQueries([MetricQuery; 2]);

impl LatencyQueries {
    pub(super) fn of(config: &Config) -> Self {
        let span = config.window.max(MINUTE);
        LatencyQueries([
            sagemaker(
                "p99",
                "ModelLatency",
                Statistic::Percentile(99.0),
                span,
                config,
            ),
            sagemaker(
                "p50",
                "ModelLatency",
                Statistic::Percentile(50.0),
                span,
                config,
            ),
        ])
    }
}

/// `ModelLatency` p99 and p50 over `[start, end)` (the config's last window), in microseconds
/// as SageMaker reports them.
pub(super) async fn model_latency(
    metrics: &dyn Metrics,
    queries: &LatencyQueries,
    start: Timestamp,
    end: Timestamp,
) -> Result<(Option<f64>, Option<f64>)> {
    let series = metrics.query(&queries.0, start, end).await?;
    Ok((kit::peak(&series, "p99"), kit::peak(&series, "p50")))
}

#[async_trait]
impl Detector for IntrospectionLatency {
    fn name(&self) -> &str {
        "introspection-latency"
    }

    fn resource(&self) -> &str {
        &self.config.endpoint
    }

    /// No latency data is a look only when the invocations show that nothing was answered
    /// (none came, or every one failed): then nothing was slow, and the other detectors see an
    /// endpoint that answers nothing. Answers without latency data, or no invocation data
    /// either, cannot be told: an error, which the engine counts as unknown.
    async fn observe(&self, ctx: &ObserveContext) -> Result<Observation> {
        let c = &self.config;
        let (start, end) = last_minutes(ctx.now, c.window);
        let (p99, p50) = model_latency(self.metrics.as_ref(), &self.latency, start, end).await?;
        let threshold_us = c.introspection_latency_p99.as_secs_f64() * 1e6;
        let Some(p99) = p99 else {
            let counts =
                invocations(self.metrics.as_ref(), &self.invocations, c, start, end).await?;
            let answered = counts.total - counts.errors;
            if answered > 0.0 {
                return Err(Error::new(
                    ErrorKind::Unavailable,
                    "introspection-latency",
                    format!(
                        "no ModelLatency data for {} while it answered {answered} invocations in the last {}: cannot tell the p99",
                        c.endpoint,
                        HumanDuration(c.window)
                    ),
                )
                .with_resource(c.endpoint.clone()));
            }
            return Ok(Observation::Healthy);
        };
        if p99 <= threshold_us {
            return Ok(Observation::Healthy);
        }
        // At least 1 % of the queries are slower than the threshold; at least half when the
        // median is. Without a median, only what the p99 shows: 1 %.
        let share = if p50.is_some_and(|p50| p50 > threshold_us) {
            0.5
        } else {
            0.01
        };
        let p50 = p50.map_or_else(
            || "p50 unavailable (no ModelLatency p50 data): the share slow taken as 1 %".to_owned(),
            |p50| format!("p50 {p50:.0} µs"),
        );
        Ok(Observation::Symptom(
            Symptom::new(
                format!(
                    "introspection p99 {:.1} s > {} on {} (ModelLatency, last {})",
                    p99 / 1e6,
                    HumanDuration(c.introspection_latency_p99),
                    c.endpoint,
                    HumanDuration(c.window)
                ),
                Impact::degraded(share)?,
            )
            .with_evidence(format!("ModelLatency p99 {p99:.0} µs, {p50}")),
        ))
    }
}

/// The variant the runbook checks (`ProductionVariants[0]` when the config names none there).
pub(super) fn variant<'a>(
    description: &'a EndpointDescription,
    config: &Config,
) -> Result<&'a Variant> {
    kit::variant(
        description,
        &config.endpoint,
        &config.variant,
        kit::DESCRIBE_ENDPOINT,
    )
}

/// "Check if instances are healthy": no instance in service, or a failed endpoint.
#[derive(Debug)]
pub(super) struct EndpointInstances {
    endpoint: Arc<dyn ModelEndpoint>,
    config: Arc<Config>,
}

impl EndpointInstances {
    pub(super) fn new(endpoint: Arc<dyn ModelEndpoint>, config: Arc<Config>) -> Self {
        EndpointInstances { endpoint, config }
    }
}

#[async_trait]
impl Detector for EndpointInstances {
    fn name(&self) -> &str {
        "endpoint-instances"
    }

    fn resource(&self) -> &str {
        &self.config.endpoint
    }

    async fn observe(&self, _ctx: &ObserveContext) -> Result<Observation> {
        let c = &self.config;
        let d = self.endpoint.describe(&c.endpoint).await?;
        let serving = variant(&d, c)?.current_instances;
        let down = matches!(
            d.status,
            EndpointStatus::Failed | EndpointStatus::OutOfService
        );
        if serving > 0 && !down {
            return Ok(Observation::Healthy);
        }
        let mut symptom = Symptom::new(
            format!(
                "{} is {} with {serving} instances in service",
                c.endpoint, d.status
            ),
            Impact::outage(),
        )
        .with_evidence(format!("config {}", d.config_name));
        if let Some(reason) = &d.failure_reason {
            symptom = symptom.with_evidence(format!("failure reason: {reason}"));
        }
        Ok(Observation::Symptom(symptom))
    }
}

/// "Circuit breaker OPEN": the host's breaker refuses calls (`OPEN`) or lets only a few trial
/// calls through (`HALF_OPEN`); either way callers fail.
#[derive(Debug)]
pub(super) struct BreakerOpen {
    breaker: CircuitBreaker,
    resource: String,
}

impl BreakerOpen {
    pub(super) fn new(breaker: CircuitBreaker, resource: String) -> Self {
        BreakerOpen { breaker, resource }
    }
}

#[async_trait]
impl Detector for BreakerOpen {
    fn name(&self) -> &str {
        "circuit-breaker"
    }

    fn resource(&self) -> &str {
        &self.resource
    }

    async fn observe(&self, _ctx: &ObserveContext) -> Result<Observation> {
        let snapshot = self.breaker.snapshot();
        if snapshot.state == BreakerState::Closed {
            return Ok(Observation::Healthy);
        }
        Ok(Observation::Symptom(
            Symptom::new(snapshot.to_string(), Impact::outage()).with_evidence(format!(
                "{} calls refused so far",
                snapshot.not_permitted_calls
            )),
        ))
    }
}
