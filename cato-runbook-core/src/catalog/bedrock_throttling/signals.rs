//! The throttle rate, measured from `AWS/Bedrock` metrics: over a window, and since a change.

use std::collections::BTreeMap;
use std::time::Duration;

use super::Config;
use crate::catalog::kit;
use crate::error::{Error, ErrorKind, Result};
use crate::ports::{Dimension, MetricQuery, MetricSeries, Metrics, Statistic};
use crate::time::Timestamp;

const MINUTE: Duration = Duration::from_secs(60);

/// Bedrock calls over a window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Throttling {
    /// Calls served.
    pub served: f64,
    /// Calls throttled.
    pub throttled: f64,
    /// The most calls (served + throttled) in one minute.
    pub peak_per_minute: f64,
}

impl Throttling {
    /// Calls attempted.
    pub(super) fn attempts(&self) -> f64 {
        self.served + self.throttled
    }

    /// The throttled share of calls, 0 without calls.
    pub(super) fn rate(&self) -> f64 {
        let attempts = self.attempts();
        if attempts > 0.0 {
            (self.throttled / attempts).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// Whether this is the runbook's symptom.
    pub(super) fn is_symptom(&self, config: &Config) -> bool {
        self.rate() >= config.throttle_rate && self.throttled >= config.min_throttles as f64
    }

    /// `11.2 % of 1107 calls throttled`.
    pub(super) fn describe(&self) -> String {
        format!(
            "{:.1} % of {:.0} calls throttled ({:.0} served, {:.0} throttled; peak {:.0} calls/min)",
            self.rate() * 100.0,
            self.attempts(),
            self.served,
            self.throttled,
            self.peak_per_minute
        )
    }
}

fn sum_query(id: &str, namespace: &str, metric: &str, dimension: Dimension) -> MetricQuery {
    MetricQuery {
        id: id.into(),
        namespace: namespace.into(),
        metric: metric.into(),
        dimensions: vec![dimension],
        statistic: Statistic::Sum,
        period: MINUTE,
    }
}

/// Per-minute sums of two series, by minute; `None` when neither has data.
fn by_minute(series: &[MetricSeries]) -> Option<BTreeMap<Timestamp, (f64, f64)>> {
    let mut minutes: BTreeMap<Timestamp, (f64, f64)> = BTreeMap::new();
    let mut any = false;
    for (i, s) in series.iter().take(2).enumerate() {
        for p in &s.points {
            any = true;
            let slot = minutes.entry(p.at).or_default();
            if i == 0 {
                slot.0 += p.value;
            } else {
                slot.1 += p.value;
            }
        }
    }
    any.then_some(minutes)
}

/// Bedrock calls to `model` over `[start, end)`; `None` when there were none at all.
pub(super) async fn measure(
    metrics: &dyn Metrics,
    model: &str,
    start: Timestamp,
    end: Timestamp,
) -> Result<Option<Throttling>> {
    let model = Dimension::new("ModelId", model);
    let queries = [
        sum_query("served", "AWS/Bedrock", "Invocations", model.clone()),
        sum_query("throttled", "AWS/Bedrock", "InvocationThrottles", model),
    ];
    let series = metrics.query(&queries, start, end).await?;
    Ok(by_minute(&series).map(|minutes| {
        let mut t = Throttling {
            served: 0.0,
            throttled: 0.0,
            peak_per_minute: 0.0,
        };
        for (served, throttled) in minutes.values() {
            t.served += served;
            t.throttled += throttled;
            t.peak_per_minute = t.peak_per_minute.max(served + throttled);
        }
        t
    }))
}

/// Shadow Self's invocations and 5XX errors over `[start, end)`; `None` without data.
pub(super) async fn endpoint_errors(
    metrics: &dyn Metrics,
    endpoint: &str,
    start: Timestamp,
    end: Timestamp,
) -> Result<Option<(f64, f64)>> {
    let endpoint = Dimension::new("EndpointName", endpoint);
    let queries = [
        sum_query("calls", "AWS/SageMaker", "Invocations", endpoint.clone()),
        sum_query("errors", "AWS/SageMaker", "Invocation5XXErrors", endpoint),
    ];
    let series = metrics.query(&queries, start, end).await?;
    Ok(by_minute(&series).map(|minutes| {
        minutes
            .values()
            .fold((0.0, 0.0), |(c, e), (calls, errors)| {
                (c + calls, e + errors)
            })
    }))
}

/// Whether the throttled share since a change planned at `planned_at` dropped enough from
/// `before` (the share then): the symptom is gone, or the share fell by
/// [`Config::min_improvement`] of what it was (only the former when the share then is unknown);
/// and the line that says so.
///
/// # Errors
///
/// The metrics' error, or `Unavailable` when no Bedrock call has data since the change.
pub(super) async fn improved_since(
    metrics: &dyn Metrics,
    config: &Config,
    planned_at: Timestamp,
    before: Option<f64>,
    now: Timestamp,
) -> Result<(bool, String)> {
    let start = kit::since_change(planned_at, now, config.window);
    // Nothing read is no verdict: a verification passes only on data (tried again later).
    let measured = measure(metrics, &config.model_id, start, now).await?;
    let Some(after) = measured.filter(|t| t.served + t.throttled > 0.0) else {
        return Err(Error::new(
            ErrorKind::Unavailable,
            "bedrock-throttling.verify",
            format!(
                "no Bedrock call to {} since the change: cannot tell whether it helped",
                config.model_id
            ),
        )
        .with_resource(config.model_id.clone()));
    };
    let passed = !after.is_symptom(config)
        || before.is_some_and(|before| after.rate() <= before * (1.0 - config.min_improvement));
    let before = before.map_or_else(
        || "unknown before (no Bedrock call measured when the step was planned)".to_owned(),
        |before| format!("{:.1} % before", before * 100.0),
    );
    Ok((
        passed,
        format!(
            "Bedrock throttled {:.1} % of calls since the change, {before}",
            after.rate() * 100.0
        ),
    ))
}
