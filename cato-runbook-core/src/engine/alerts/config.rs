//! `[engine.alerts]`: on or off, the channel, the dedupe window, the hourly limit, and the
//! custom metrics a team names.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::bounds;
use crate::error::{Error, Result};
use crate::ports::{Dimension, Statistic};

/// The alerts channel: what is abnormal but opens no incident.
///
/// ```
/// use cato_runbook_core::engine::AlertsConfig;
///
/// let alerts: AlertsConfig = toml::from_str(r#"
///     enabled = true
///     [[metrics]]
///     name = "invalidations"
///     namespace = "Custom/Cato"
///     metric = "CacheInvalidations"
///     statistic = "Sum"
///     threshold = 50.0
///     comparison = "above"
///     period = "1m"
/// "#)?;
/// assert_eq!(alerts.channel, "#cato-alerts");
/// assert!(alerts.validate().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct AlertsConfig {
    /// Whether alerts are posted. Default off.
    pub enabled: bool,
    /// Where. Default `#cato-alerts`.
    pub channel: String,
    /// The same alert is not posted again within this long: above 0s, at most 24 h. Default
    /// 30 min.
    #[serde(with = "humantime_serde")]
    pub dedupe_window: Duration,
    /// At most this many alerts are posted in any hour; more are dropped (and logged). 1 to
    /// 1000; default 20.
    pub max_per_hour: u32,
    /// Custom metrics watched for the alerts channel only: they never open an incident.
    pub metrics: Vec<CustomMetric>,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            enabled: false,
            channel: "#cato-alerts".to_owned(),
            dedupe_window: Duration::from_secs(30 * 60),
            max_per_hour: 20,
            metrics: Vec::new(),
        }
    }
}

/// Which side of the threshold is abnormal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// A value above the threshold.
    Above,
    /// A value below the threshold.
    Below,
}

impl Comparison {
    /// Whether `value` is on the abnormal side of `threshold`.
    pub fn breached(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Above => value > threshold,
            Comparison::Below => value < threshold,
        }
    }

    /// `>` or `<`.
    pub fn sign(self) -> &'static str {
        match self {
            Comparison::Above => ">",
            Comparison::Below => "<",
        }
    }
}

/// A custom metric a team names: its series, and what value is abnormal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomMetric {
    /// A short name, unique among the metrics: it names the alert.
    pub name: String,
    /// The namespace, e.g. `Custom/Cato`.
    pub namespace: String,
    /// The metric, e.g. `CacheInvalidations`.
    pub metric: String,
    /// Its dimensions, by name.
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
    /// The statistic: `Average`, `Sum`, `Minimum`, `Maximum`, `SampleCount` or `pNN`.
    pub statistic: Statistic,
    /// The threshold.
    pub threshold: f64,
    /// Which side of it is abnormal.
    pub comparison: Comparison,
    /// The period of one datapoint, whole seconds from 1 s to 24 h; the latest complete one is
    /// judged.
    #[serde(with = "humantime_serde")]
    pub period: Duration,
}

impl CustomMetric {
    /// The dimensions, as the metrics port takes them.
    pub fn dimensions(&self) -> Vec<Dimension> {
        self.dimensions
            .iter()
            .map(|(name, value)| Dimension::new(name, value))
            .collect()
    }
}

impl AlertsConfig {
    /// Checks every value.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the key
    /// (`engine.alerts.metrics[1].period: …`).
    pub fn validate(&self) -> Result<()> {
        let bad = |key: String, why: &str| {
            Err(Error::invalid_input(
                "engine.config",
                format!("engine.alerts.{key}: {why}"),
            ))
        };
        if !self.channel.starts_with('#') || self.channel.trim_start_matches('#').trim().is_empty()
        {
            return bad("channel".into(), "a channel name starting with #");
        }
        if self.dedupe_window.is_zero() {
            return bad("dedupe_window".into(), "must be more than 0");
        }
        if let Err(why) = bounds::duration(self.dedupe_window, Duration::ZERO, MAX_DEDUPE_WINDOW) {
            return bad("dedupe_window".into(), &why);
        }
        if self.max_per_hour == 0 {
            return bad("max_per_hour".into(), "must be at least 1");
        }
        if let Err(why) = bounds::count(u64::from(self.max_per_hour), 1, MAX_PER_HOUR) {
            return bad("max_per_hour".into(), &why);
        }
        let mut names = std::collections::BTreeSet::new();
        for (index, metric) in self.metrics.iter().enumerate() {
            let key = |field: &str| format!("metrics[{index}].{field}");
            if metric.name.trim().is_empty() || !names.insert(metric.name.as_str()) {
                return bad(key("name"), "a name of its own, not blank");
            }
            if metric.namespace.trim().is_empty() {
                return bad(key("namespace"), "not blank");
            }
            if metric.metric.trim().is_empty() {
                return bad(key("metric"), "not blank");
            }
            if metric
                .dimensions
                .iter()
                .any(|(name, value)| name.trim().is_empty() || value.trim().is_empty())
            {
                return bad(key("dimensions"), "names and values not blank");
            }
            if !metric.threshold.is_finite() {
                return bad(key("threshold"), "a finite number");
            }
            if metric.period.as_secs() < 1 || metric.period.subsec_nanos() != 0 {
                return bad(key("period"), "whole seconds, at least 1s");
            }
            if let Err(why) = bounds::duration(metric.period, Duration::ZERO, MAX_PERIOD) {
                return bad(key("period"), &why);
            }
        }
        Ok(())
    }
}

/// The longest dedupe window: an alert repeats at least daily.
const MAX_DEDUPE_WINDOW: Duration = Duration::from_secs(24 * 3600);
/// The most alerts an hour: more is a flood, not a limit.
const MAX_PER_HOUR: u64 = 1000;
/// The longest period of a custom metric's datapoint.
const MAX_PERIOD: Duration = Duration::from_secs(24 * 3600);
