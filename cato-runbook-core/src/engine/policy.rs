//! Guardrails: what automation may do on its own.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::catalog::prices::PriceSettings;
use crate::runbook::{Plan, Quantity, Risk};

mod checks;

/// How far automation goes. The order is from least to most: the stricter of the global mode
/// and a runbook's mode wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Detect, open, notify, diagnose and escalate; plan nothing.
    ObserveOnly,
    /// As observe-only, and record the plan of the step that would run; apply nothing.
    DryRun,
    /// Apply steps within the other guardrails.
    Auto,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::ObserveOnly => "observe-only",
            Mode::DryRun => "dry-run",
            Mode::Auto => "auto",
        })
    }
}

/// When a step waits for an operator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ApprovalPolicy {
    /// Steps of this risk or higher need approval; `None`: risk alone never does.
    pub risk_at_least: Option<Risk>,
    /// Steps adding more than this many US dollars a month need approval. Default $1,000.
    pub monthly_cost_above_usd: Option<f64>,
    /// How long a request waits before it lapses. Default 30 min.
    #[serde(with = "humantime_serde")]
    pub ttl: Duration,
}

impl Default for ApprovalPolicy {
    fn default() -> Self {
        ApprovalPolicy {
            risk_at_least: None,
            monthly_cost_above_usd: Some(1000.0),
            ttl: Duration::from_secs(30 * 60),
        }
    }
}

/// Limits no step may exceed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Caps {
    /// Most model endpoint instances a step may ask for.
    pub max_instances: Option<u32>,
    /// Most orchestrator replicas a step may ask for.
    pub max_replicas: Option<u32>,
    /// Largest monthly spend limit (or added spend) a step may set, US dollars.
    pub max_monthly_spend_usd: Option<f64>,
}

impl Caps {
    /// Why `plan` exceeds a cap, if it does.
    pub fn exceeded_by(&self, plan: &Plan) -> Option<String> {
        plan.quantities.iter().find_map(|q| match *q {
            Quantity::Instances(n) => self
                .max_instances
                .filter(|max| n > *max)
                .map(|max| format!("cap: {n} instances > max {max}")),
            Quantity::Replicas(n) => self
                .max_replicas
                .filter(|max| n > *max)
                .map(|max| format!("cap: {n} replicas > max {max}")),
            Quantity::MonthlySpendUsd(usd) => self
                .max_monthly_spend_usd
                .filter(|max| usd > *max)
                .map(|max| format!("cap: ${usd:.0}/month > max ${max:.0}")),
        })
    }
}

/// Every guardrail the engine applies before a side effect.
///
/// ```
/// use cato_runbook_core::engine::{Mode, Policy};
///
/// let policy: Policy = serde_json::from_str(r#"{
///     "mode": "auto",
///     "caps": { "max_instances": 20 },
///     "cooldown": "10m",
///     "runbook_modes": { "budget-exceeded": "dry-run" }
/// }"#)?;
/// assert_eq!(policy.mode_for(&"budget-exceeded".into(), None), Mode::DryRun);
/// assert_eq!(policy.mode_for(&"high-latency".into(), None), Mode::Auto);
/// assert!(serde_json::from_str::<Policy>(r#"{ "mood": "auto" }"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Policy {
    /// The global mode. Default [`Mode::DryRun`]: nothing is changed until a host opts in.
    pub mode: Mode,
    /// Per-runbook modes, by runbook id.
    pub runbook_modes: BTreeMap<String, Mode>,
    /// Approval rules.
    pub approval: ApprovalPolicy,
    /// Limits.
    pub caps: Caps,
    /// How long before the same step may act on the same resource again. Default 10 min.
    #[serde(with = "humantime_serde")]
    pub cooldown: Duration,
    /// Per-step cooldowns, by step name.
    #[serde(with = "cooldowns")]
    pub step_cooldowns: BTreeMap<String, Duration>,
    /// Most destructive ([`Risk::High`]) actions in any hour, across all incidents. Default 3.
    pub max_destructive_per_hour: u32,
    /// The prices a step's added spend is estimated at (see
    /// [`prices`](crate::catalog::prices)): the shipped table of a region, with overrides.
    pub prices: PriceSettings,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            mode: Mode::DryRun,
            runbook_modes: BTreeMap::new(),
            approval: ApprovalPolicy::default(),
            caps: Caps::default(),
            cooldown: Duration::from_secs(10 * 60),
            step_cooldowns: BTreeMap::new(),
            max_destructive_per_hour: 3,
            prices: PriceSettings::default(),
        }
    }
}

impl Policy {
    /// A policy in `mode`, with every other default.
    pub fn with_mode(mode: Mode) -> Self {
        Policy {
            mode,
            ..Policy::default()
        }
    }

    /// The mode for `runbook`: the strictest of the global mode, the policy's mode for it and
    /// the runbook's own.
    pub fn mode_for(&self, runbook: &crate::RunbookId, own: Option<Mode>) -> Mode {
        let configured = self.runbook_modes.get(runbook.as_str()).copied();
        [Some(self.mode), configured, own]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(Mode::ObserveOnly)
    }

    /// The cooldown of `step`.
    pub fn cooldown_of(&self, step: &str) -> Duration {
        self.step_cooldowns
            .get(step)
            .copied()
            .unwrap_or(self.cooldown)
    }

    /// Why `plan` needs an operator's approval, if it does: the plan's own reason first, then
    /// the policy's risk and cost rules.
    pub fn approval_reason(&self, plan: &Plan) -> Option<String> {
        if let Some(why) = &plan.approval {
            return Some(format!("the step always asks for approval: {why}"));
        }
        if let Some(min) = self.approval.risk_at_least
            && plan.risk >= min
        {
            return Some(format!("risk {} needs approval", plan.risk));
        }
        if let Some(max) = self.approval.monthly_cost_above_usd
            && plan.monthly_cost_usd > max
        {
            return Some(format!(
                "about ${:.0}/month is above ${max:.0}",
                plan.monthly_cost_usd
            ));
        }
        None
    }
}

mod cooldowns {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(transparent)]
    struct Human(#[serde(with = "humantime_serde")] Duration);

    pub(super) fn serialize<S: Serializer>(
        map: &BTreeMap<String, Duration>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let human: BTreeMap<&String, Human> = map.iter().map(|(k, v)| (k, Human(*v))).collect();
        human.serialize(serializer)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<String, Duration>, D::Error> {
        let human = BTreeMap::<String, Human>::deserialize(deserializer)?;
        Ok(human.into_iter().map(|(k, v)| (k, v.0)).collect())
    }
}
