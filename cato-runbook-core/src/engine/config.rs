//! The engine's settings: cadence, thresholds, timeouts, chat channel and escalation. All of it
//! deserialises from TOML (unknown keys are refused) and defaults to the runbook.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::alerts::AlertsConfig;
use super::contacts::Escalation;
use super::reminders::PostmortemDeadline;
use crate::bounds;
use crate::call::RetryPolicy;
use crate::error::{Error, Result};
use crate::severity::Severity;
use crate::time::HumanDuration;

/// How the engine runs.
///
/// ```
/// use cato_runbook_core::engine::EngineConfig;
/// use std::time::Duration;
///
/// let config: EngineConfig = serde_json::from_str(r#"{ "tick_interval": "15s", "open_after": 3 }"#)?;
/// assert_eq!(config.tick_interval, Duration::from_secs(15));
/// assert_eq!(config.resolve_after, 3);
/// assert_eq!(config.escalation.levels[0].after, Duration::from_secs(15 * 60));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct EngineConfig {
    /// How often [`Engine::run`](super::Engine::run) ticks. Default 30 s.
    #[serde(with = "humantime_serde")]
    pub tick_interval: Duration,
    /// Consecutive bad observations before an incident opens (a runbook may override). Default 2.
    pub open_after: u32,
    /// Consecutive good observations before an incident resolves (a runbook may override).
    /// Default 3.
    pub resolve_after: u32,
    /// Consecutive failed looks before a detector opens a "monitoring is blind" incident.
    /// Default 3.
    pub blind_after: u32,
    /// The severity of a "monitoring is blind" incident. Default SEV3.
    pub blind_severity: Severity,
    /// How long each kind of call may take.
    pub timeouts: Timeouts,
    /// How long the leader lease lasts unless renewed (each tick renews it): a standby takes
    /// over about this long after the leader stops. At least twice the tick interval (checked
    /// when the engine is built). Default 90 s.
    #[serde(with = "humantime_serde")]
    pub lease_ttl: Duration,
    /// Where incidents are discussed. Default `#cato-incident`.
    pub chat_channel: String,
    /// Who is told, and when.
    pub escalation: Escalation,
    /// How a step's call that failed with a transient or throttled error is tried again: on
    /// the same rung, on a later tick, after the policy's back-off (default: 3 tries, 30 s then
    /// 60 s; twice that when throttled); then the error counts as permanent.
    pub retry: RetryPolicy,
    /// The post-incident deadline: the postmortem due 48 h after resolution, a reminder in the
    /// incident's thread at 24 h, an overdue note at the deadline.
    pub postmortem: PostmortemDeadline,
    /// The alerts channel (`#cato-alerts`): blips below the incident threshold and custom
    /// metrics, rate-limited and deduplicated. Off by default.
    pub alerts: AlertsConfig,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            tick_interval: Duration::from_secs(30),
            open_after: 2,
            resolve_after: 3,
            blind_after: 3,
            blind_severity: Severity::Sev3,
            timeouts: Timeouts::default(),
            lease_ttl: Duration::from_secs(90),
            chat_channel: "#cato-incident".to_owned(),
            escalation: Escalation::default(),
            retry: RetryPolicy::default(),
            postmortem: PostmortemDeadline::default(),
            alerts: AlertsConfig::default(),
        }
    }
}

