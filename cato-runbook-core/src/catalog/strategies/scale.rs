//! "Scale up resources": a model endpoint's instances or a workload's replicas, a step at a
//! time toward a cap.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::revert_key;
use crate::error::{Error, ErrorKind, Result, Retry};
use crate::ports::{ModelEndpoint, Workloads};
use crate::runbook::{Mitigation, Plan, Quantity, Risk, StepContext, Verification};

/// What a scale step keeps: the absolute count it sets, and the one it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ScaleMemo {
    /// The count when the step was planned.
    pub(crate) previous: u32,
    /// The count the step sets.
    pub(crate) target: u32,
}

/// The plan, with its added spend as a capped quantity when it has one.
fn with_spend(plan: Plan, added_monthly_usd: f64) -> Plan {
    if added_monthly_usd > 0.0 {
        plan.quantity(Quantity::MonthlySpendUsd(added_monthly_usd))
    } else {
        plan
    }
}

/// How a scale-up step grows: by `step` at a time, never beyond `cap`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Scaling {
    /// How many instances or replicas one step adds.
    pub step: u32,
    /// The most the step asks for (the runbook's "50"); the engine's caps apply as well.
    pub cap: u32,
    /// How long after applying to check that the new capacity serves. Default 10 min.
    #[serde(with = "humantime_serde")]
    pub verify_after: Duration,
    /// Estimated monthly cost of one more instance or replica, US dollars (0: unknown).
    pub monthly_usd_each: f64,
}

impl Scaling {
    /// Grow by `step`, up to `cap`.
    pub fn new(step: u32, cap: u32) -> Self {
        Scaling {
            step,
            cap,
            ..Scaling::default()
        }
    }

    /// The target from `now`, or why there is none.
    fn target(&self, now: u32, what: &str) -> Result<u32> {
        if now >= self.cap {
            return Err(Error::new(
                ErrorKind::Refused,
                "strategies.scale",
                format!("{what} is at {now}, its cap is {}", self.cap),
            ));
        }
        Ok(now.saturating_add(self.step.max(1)).min(self.cap))
    }
}

impl Default for Scaling {
    fn default() -> Self {
        Scaling {
            step: 5,
            cap: 50,
            verify_after: Duration::from_secs(10 * 60),
            monthly_usd_each: 0.0,
        }
    }
}

/// "Scale up resources" for a model endpoint's variant (`update-endpoint-weights-and-capacities`):
/// its desired instance count grows by a step toward a cap. Risk medium; reversible.
pub struct ScaleEndpoint {
    port: Arc<dyn ModelEndpoint>,
    endpoint: String,
    variant: String,
    scaling: Scaling,
    name: String,
}

impl ScaleEndpoint {
    /// Scales `variant` of `endpoint`; the step is named `scale-endpoint`.
    pub fn new(
        port: Arc<dyn ModelEndpoint>,
        endpoint: impl Into<String>,
        variant: impl Into<String>,
        scaling: Scaling,
    ) -> Self {
        ScaleEndpoint {
            port,
            endpoint: endpoint.into(),
            variant: variant.into(),
            scaling,
            name: "scale-endpoint".into(),
        }
    }

    /// Names the step (two scale steps on one ladder need two names).
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    fn target_label(&self) -> String {
        format!("{}/{} desired instances", self.endpoint, self.variant)
    }
}

