//! Bedrock Throttling.
//!
//! > **Symptoms:**
//! > - `ThrottlingException` in logs
//! > - Increased error rate
//! > - Fallback to Haiku/static responses
//! >
//! > **Diagnosis:**
//! > ```bash
//! > # Check Bedrock quotas
//! > aws service-quotas get-service-quota \
//! >   --service-code bedrock \
//! >   --quota-code L-XXXXXXXX
//! > ```
//! >
//! > **Mitigation:**
//! > ```bash
//! > # 1. Request quota increase
//! > aws service-quotas request-service-quota-increase \
//! >   --service-code bedrock \
//! >   --quota-code L-XXXXXXXX \
//! >   --desired-value 10000
//! >
//! > # 2. Enable more aggressive caching
//! > # Reduce cache similarity threshold temporarily
//! >
//! > # 3. Shift more traffic to self-hosted Shadow Self
//! > ```
//!
//! # Symptoms → detectors
//!
//! Both watch the Bedrock model Cato calls ([`Config::model_id`], the incident's resource):
//!
//! - `bedrock-throttle-rate` — "increased error rate": `AWS/Bedrock` `InvocationThrottles`
//!   against `Invocations` over [`Config::window`]; a symptom from [`Config::throttle_rate`]
//!   (5 %) and [`Config::min_throttles`] throttled calls. A window without any Bedrock call is
//!   healthy (nothing to throttle); a failed query is unknown.
//! - `throttling-exceptions` — "`ThrottlingException` in logs": `filter-log-events` on the
//!   orchestrator's log group ([`Config::log_group`]); lines that mention a fallback are counted
//!   as the "fallback to Haiku/static responses" evidence.
//!
//! # Severity
//!
//! Every throttled call is answered by the fallback model or a static response: a user-visible
//! degradation, not an outage. The metric detector's impact is the throttled share of Bedrock
//! calls — an upper bound of the users affected, since answers from the cache and from Shadow
//! Self are untouched. So: **SEV3** while under half of the calls are throttled, **SEV2** from
//! half on ([`Severity::assess`](crate::Severity::assess)). The log detector alone cannot measure
//! a share and reports a minor degradation (SEV3).
//!
//! # Diagnosis
//!
//! - `bedrock-quota` — the seed's `get-service-quota` ([`QuotaIncrease::service`],
//!   [`QuotaIncrease::code`]) against the peak calls per minute: demand at or above the quota
//!   ranks "Bedrock quota too low for demand"; throttling well below it ranks "Bedrock
//!   throttling below the quota (service-side capacity)". Facts `bedrock.quota`,
//!   `bedrock.peak_calls_per_minute`, `bedrock.throttle_rate`.
//! - `throttling-logs` — the throttling lines and the fallback lines among them
//!   (`logs.throttling_lines`, `logs.fallback_lines`).
//! - `traffic-controls` — the traffic settings and the Shadow Self endpoint
//!   (`traffic.shadow_self_share`, `traffic.cache_similarity_threshold`,
//!   `traffic.emergency_mode`, `shadow_self.status`, `shadow_self.instances`,
//!   `shadow_self.serving`).
//! - the [first five minutes](super::first_five_minutes): dashboard, recent deployments (a
//!   deployment shortly before detection is ranked), cloud health events of `BEDROCK`.
//!
//! # Mitigation ladder
//!
//! 1. `request-quota-increase` — `request-service-quota-increase --desired-value 10000`, only
//!    when an operator approves, and only while the quota is below the desired value. Verified
//!    after [`QuotaIncrease::verify_after`] by reading the request's status back: approved
//!    passes; denied, or still pending, fails — the request stays open and the ladder moves on.
//! 2. `lower-cache-threshold` — "reduce cache similarity threshold temporarily": down by
//!    [`CacheThreshold::step`], never below [`CacheThreshold::floor`]. A *temporary* step
//!    ([`Mitigation::lasts_for`](crate::runbook::Mitigation::lasts_for)): the engine restores
//!    the threshold when the incident resolves, or after [`CacheThreshold::ttl`] if it is still
//!    open. Verified when the throttled share since the change fell below the symptom's
//!    threshold or by [`Config::min_improvement`] of what it was; otherwise restored at once.
//! 3. `shift-to-shadow-self` — "shift more traffic to self-hosted Shadow Self": the Shadow Self
//!    share up by [`TrafficShift::step`] toward [`TrafficShift::cap`], only while Shadow Self
//!    serves. Verified like step 2, and only while Shadow Self's 5XX rate stays at or under
//!    [`TrafficShift::max_error_rate`]; otherwise the share goes back.
//! 4. `enable-emergency-mode` — only with [`Config::emergency_mode_last`] (off by default): the
//!    general strategy, with approval, when nothing above helped.
//!
//! Then the incident is over to people (the engine escalates).
//!
//! # Root causes
//!
//! The seed lists none for this section; the ranking comes from the evidence: the quota against
//! demand, a recent deployment, an open cloud health event.

