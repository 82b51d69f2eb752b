//! "Scale up resources": how a scale step grows, how it words and guards what it does, and the
//! plan both scale steps make.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::runbook::{Capacity, Findings, Mitigation, Plan, Quantity, Risk, StepContext};

/// What a scale step keeps: the absolute count it sets, and the one it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct ScaleMemo {
    /// The count when the step was planned.
    pub(super) previous: u32,
    /// The count the step sets.
    pub(super) target: u32,
}

/// Whether a scale to `target` from `previous` is in place, by the count asked for now.
pub(super) fn landed(desired: Option<u32>, previous: u32, target: u32) -> crate::runbook::Landed {
    use crate::runbook::Landed;
    match desired {
        Some(now) if now == target => Landed::Yes,
        Some(now) if now == previous => Landed::No,
        _ => Landed::Unknown,
    }
}

/// How one scale-up step grows the count it finds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Growth {
    /// Adds this many (at least one).
    Step(u32),
    /// Multiplies by this factor (above 1), rounding up, and adds at least one.
    Factor(f64),
}

impl Growth {
    /// One step up from `current`, never beyond `cap`.
    ///
    /// ```
    /// use cato_runbook_core::catalog::strategies::Growth;
    /// assert_eq!(Growth::Step(5).next(10, 12), 12);
    /// assert_eq!(Growth::Factor(2.0).next(10, 50), 20);
    /// assert_eq!(Growth::Factor(1.2).next(1, 50), 2);
    /// ```
    pub fn next(self, current: u32, cap: u32) -> u32 {
        match self {
            Growth::Step(step) => current.saturating_add(step.max(1)).min(cap),
            Growth::Factor(factor) => {
                // A factor that is NaN or below 1 still adds one.
                let scaled =
                    crate::convert::saturating_u32((f64::from(current.max(1)) * factor).ceil());
                scaled.max(current.saturating_add(1)).min(cap)
            }
        }
    }
}

/// How a scale-up step grows: by [`Growth`] at a time, never beyond `cap`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Scaling {
    /// How one step grows the count. Default: 5 more.
    pub growth: Growth,
    /// The most the step asks for (the runbook's "50"); the engine's caps apply as well.
    pub cap: u32,
    /// How long after applying to check that the new capacity serves. Default 10 min.
    #[serde(with = "humantime_serde")]
    pub verify_after: Duration,
    /// Estimated monthly cost of one more instance or replica, US dollars (0: unknown).
    pub monthly_usd_each: f64,
    /// The endpoint's instance type (`ml.g5.xlarge`), which the engine prices the added
    /// instances at (an override); `None`: the type the endpoint's current config names.
    /// Unused for a workload's pods (priced per pod).
    pub instance_type: Option<String>,
}

impl Scaling {
    /// Grow by `step`, up to `cap`.
    pub fn new(step: u32, cap: u32) -> Self {
        Scaling {
            growth: Growth::Step(step),
            cap,
            ..Scaling::default()
        }
    }

    /// Grow by `factor` (at least one more each time), up to `cap`.
    pub fn by_factor(factor: f64, cap: u32) -> Self {
        Scaling {
            growth: Growth::Factor(factor),
            cap,
            ..Scaling::default()
        }
    }
}

impl Default for Scaling {
    fn default() -> Self {
        Scaling {
            growth: Growth::Step(5),
            cap: 50,
            verify_after: Duration::from_secs(10 * 60),
            monthly_usd_each: 0.0,
            instance_type: None,
        }
    }
}

/// How a scale step words what it does and guards what it undoes. Both styles plan, apply,
/// verify and revert the same way; they differ in these texts and guards only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Style {
    /// The general strategy's: it plans nothing while an endpoint is changing (a transient
    /// conflict); at the cap it refuses ([`ErrorKind::Refused`]); its added spend is also a
    /// capped [`Quantity::MonthlySpendUsd`]; it passes once the new capacity serves on a settled
    /// endpoint; its revert reads the count first and leaves one someone changed since, and is
    /// sent with the key `incident:step:revert`. Texts such as `cato/cato-orchestrator replicas
    /// scaled to 20`.
    #[default]
    Strategy,
    /// A runbook's commands, as High Latency's "scale up Shadow Self" and "scale up Ray Serve"
    /// read: the plan names the cap, the apply line is the command
    /// (`update-endpoint-weights-and-capacities … DesiredInstanceCount=16`, `kubectl scale
    /// deployment … --replicas=12`); it plans whatever the endpoint's status; at the cap the
    /// plan is invalid input naming the resource; the spend is a cost only; an endpoint passes
    /// once it is `InService` with the new instances; the revert sets the count it found back
    /// without reading first, with the apply's key and `:revert` (`desired instances back to 8`,
    /// `replicas back to 10`).
    Command,
}

