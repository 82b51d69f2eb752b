//! Detectors: notice a symptom.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::severity::Impact;
use crate::time::Timestamp;

/// What a detector is told when it is asked to look.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ObserveContext {
    /// The clock's time for this tick.
    pub now: Timestamp,
}

impl ObserveContext {
    /// A context for a look at `now`.
    pub fn new(now: Timestamp) -> Self {
        ObserveContext { now }
    }
}

/// A symptom: what is wrong, how many users it hurts, and the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Symptom {
    /// One line for people: `p99 latency 2.4 s > 2 s`.
    pub summary: String,
    /// Who is hurt.
    pub impact: Impact,
    /// Raw evidence: values, log lines.
    #[serde(default)]
    pub evidence: Vec<String>,
}

impl Symptom {
    /// A symptom with a summary and an impact.
    pub fn new(summary: impl Into<String>, impact: Impact) -> Self {
        Symptom {
            summary: summary.into(),
            impact,
            evidence: Vec::new(),
        }
    }

    /// Adds a line of evidence.
    pub fn with_evidence(mut self, line: impl Into<String>) -> Self {
        self.evidence.push(line.into());
        self
    }
}

/// What one look found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Observation {
    /// Nothing wrong.
    Healthy,
    /// Something wrong.
    Symptom(Symptom),
    /// Abnormal, but below the incident threshold: an alert in the alerts channel
    /// (`#cato-alerts`, when alerts are on), no incident. Counts as healthy for the incident's
    /// streaks.
    Abnormal(Symptom),
}

impl Observation {
    /// Whether the look found nothing wrong.
    pub fn is_healthy(&self) -> bool {
        matches!(self, Observation::Healthy)
    }

    /// The symptom of a look that found something wrong or abnormal.
    pub fn symptom(&self) -> Option<&Symptom> {
        match self {
            Observation::Healthy => None,
            Observation::Symptom(s) | Observation::Abnormal(s) => Some(s),
        }
    }
}

/// Watches one resource for one symptom.
///
/// A detector that cannot look (its provider failed or timed out) returns an error; the engine
/// counts that as *unknown*, never as healthy.
///
/// # Examples
///
/// A detector of the runbook's "p99 latency > 2 seconds", reading a value the host updates:
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use async_trait::async_trait;
/// use cato_runbook_core::runbook::{Detector, Observation, ObserveContext, Symptom};
/// use cato_runbook_core::{Impact, Result};
///
/// #[derive(Debug)]
/// struct P99Above { millis: AtomicU64, threshold_ms: u64 }
///
/// #[async_trait]
/// impl Detector for P99Above {
///     fn name(&self) -> &str { "p99-latency" }
///     fn resource(&self) -> &str { "cato-orchestrator" }
///     async fn observe(&self, _ctx: &ObserveContext) -> Result<Observation> {
///         let p99 = self.millis.load(Ordering::Relaxed);
///         Ok(if p99 > self.threshold_ms {
///             Observation::Symptom(Symptom::new(
///                 format!("p99 {p99} ms > {} ms", self.threshold_ms),
///                 Impact::degraded(0.6)?,
///             ))
///         } else {
///             Observation::Healthy
///         })
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let detector = P99Above { millis: AtomicU64::new(2400), threshold_ms: 2000 };
/// let ctx = ObserveContext::new(chrono::DateTime::UNIX_EPOCH);
/// assert!(!detector.observe(&ctx).await?.is_healthy());
/// detector.millis.store(300, Ordering::Relaxed);
/// assert!(detector.observe(&ctx).await?.is_healthy());
/// # Ok::<(), cato_runbook_core::Error>(())
/// # }).unwrap();
/// ```
#[async_trait]
pub trait Detector: std::fmt::Debug + Send + Sync {
    /// A short, stable name: `p99-latency`.
    fn name(&self) -> &str;

    /// The resource watched: `cato-shadow-self`. With the runbook, it is the incident's dedup key.
    fn resource(&self) -> &str;

    /// Looks once.
    ///
    /// # Errors
    ///
    /// When the detector cannot tell (provider error, missing data). Never report `Healthy`
    /// for "could not look".
    async fn observe(&self, ctx: &ObserveContext) -> Result<Observation>;
}
