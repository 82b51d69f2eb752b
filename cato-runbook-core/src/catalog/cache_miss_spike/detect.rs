//! The symptom: the hit rate of the window since the previous sample, below the threshold.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;

use super::window::{HitRateMonitor, Measured, Sample};
use crate::error::{Error, ErrorKind, Result};
use crate::runbook::{Detector, Observation, ObserveContext, Symptom};
use crate::severity::Impact;
use crate::time::{self, Timestamp};

/// The most users a cache miss spike is said to affect: a miss is still answered (by the LLM,
/// slower and dearer), so the runbook's table counts it as a minor degradation (SEV3). Users who
/// see worse than that are the high-latency runbook's.
const MAX_AFFECTED_SHARE: f64 = 0.49;

/// The runbook's "cache hit rate drops below 70 %", over the window since the previous sample.
///
/// No data (the first sample, or a window with too few lookups) is never read as healthy or
/// sick: a previous symptom stands for up to `no_data_grace` (a sick cache does not resolve for
/// want of lookups), and otherwise — a previous healthy look included — the detector cannot
/// tell and says so with an error, which the engine counts as unknown.
#[derive(Debug)]
pub(crate) struct HitRateDetector {
    monitor: Arc<HitRateMonitor>,
    threshold: f64,
    no_data_grace: Duration,
    previous: Mutex<Option<(Observation, Timestamp)>>,
}

impl HitRateDetector {
    pub(crate) fn new(
        monitor: Arc<HitRateMonitor>,
        threshold: f64,
        no_data_grace: Duration,
    ) -> Self {
        HitRateDetector {
            monitor,
            threshold,
            no_data_grace,
            previous: Mutex::new(None),
        }
    }

    fn judge(&self, m: &Measured) -> Result<Observation> {
        let rate = m.hit_rate();
        if rate >= self.threshold {
            return Ok(Observation::Healthy);
        }
        let impact = Impact::degraded((1.0 - rate).min(MAX_AFFECTED_SHARE))?;
        Ok(Observation::Symptom(
            Symptom::new(
                format!(
                    "cache hit rate {:.0} % < {:.0} % on {}",
                    rate * 100.0,
                    self.threshold * 100.0,
                    self.monitor.cache()
                ),
                impact,
            )
            .with_evidence(m.describe())
            .with_evidence(format!(
                "misses go to the LLMs: higher cost and latency for {:.0} % of lookups",
                (1.0 - rate) * 100.0
            )),
        ))
    }

    fn previous(&self) -> std::sync::MutexGuard<'_, Option<(Observation, Timestamp)>> {
        self.previous.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn no_data(&self, now: Timestamp, why: String) -> Result<Observation> {
        // Only a symptom stands: a healthy look is never replayed while nothing can be seen.
        if let Some((observation @ Observation::Symptom(_), at)) = self.previous().as_ref()
            && time::elapsed(*at, now) <= self.no_data_grace
        {
            return Ok(observation.clone());
        }
        Err(Error::new(
            ErrorKind::Unavailable,
            "cache-miss-spike.observe",
            format!("{why}: cannot tell the hit rate"),
        )
        .with_resource(self.monitor.cache().to_owned()))
    }
}

#[async_trait]
impl Detector for HitRateDetector {
    fn name(&self) -> &str {
        "cache-hit-rate"
    }

    fn resource(&self) -> &str {
        self.monitor.cache()
    }

    async fn observe(&self, ctx: &ObserveContext) -> Result<Observation> {
        match self.monitor.sample().await? {
            Sample::Window(m) => {
                let observation = self.judge(&m)?;
                *self.previous() = Some((observation.clone(), ctx.now));
                Ok(observation)
            }
            Sample::First => self.no_data(
                ctx.now,
                "first sample of the counters; a window needs two".to_owned(),
            ),
            Sample::Thin { lookups, since } => self.no_data(
                ctx.now,
                format!("only {lookups} lookups since {}", since.format("%H:%M:%S")),
            ),
        }
    }
}
