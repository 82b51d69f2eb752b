//! CloudWatch alarms of the world: scripted, or on a metric with a threshold.

use std::time::Duration;

use cato_runbook_core::Result;
use cato_runbook_core::ports::{AlarmValue, Dimension, Statistic};
use serde::{Deserialize, Serialize};

use super::invalid;

/// One alarm. Without a metric it holds its state until a
/// [`WorldChange::AlarmState`](crate::WorldChange::AlarmState) sets another; with one, it is
/// evaluated at each minute from the world's metric (a set state lasts until the next
/// evaluation, as `SetAlarmState` does): `ALARM` when every datapoint of the last
/// `evaluation_periods` periods crosses the threshold, `INSUFFICIENT_DATA` when there is none
/// (the metric stopped), `OK` otherwise.
///
/// ```
/// use cato_runbook_mock::config::AlarmSpec;
///
/// let alarm: AlarmSpec = toml::from_str(r#"
///     name = "cato-shadow-self-5xx"
///     [metric]
///     namespace = "AWS/SageMaker"
///     metric = "Invocation5XXErrors"
///     dimensions = [{ name = "EndpointName", value = "cato-shadow-self" }]
///     threshold = 10
/// "#)?;
/// assert_eq!(alarm.metric.unwrap().evaluation_periods, 1);
/// # Ok::<(), toml::de::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlarmSpec {
    /// Its name.
    pub name: String,
    /// Its state at the start (a metric alarm's first evaluation replaces it). Default `OK`.
    #[serde(default = "ok")]
    pub state: AlarmValue,
    /// Why, at the start.
    #[serde(default)]
    pub reason: String,
    /// The metric it watches; `None`: a scripted alarm.
    #[serde(default)]
    pub metric: Option<AlarmMetric>,
}

fn ok() -> AlarmValue {
    AlarmValue::Ok
}

/// The metric an alarm watches and its threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlarmMetric {
    /// e.g. `AWS/SageMaker`.
    pub namespace: String,
    /// e.g. `Invocation5XXErrors`.
    pub metric: String,
    /// Its dimensions.
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
    /// Default `Sum`.
    #[serde(default = "sum")]
    pub statistic: Statistic,
    /// A whole number of minutes. Default 1 min.
    #[serde(default = "minute", with = "humantime_serde")]
    pub period: Duration,
    /// Periods evaluated. Default 1.
    #[serde(default = "one")]
    pub evaluation_periods: u32,
    /// The threshold.
    pub threshold: f64,
    /// How a datapoint crosses it. Default `greater_than`.
    #[serde(default)]
    pub comparison: Comparison,
}

fn sum() -> Statistic {
    Statistic::Sum
}
fn minute() -> Duration {
    Duration::from_secs(60)
}
fn one() -> u32 {
    1
}

/// CloudWatch's comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// `GreaterThanThreshold`.
    #[default]
    GreaterThan,
    /// `GreaterThanOrEqualToThreshold`.
    GreaterThanOrEqual,
    /// `LessThanThreshold`.
    LessThan,
    /// `LessThanOrEqualToThreshold`.
    LessThanOrEqual,
}

impl Comparison {
    /// Whether `value` crosses `threshold`.
    pub fn crosses(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::GreaterThan => value > threshold,
            Comparison::GreaterThanOrEqual => value >= threshold,
            Comparison::LessThan => value < threshold,
            Comparison::LessThanOrEqual => value <= threshold,
        }
    }

    /// As an alarm's reason says it.
    pub fn words(self) -> &'static str {
        match self {
            Comparison::GreaterThan => "greater than",
            Comparison::GreaterThanOrEqual => "greater than or equal to",
            Comparison::LessThan => "less than",
            Comparison::LessThanOrEqual => "less than or equal to",
        }
    }
}

impl AlarmSpec {
    /// Checks the alarm at `alarms[i]`.
    pub(super) fn validate(&self, i: usize) -> Result<()> {
        let at = |field: &str| format!("alarms[{i}].{field}");
        if let Some(m) = &self.metric {
            if m.namespace.is_empty() || m.metric.is_empty() {
                return Err(invalid(at("metric"), "needs a namespace and a metric"));
            }
            let secs = m.period.as_secs();
            if secs == 0 || secs % 60 != 0 || m.period.subsec_nanos() != 0 {
                return Err(invalid(at("metric.period"), "must be whole minutes"));
            }
            if m.evaluation_periods == 0 {
                return Err(invalid(
                    at("metric.evaluation_periods"),
                    "must be at least 1",
                ));
            }
            if !m.threshold.is_finite() {
                return Err(invalid(at("metric.threshold"), "must be a finite number"));
            }
        }
        Ok(())
    }
}
