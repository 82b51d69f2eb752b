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
//! - `bedrock-quota` — the runbook's `get-service-quota` ([`QuotaIncrease::service`],
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
//!    ([`Plan::lasts_for`](crate::runbook::Plan::lasts_for)): the engine restores
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

mod config;
mod detect;
mod diagnose;
mod quota_increase;
mod signals;
mod steps;

use std::sync::Arc;

pub use config::{CacheThreshold, Config, QuotaIncrease, TrafficShift};

use super::first_five_minutes;
use super::log_symptom::{LogQuery, LogSymptom};
use super::strategies::EnableEmergencyMode;
use super::{CatalogConfig, Entry, PortName, Providers};
use crate::error::Result;
use crate::runbook::{Runbook, SeverityRule};
use crate::severity::Impact;

/// The runbook's id.
pub const ID: &str = "bedrock-throttling";
/// The runbook's title: the runbook document's heading.
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
    steps: &[
        "request-quota-increase",
        "lower-cache-threshold",
        "shift-to-shadow-self",
        "enable-emergency-mode",
    ],
    build,
};

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
        .detector(Arc::new(detect::ThrottleRate {
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
        .step(Arc::new(quota_increase::RequestQuotaIncrease {
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
