//! The metrics port (CloudWatch metrics): many series per call, and custom metrics.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
/// The strings of a query (its namespace, metric and dimensions): a copy of one costs no allocation
/// (short ones are held inline, longer ones shared), and a tick copies thousands of queries.
pub use smol_str::SmolStr;

use crate::error::{Error, Result};
use crate::time::Timestamp;

/// A statistic over a period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Statistic {
    /// Mean.
    Average,
    /// Sum.
    Sum,
    /// Smallest value.
    Minimum,
    /// Largest value.
    Maximum,
    /// Number of samples.
    SampleCount,
    /// A percentile, e.g. `Percentile(99.0)` for p99.
    Percentile(f64),
}

impl fmt::Display for Statistic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Statistic::Average => f.write_str("Average"),
            Statistic::Sum => f.write_str("Sum"),
            Statistic::Minimum => f.write_str("Minimum"),
            Statistic::Maximum => f.write_str("Maximum"),
            Statistic::SampleCount => f.write_str("SampleCount"),
            Statistic::Percentile(p) => write!(f, "p{p}"),
        }
    }
}

impl FromStr for Statistic {
    type Err = Error;
    /// `Average`, `Sum`, `Minimum`, `Maximum`, `SampleCount` or `pNN` (`p99`, `p99.9`).
    fn from_str(text: &str) -> Result<Self> {
        Ok(match text {
            "Average" => Statistic::Average,
            "Sum" => Statistic::Sum,
            "Minimum" => Statistic::Minimum,
            "Maximum" => Statistic::Maximum,
            "SampleCount" => Statistic::SampleCount,
            other => match other.strip_prefix('p').map(str::parse::<f64>) {
                Some(Ok(p)) if p > 0.0 && p <= 100.0 => Statistic::Percentile(p),
                _ => {
                    return Err(Error::invalid_input(
                        "statistic.parse",
                        format!(
                            "{text:?} is not a statistic; expected Average, Sum, Minimum, Maximum, SampleCount or pNN"
                        ),
                    ));
                }
            },
        })
    }
}

impl TryFrom<String> for Statistic {
    type Error = Error;
    fn try_from(text: String) -> Result<Self> {
        text.parse()
    }
}

impl From<Statistic> for String {
    fn from(stat: Statistic) -> String {
        stat.to_string()
    }
}

/// A metric dimension, `Name=EndpointName,Value=cato-shadow-self`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Dimension {
    /// The dimension's name.
    pub name: SmolStr,
    /// Its value.
    pub value: SmolStr,
}

impl Dimension {
    /// `name=value`.
    pub fn new(name: impl Into<SmolStr>, value: impl Into<SmolStr>) -> Self {
        Dimension {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// One series to fetch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricQuery {
    /// The caller's id for the series in the answer (`[a-z][a-zA-Z0-9_]*` for CloudWatch).
    pub id: String,
    /// e.g. `AWS/SageMaker`, `Custom/Cato`.
    pub namespace: SmolStr,
    /// e.g. `ModelLatency`.
    pub metric: SmolStr,
    /// e.g. `EndpointName=cato-shadow-self`.
    pub dimensions: Vec<Dimension>,
    /// e.g. p99.
    pub statistic: Statistic,
    /// The bucket width, e.g. 60 s.
    pub period: Duration,
}

/// A point of a series: the start of its period and the statistic's value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Datapoint {
    /// Start of the period.
    pub at: Timestamp,
    /// The statistic over the period.
    pub value: f64,
}

/// The answer for one query, points oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricSeries {
    /// The query's id.
    pub id: String,
    /// Its points, oldest first; empty when there was no data.
    pub points: Vec<Datapoint>,
}

impl MetricSeries {
    /// The newest value, if any.
    pub fn latest(&self) -> Option<f64> {
        self.points.last().map(|p| p.value)
    }
}

/// A metrics service.
#[async_trait]
pub trait Metrics: fmt::Debug + fmt::Display + Send + Sync {
    /// Fetches every query over `[start, end)` in as few calls as the service allows. The answer
    /// has one series per query, in query order.
    async fn query(
        &self,
        queries: &[MetricQuery],
        start: Timestamp,
        end: Timestamp,
    ) -> Result<Vec<MetricSeries>>;

    /// Records one value of a custom metric (`Custom/Cato`).
    async fn put(
        &self,
        namespace: &str,
        metric: &str,
        dimensions: &[Dimension],
        value: f64,
        at: Timestamp,
    ) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_parse_and_print() {
        for (text, stat) in [
            ("Average", Statistic::Average),
            ("SampleCount", Statistic::SampleCount),
            ("p99", Statistic::Percentile(99.0)),
            ("p99.9", Statistic::Percentile(99.9)),
        ] {
            assert_eq!(text.parse::<Statistic>().unwrap(), stat);
            assert_eq!(stat.to_string(), text);
        }
        for bad in ["", "p", "p0", "p101", "average", "pxx"] {
            assert!(bad.parse::<Statistic>().is_err(), "{bad}");
        }
        let json = serde_json::to_string(&Statistic::Percentile(99.0)).unwrap();
        assert_eq!(json, "\"p99\"");
    }
}