impl EngineConfig {
    /// Checks every value: durations and thresholds above zero, a lease that outlasts two
    /// ticks, a chat channel, the alerts and the postmortem deadline. Called when the engine is
    /// built and when `cato.toml` is loaded. Each number has a ceiling: `tick_interval` 1 h,
    /// `lease_ttl` 24 h, `timeouts.detector` and `timeouts.call` 10 min, `timeouts.diagnosis`
    /// 1 h, `timeouts.step` 24 h, the observation counts 100, `retry.attempts` 1 to 10,
    /// `retry.max_delay` 1 h (`retry.first_delay` above 0s, at most `max_delay`), an escalation
    /// level's `after` 24 h.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the key, e.g.
    /// `engine.tick_interval: must be longer than 0s`.
    pub fn validate(&self) -> Result<()> {
        let invalid = |key: &str, why: String| {
            Err(Error::invalid_input(
                "engine.config",
                format!("engine.{key}: {why}"),
            ))
        };
        let t = &self.timeouts;
        for (key, value, why) in [
            (
                "tick_interval",
                self.tick_interval,
                "an engine that never waits spins",
            ),
            (
                "lease_ttl",
                self.lease_ttl,
                "a lease that lapses at once is never held",
            ),
            ("timeouts.detector", t.detector, "every look would time out"),
            (
                "timeouts.diagnosis",
                t.diagnosis,
                "every diagnosis would time out",
            ),
            ("timeouts.step", t.step, "every step's call would time out"),
            (
                "timeouts.call",
                t.call,
                "every notification and store call would time out",
            ),
        ] {
            if value.is_zero() {
                return invalid(key, format!("must be longer than 0s: {why}"));
            }
        }
        for (key, value, max) in [
            ("tick_interval", self.tick_interval, MAX_TICK),
            ("lease_ttl", self.lease_ttl, MAX_LEASE_TTL),
            ("timeouts.detector", t.detector, MAX_CALL_TIMEOUT),
            ("timeouts.diagnosis", t.diagnosis, MAX_DIAGNOSIS_TIMEOUT),
            ("timeouts.step", t.step, MAX_STEP_TIMEOUT),
            ("timeouts.call", t.call, MAX_CALL_TIMEOUT),
        ] {
            if let Err(why) = bounds::duration(value, Duration::ZERO, max) {
                return invalid(key, why);
            }
        }
        // Each tick renews the lease, and a tick can last one interval.
        if self.lease_ttl < self.tick_interval.saturating_mul(2) {
            return invalid(
                "lease_ttl",
                format!(
                    "{} must be at least twice tick_interval ({}): each tick renews the lease, \
                     and a tick can last one interval",
                    HumanDuration(self.lease_ttl),
                    HumanDuration(self.tick_interval)
                ),
            );
        }
        for (key, value) in [
            ("open_after", self.open_after),
            ("resolve_after", self.resolve_after),
            ("blind_after", self.blind_after),
        ] {
            if value == 0 {
                return invalid(
                    key,
                    "must be at least 1 (consecutive observations)".to_owned(),
                );
            }
            if let Err(why) = bounds::count(u64::from(value), 1, MAX_OBSERVATIONS) {
                return invalid(key, format!("{why} (consecutive observations)"));
            }
        }
        if let Err((key, why)) = self.check_retry() {
            return invalid(key, why);
        }
        for (i, level) in self.escalation.levels.iter().enumerate() {
            if let Err(why) = bounds::duration(level.after, Duration::ZERO, MAX_ESCALATION_AFTER) {
                return invalid(&format!("escalation.levels[{i}].after"), why);
            }
        }
        if self.chat_channel.trim().is_empty() {
            return invalid(
                "chat_channel",
                "must name a channel (`#cato-incident`)".to_owned(),
            );
        }
        self.alerts.validate()?;
        self.postmortem.validate(&self.escalation)
    }

    /// `retry`'s values in their ranges, or the key and why not.
    fn check_retry(&self) -> std::result::Result<(), (&'static str, String)> {
        let r = &self.retry;
        bounds::count(u64::from(r.attempts), 1, MAX_ATTEMPTS)
            .map_err(|why| ("retry.attempts", why))?;
        bounds::duration(r.max_delay, Duration::from_millis(1), MAX_RETRY_DELAY)
            .map_err(|why| ("retry.max_delay", why))?;
        bounds::duration(r.first_delay, Duration::from_millis(1), r.max_delay)
            .map_err(|why| ("retry.first_delay", format!("{why} (max_delay)")))
    }
}

/// The longest tick interval: an engine that looks less often than hourly is not watching.
const MAX_TICK: Duration = Duration::from_secs(3600);
/// The longest lease: a standby waits at most this long to take over.
const MAX_LEASE_TTL: Duration = Duration::from_secs(24 * 3600);
/// The longest detector look and notifier or store call.
const MAX_CALL_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// The longest diagnosis.
const MAX_DIAGNOSIS_TIMEOUT: Duration = Duration::from_secs(3600);
/// The longest mitigation call.
const MAX_STEP_TIMEOUT: Duration = Duration::from_secs(24 * 3600);
/// The most consecutive observations a threshold may ask for.
const MAX_OBSERVATIONS: u64 = 100;
/// The most tries a retried call makes.
const MAX_ATTEMPTS: u64 = 10;
/// The longest wait between tries.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(3600);
/// The latest an escalation level is told.
const MAX_ESCALATION_AFTER: Duration = Duration::from_secs(24 * 3600);

/// How long a call may take before it counts as failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Timeouts {
    /// One detector's look. Default 10 s.
    #[serde(with = "humantime_serde")]
    pub detector: Duration,
    /// One diagnosis. Default 60 s.
    #[serde(with = "humantime_serde")]
    pub diagnosis: Duration,
    /// One mitigation call: plan, apply, verify or revert. Default 5 min.
    #[serde(with = "humantime_serde")]
    pub step: Duration,
    /// One call to a notifier, the store or the lease. Default 10 s.
    #[serde(with = "humantime_serde")]
    pub call: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            detector: Duration::from_secs(10),
            diagnosis: Duration::from_secs(60),
            step: Duration::from_secs(5 * 60),
            call: Duration::from_secs(10),
        }
    }
}