/// A step's own precondition, read on the findings.
pub(super) type Precondition = Arc<dyn Fn(Findings<'_>) -> bool + Send + Sync>;

/// The options both scale steps share, written once: `named`, `styled` and `when`, for a type
/// with `name`, `style` and `precondition` fields.
macro_rules! step_options {
    ($step:ty) => {
        impl $step {
            /// Names the step (two scale steps on one ladder need two names).
            pub fn named(mut self, name: impl Into<String>) -> Self {
                self.name = name.into();
                self
            }

            /// Words and guards the step in `style`.
            pub fn styled(mut self, style: $crate::catalog::strategies::Style) -> Self {
                self.style = style;
                self
            }

            /// Applies the step only when `precondition` holds on the findings.
            pub fn when(
                mut self,
                precondition: impl Fn($crate::runbook::Findings<'_>) -> bool
                + Send
                + Sync
                + 'static,
            ) -> Self {
                self.precondition = Some(std::sync::Arc::new(precondition));
                self
            }
        }
    };
}
pub(super) use step_options;

/// What a scale step counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unit {
    /// An endpoint variant's instances.
    Instances,
    /// A workload's replicas.
    Replicas,
}

impl Unit {
    fn word(self) -> &'static str {
        match self {
            Unit::Instances => "instances",
            Unit::Replicas => "replicas",
        }
    }

    fn capacity(self, added: u32, scaling: &Scaling) -> Capacity {
        match self {
            Unit::Instances => Capacity::EndpointInstances {
                instance_type: scaling.instance_type.clone(),
                added,
                source: None,
            },
            Unit::Replicas => Capacity::Pods { added },
        }
    }

    fn quantity(self, count: u32) -> Quantity {
        match self {
            Unit::Instances => Quantity::Instances(count),
            Unit::Replicas => Quantity::Replicas(count),
        }
    }
}

/// What a scale step scales, as its texts name it.
pub(super) struct Subject<'a> {
    /// `cato-shadow-self/primary`, `cato/cato-orchestrator`.
    pub(super) path: String,
    /// The change's target: `cato-shadow-self/primary desired instances`.
    pub(super) label: String,
    /// The resource alone: `cato-shadow-self`, `cato-orchestrator`.
    pub(super) resource: &'a str,
    /// What it counts.
    pub(super) unit: Unit,
}

/// The plan of a scale step that found `now`: one step of `scaling` toward its cap.
///
/// # Errors
///
/// At the cap, as `style` says; or a memo that does not serialise.
pub(super) fn plan(
    step: &(impl Mitigation + ?Sized),
    ctx: &StepContext,
    scaling: &Scaling,
    style: Style,
    subject: &Subject<'_>,
    now: u32,
) -> Result<Plan> {
    let cap = scaling.cap;
    if now >= cap {
        return Err(match style {
            Style::Strategy => Error::new(
                ErrorKind::Refused,
                "strategies.scale",
                format!("{} is at {now}, its cap is {cap}", subject.label),
            ),
            Style::Command => Error::invalid_input(
                "scale.plan",
                format!(
                    "{} already has {cap} {}, the most the runbook asks for",
                    subject.resource,
                    subject.unit.word()
                ),
            )
            .with_resource(subject.resource.to_owned()),
        });
    }
    let target = scaling.growth.next(now, cap);
    let mut summary = format!(
        "scale {} from {now} to {target} {}",
        subject.path,
        subject.unit.word()
    );
    if style == Style::Command {
        summary.push_str(&format!(" (at most {cap})"));
    }
    let added = f64::from(target - now) * scaling.monthly_usd_each;
    let plan = Plan::new(step, ctx, Risk::Medium, summary)
        .change(&subject.label, now, target)
        .quantity(subject.unit.quantity(target))
        .cost(added)
        .adds(subject.unit.capacity(target - now, scaling))
        .reversible()
        .verify_after(scaling.verify_after)
        .with_memo(&ScaleMemo {
            previous: now,
            target,
        })?;
    Ok(if style == Style::Strategy && added > 0.0 {
        plan.quantity(Quantity::MonthlySpendUsd(added))
    } else {
        plan
    })
}

#[cfg(test)]
mod tests {
    use super::Growth;

    #[test]
    fn a_factor_steps_toward_the_cap() {
        let next = |current, factor, max| Growth::Factor(factor).next(current, max);
        assert_eq!(next(10, 2.0, 50), 20);
        assert_eq!(next(30, 2.0, 50), 50);
        assert_eq!(next(1, 1.2, 50), 2);
        assert_eq!(next(0, 2.0, 50), 2);
        assert_eq!(next(49, 2.0, 50), 50);
        assert_eq!(next(10, f64::NAN, 50), 11, "NaN adds one");
        assert_eq!(next(10, -2.0, 50), 11, "a negative factor adds one");
        assert_eq!(
            next(10, 1e300, u32::MAX),
            u32::MAX,
            "a huge factor saturates"
        );
    }

    #[test]
    fn a_step_adds_at_least_one() {
        assert_eq!(Growth::Step(0).next(10, 50), 11);
        assert_eq!(Growth::Step(10).next(45, 50), 50);
        assert_eq!(Growth::Step(5).next(u32::MAX - 1, u32::MAX), u32::MAX);
    }
}