mod diagnose;
mod signals;
mod steps;

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::first_five_minutes::{self, BEDROCK_MODEL};
use super::log_symptom::{LogQuery, LogSymptom};
use super::strategies::EnableEmergencyMode;
use super::{CatalogConfig, Entry, PortName, Providers};
use crate::engine::{Runbook, SeverityRule};
use crate::error::{Error, Result};
use crate::severity::Impact;

/// The runbook's id.
pub const ID: &str = "bedrock-throttling";
/// The runbook's title: the seed's heading.
pub const TITLE: &str = "Bedrock Throttling";

/// What the log detector alone reports: some users get fallback answers, how many the lines
/// do not say — a minor degradation.
const LOG_ONLY_SHARE: f64 = 0.05;

/// The cloud services whose health events matter.
pub const CLOUD_SERVICES: [&str; 1] = ["BEDROCK"];

/// The catalog's entry.
pub const ENTRY: Entry = Entry {
    id: ID,
    title: TITLE,
    needs: &[
        PortName::Metrics,
        PortName::Logs,
        PortName::Quotas,
        PortName::Traffic,
        PortName::Endpoint,
    ],
    build,
};

/// Settings; every default is the seed's value or Cato's resource name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// The Bedrock model Cato calls (`ModelId` of the `AWS/Bedrock` metrics); the incident's
    /// resource.
    pub model_id: String,
    /// The orchestrator's log group. Default `/cato/orchestrator`.
    pub log_group: String,
    /// The filter pattern of a throttling line. Default `ThrottlingException`.
    pub log_pattern: String,
    /// How far back the detectors look. Default 5 min.
    #[serde(with = "humantime_serde")]
    pub window: Duration,
    /// The throttled share of Bedrock calls from which it is a symptom. Default 0.05.
    pub throttle_rate: f64,
    /// …with at least this many throttled calls in the window. Default 10.
    pub min_throttles: u64,
    /// Throttling lines in the window from which the log detector reports. Default 3.
    pub min_log_lines: usize,
    /// A step passes verification when the throttled share since the change is below
    /// `throttle_rate`, or fell by at least this fraction of what it was. Default 0.5.
    pub min_improvement: f64,
    /// Step 1: the quota increase.
    pub quota: QuotaIncrease,
    /// Step 2: the cache similarity threshold.
    pub cache_threshold: CacheThreshold,
    /// Step 3: the traffic shift to Shadow Self.
    pub traffic_shift: TrafficShift,
    /// Whether emergency mode (with approval) is the last step. Default off: every user's
    /// responses would be limited, while throttling hurts only the throttled calls.
    pub emergency_mode_last: bool,
    /// The first-five-minutes checks; cloud health events of [`CLOUD_SERVICES`] unless it names
    /// its own.
    pub first_five_minutes: first_five_minutes::Config,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            model_id: BEDROCK_MODEL.into(),
            log_group: "/cato/orchestrator".into(),
            log_pattern: "ThrottlingException".into(),
            window: Duration::from_secs(5 * 60),
            throttle_rate: 0.05,
            min_throttles: 10,
            min_log_lines: 3,
            min_improvement: 0.5,
            quota: QuotaIncrease::default(),
            cache_threshold: CacheThreshold::default(),
            traffic_shift: TrafficShift::default(),
            emergency_mode_last: false,
            first_five_minutes: first_five_minutes::Config::default(),
        }
    }
}

/// Step 1, `request-service-quota-increase`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct QuotaIncrease {
    /// `--service-code`. Default `bedrock`.
    pub service: String,
    /// `--quota-code`. Default `L-XXXXXXXX`; read as calls per minute.
    pub code: String,
    /// `--desired-value`. Default 10 000.
    pub desired: f64,
    /// How long after the request its status is read. Default 15 min.
    #[serde(with = "humantime_serde")]
    pub verify_after: Duration,
}

impl Default for QuotaIncrease {
    fn default() -> Self {
        QuotaIncrease {
            service: "bedrock".into(),
            code: "L-XXXXXXXX".into(),
            desired: 10_000.0,
            verify_after: Duration::from_secs(15 * 60),
        }
    }
}

/// Step 2, the temporary cache similarity threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct CacheThreshold {
    /// How much lower. Default 0.05.
    pub step: f64,
    /// Never below this. Default 0.80.
    pub floor: f64,
    /// Restored after this long if the incident is still open. Default 1 h.
    #[serde(with = "humantime_serde")]
    pub ttl: Duration,
    /// How long after the change it is verified. Default 5 min.
    #[serde(with = "humantime_serde")]
    pub verify_after: Duration,
}