impl fmt::Debug for ScaleEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScaleEndpoint")
            .field("name", &self.name)
            .field("endpoint", &self.endpoint)
            .field("variant", &self.variant)
            .field("scaling", &self.scaling)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Mitigation for ScaleEndpoint {
    fn name(&self) -> &str {
        &self.name
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let described = self.port.describe(&self.endpoint).await?;
        if described.status.is_transitional() {
            return Err(Error::new(
                ErrorKind::Conflict,
                "strategies.scale_endpoint",
                format!("{} is {}", self.endpoint, described.status),
            )
            .with_resource(self.endpoint.clone())
            .with_retry(Retry::Transient));
        }
        let variant = described
            .variants
            .iter()
            .find(|v| v.name == self.variant)
            .ok_or_else(|| {
                Error::not_found(
                    "strategies.scale_endpoint",
                    format!("{}/{}", self.endpoint, self.variant),
                )
            })?;
        let now = variant.desired_instances;
        let target = self.scaling.target(now, &self.target_label())?;
        let added = f64::from(target - now) * self.scaling.monthly_usd_each;
        let plan = Plan::new(
            self,
            ctx,
            Risk::Medium,
            format!(
                "scale {}/{} from {now} to {target} instances",
                self.endpoint, self.variant
            ),
        )
        .change(self.target_label(), now, target)
        .quantity(Quantity::Instances(target))
        .cost(added)
        .reversible()
        .verify_after(self.scaling.verify_after)
        .with_memo(&ScaleMemo {
            previous: now,
            target,
        })?;
        Ok(with_spend(plan, added))
    }

    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let ScaleMemo { target, .. } = plan.memo()?;
        self.port
            .set_instance_count(&self.endpoint, &self.variant, target, &ctx.idempotency_key)
            .await?;
        Ok(format!(
            "{}/{} asked for {target} instances",
            self.endpoint, self.variant
        ))
    }

    async fn verify(&self, _ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        let ScaleMemo { target, .. } = plan.memo()?;
        let described = self.port.describe(&self.endpoint).await?;
        let serving = described
            .variants
            .iter()
            .find(|v| v.name == self.variant)
            .map_or(0, |v| v.current_instances);
        let line = format!(
            "{}/{}: {serving} of {target} instances serving, {}",
            self.endpoint, self.variant, described.status
        );
        Ok(
            if serving >= target && !described.status.is_transitional() {
                Verification::Passed(line)
            } else {
                Verification::Failed(line)
            },
        )
    }

    async fn revert(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let ScaleMemo { previous, target } = plan.memo()?;
        let described = self.port.describe(&self.endpoint).await?;
        let desired = described
            .variants
            .iter()
            .find(|v| v.name == self.variant)
            .map(|v| v.desired_instances);
        if desired != Some(target) {
            return Ok(format!(
                "{} left as it is: {desired:?} desired instances, not the {target} this step set",
                self.target_label()
            ));
        }
        self.port
            .set_instance_count(
                &self.endpoint,
                &self.variant,
                previous,
                &revert_key(ctx, plan),
            )
            .await?;
        Ok(format!("{} back to {previous}", self.target_label()))
    }
}

/// "Scale up resources" for a workload (`kubectl scale deployment`): its replicas grow by a
/// step toward a cap. Risk medium; reversible.
pub struct ScaleWorkload {
    port: Arc<dyn Workloads>,
    namespace: String,
    workload: String,
    scaling: Scaling,
    name: String,
}

impl ScaleWorkload {
    /// Scales `namespace/workload`; the step is named `scale-workload`.
    pub fn new(
        port: Arc<dyn Workloads>,
        namespace: impl Into<String>,
        workload: impl Into<String>,
        scaling: Scaling,
    ) -> Self {
        ScaleWorkload {
            port,
            namespace: namespace.into(),
            workload: workload.into(),
            scaling,
            name: "scale-workload".into(),
        }
    }

    /// Names the step.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    fn target_label(&self) -> String {
        format!("{}/{} replicas", self.namespace, self.workload)
    }
}

impl fmt::Debug for ScaleWorkload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScaleWorkload")
            .field("name", &self.name)
            .field("namespace", &self.namespace)
            .field("workload", &self.workload)
            .field("scaling", &self.scaling)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Mitigation for ScaleWorkload {
    fn name(&self) -> &str {
        &self.name
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let state = self.port.get(&self.namespace, &self.workload).await?;
        let now = state.desired_replicas;
        let target = self.scaling.target(now, &self.target_label())?;
        let added = f64::from(target - now) * self.scaling.monthly_usd_each;
        let plan = Plan::new(
            self,
            ctx,
            Risk::Medium,
            format!(
                "scale {}/{} from {now} to {target} replicas",
                self.namespace, self.workload
            ),
        )
        .change(self.target_label(), now, target)
        .quantity(Quantity::Replicas(target))
        .cost(added)
        .reversible()
        .verify_after(self.scaling.verify_after)
        .with_memo(&ScaleMemo {
            previous: now,
            target,
        })?;
        Ok(with_spend(plan, added))
    }

    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let ScaleMemo { target, .. } = plan.memo()?;
        self.port
            .scale(
                &self.namespace,
                &self.workload,
                target,
                &ctx.idempotency_key,
            )
            .await?;
        Ok(format!("{} scaled to {target}", self.target_label()))
    }

    async fn verify(&self, _ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        let ScaleMemo { target, .. } = plan.memo()?;
        let state = self.port.get(&self.namespace, &self.workload).await?;
        let line = format!(
            "{}: {} of {target} ready",
            self.target_label(),
            state.ready_replicas
        );
        Ok(if state.ready_replicas >= target {
            Verification::Passed(line)
        } else {
            Verification::Failed(line)
        })
    }

    async fn revert(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let ScaleMemo { previous, target } = plan.memo()?;
        let state = self.port.get(&self.namespace, &self.workload).await?;
        if state.desired_replicas != target {
            return Ok(format!(
                "{} left at {}: not the {target} this step set",
                self.target_label(),
                state.desired_replicas
            ));
        }
        self.port
            .scale(
                &self.namespace,
                &self.workload,
                previous,
                &revert_key(ctx, plan),
            )
            .await?;
        Ok(format!("{} back to {previous}", self.target_label()))
    }
}
