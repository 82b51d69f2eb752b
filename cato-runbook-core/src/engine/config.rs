//! The engine's settings: cadence, thresholds, timeouts, chat channel and escalation. All of it
//! deserialises from TOML (unknown keys are refused) and defaults to the runbook.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::alerts::AlertsConfig;
use super::contacts::Escalation;
use super::reminders::PostmortemDeadline;
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
    /// built and when `cato.toml` is loaded.
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
}

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