impl Default for CacheThreshold {
    fn default() -> Self {
        CacheThreshold {
            step: 0.05,
            floor: 0.80,
            ttl: Duration::from_secs(3600),
            verify_after: Duration::from_secs(5 * 60),
        }
    }
}

/// Step 3, the traffic shift to the self-hosted Shadow Self.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct TrafficShift {
    /// How much of the LLM traffic moves. Default 0.2.
    pub step: f64,
    /// The Shadow Self share never exceeds this. Default 0.8.
    pub cap: f64,
    /// The Shadow Self endpoint. Default `cato-shadow-self`.
    pub endpoint: String,
    /// Shadow Self's 5XX rate under the extra load must stay at or under this. Default 0.01.
    pub max_error_rate: f64,
    /// How long after the change it is verified. Default 5 min.
    #[serde(with = "humantime_serde")]
    pub verify_after: Duration,
}

impl Default for TrafficShift {
    fn default() -> Self {
        TrafficShift {
            step: 0.2,
            cap: 0.8,
            endpoint: "cato-shadow-self".into(),
            max_error_rate: 0.01,
            verify_after: Duration::from_secs(5 * 60),
        }
    }
}

impl Config {
    /// Checks shares and thresholds.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the setting.
    pub fn validate(&self) -> Result<()> {
        let shares = [
            ("throttle_rate", self.throttle_rate),
            ("min_improvement", self.min_improvement),
            ("cache_threshold.step", self.cache_threshold.step),
            ("cache_threshold.floor", self.cache_threshold.floor),
            ("traffic_shift.step", self.traffic_shift.step),
            ("traffic_shift.cap", self.traffic_shift.cap),
            (
                "traffic_shift.max_error_rate",
                self.traffic_shift.max_error_rate,
            ),
        ];
        for (name, value) in shares {
            if !(0.0..=1.0).contains(&value) {
                return Err(Error::invalid_input(
                    "catalog.bedrock_throttling",
                    format!("{name} {value} must lie between 0 and 1"),
                ));
            }
        }
        if self.window.as_secs() < 60 {
            return Err(Error::invalid_input(
                "catalog.bedrock_throttling",
                "window must be at least a minute",
            ));
        }
        Ok(())
    }
}

/// Builds the runbook.
///
/// # Errors
///
/// A port it needs that `providers` lacks, or a config that does not validate.
pub fn build(providers: &Providers, catalog: &CatalogConfig) -> Result<Runbook> {
    providers.require(ID, ENTRY.needs)?;
    let config = Arc::new(catalog.bedrock_throttling.clone());
    config.validate()?;
    let metrics = providers.metrics(ID)?;
    let logs = providers.logs(ID)?;
    let quotas = providers.quotas(ID)?;
    let traffic = providers.traffic(ID)?;
    let endpoint = providers.endpoint(ID)?;
    let throttling_lines = LogQuery {
        group: config.log_group.clone(),
        pattern: config.log_pattern.clone(),
    };

    let mut runbook = Runbook::builder(ID, TITLE)
        .severity(SeverityRule::Assess)
        .detector(Arc::new(signals::ThrottleRate {
            metrics: metrics.clone(),
            config: config.clone(),
        }))
        .detector(Arc::new(LogSymptom {
            name: "throttling-exceptions",
            resource: config.model_id.clone(),
            logs: logs.clone(),
            query: throttling_lines.clone(),
            window: config.window,
            min_lines: config.min_log_lines,
            impact: Impact::degraded(LOG_ONLY_SHARE)?,
            consequence: Some("falling back"),
        }))
        .diagnosis(Arc::new(diagnose::QuotaCheck {
            quotas: quotas.clone(),
            metrics: metrics.clone(),
            config: config.clone(),
        }))
        .diagnosis(Arc::new(diagnose::ThrottlingLogs {
            logs,
            query: throttling_lines,
            window: config.window,
        }))
        .diagnosis(Arc::new(diagnose::TrafficControls {
            traffic: traffic.clone(),
            endpoint,
            config: config.clone(),
        }));
    let checks = config.first_five_minutes.or_watching(&CLOUD_SERVICES);
    for check in first_five_minutes::diagnoses(providers, &checks)? {
        runbook = runbook.diagnosis(check);
    }
    runbook = runbook
        .step(Arc::new(steps::RequestQuotaIncrease {
            quotas,
            config: config.clone(),
        }))
        .step(Arc::new(steps::LowerCacheThreshold {
            traffic: traffic.clone(),
            metrics: metrics.clone(),
            config: config.clone(),
        }))
        .step(Arc::new(steps::ShiftToShadowSelf {
            traffic: traffic.clone(),
            metrics,
            config: config.clone(),
        }));
    if config.emergency_mode_last {
        runbook = runbook.step(Arc::new(EnableEmergencyMode::new(traffic)));
    }
    runbook.build()
}
