//! The runbook's general "Mitigation Strategies", as ladder steps any runbook can add.
//!
//! > **Mitigation Strategies:**
//! > - Failover to healthy region
//! > - Scale up resources
//! > - Enable emergency mode
//! > - Rollback recent changes
//!
//! | strategy | step | port |
//! |----------|------|------|
//! | scale up resources | [`ScaleEndpoint`] (the Shadow Self endpoint's instances), [`ScaleWorkload`] (a Deployment's replicas), each a step toward a cap | [`ModelEndpoint`], [`Workloads`] |
//! | enable emergency mode | [`EnableEmergencyMode`] | [`TrafficControl`] |
//! | failover to a healthy region | none: no port knows a second region | — |
//! | rollback recent changes | none in general: the deployment history is read-only; an endpoint config rollback is the Shadow Self runbook's own step | — |
//!
//! Every step plans exactly (before → after, with the capped [`Quantity`]), applies with the
//! step's idempotency key, verifies from the port's own state, and reverts only what it set:
//! if someone changed the value since, the revert leaves it and says so.
//!
//! ```
//! use std::sync::Arc;
//! use cato_runbook_core::catalog::strategies::{EnableEmergencyMode, ScaleWorkload, Scaling};
//! use cato_runbook_core::engine::Runbook;
//! # use cato_runbook_core::ports::{TrafficControl, Workloads};
//! # fn wire(traffic: Arc<dyn TrafficControl>, workloads: Arc<dyn Workloads>) -> cato_runbook_core::Result<Runbook> {
//! Runbook::builder("high-latency", "High Latency")
//!     .step(Arc::new(ScaleWorkload::new(workloads, "cato", "cato-orchestrator", Scaling::new(10, 50))))
//!     .step(Arc::new(EnableEmergencyMode::new(traffic)))
//!     .build()
//! # }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result, Retry};
use crate::incident::IdempotencyKey;
use crate::ports::{ModelEndpoint, TrafficControl, Workloads};
use crate::runbook::{Mitigation, Plan, Quantity, Risk, StepContext, Verification};

/// The key of a step's revert: `incident:step:revert`, so that the revert is a side effect of
/// its own and not a repeat of the apply.
pub(crate) fn revert_key(ctx: &StepContext, plan: &Plan) -> IdempotencyKey {
    IdempotencyKey::derive(&ctx.incident, &format!("{}:revert", plan.step))
}

/// A whole-number value the plan remembered.
fn recall_u32(plan: &Plan, key: &str) -> Result<u32> {
    plan.require(key)?
        .as_i64()
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| {
            Error::invalid_input("plan.recall", format!("{key} is not a count"))
                .with_resource(plan.resource.clone())
        })
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
    fn risk(&self) -> Risk {
        Risk::Medium
    }
    fn reversible(&self) -> bool {
        true
    }
    fn verify_after(&self) -> Duration {
        self.scaling.verify_after
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
        Ok(Plan::new(
            self,
            ctx,
            format!(
                "scale {}/{} from {now} to {target} instances",
                self.endpoint, self.variant
            ),
        )
        .change(self.target_label(), now, target)
        .quantity(Quantity::Instances(target))
        .cost(added)
        .remember("previous", now)
        .remember("target", target))
    }

    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let target = recall_u32(plan, "target")?;
        self.port
            .set_instance_count(&self.endpoint, &self.variant, target, &ctx.idempotency_key)
            .await?;
        Ok(format!(
            "{}/{} asked for {target} instances",
            self.endpoint, self.variant
        ))
    }

    async fn verify(&self, _ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        let target = recall_u32(plan, "target")?;
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
        let previous = recall_u32(plan, "previous")?;
        let target = recall_u32(plan, "target")?;
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
    fn risk(&self) -> Risk {
        Risk::Medium
    }
    fn reversible(&self) -> bool {
        true
    }
    fn verify_after(&self) -> Duration {
        self.scaling.verify_after
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let state = self.port.get(&self.namespace, &self.workload).await?;
        let now = state.desired_replicas;
        let target = self.scaling.target(now, &self.target_label())?;
        let added = f64::from(target - now) * self.scaling.monthly_usd_each;
        Ok(Plan::new(
            self,
            ctx,
            format!(
                "scale {}/{} from {now} to {target} replicas",
                self.namespace, self.workload
            ),
        )
        .change(self.target_label(), now, target)
        .quantity(Quantity::Replicas(target))
        .cost(added)
        .remember("previous", now)
        .remember("target", target))
    }

    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let target = recall_u32(plan, "target")?;
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
        let target = recall_u32(plan, "target")?;
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
        let previous = recall_u32(plan, "previous")?;
        let target = recall_u32(plan, "target")?;
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

/// "Enable emergency mode": curiosity exploration stops and responses are limited, for every
/// user — disruptive, so risk high and, by default, only with an operator's approval.
/// Reversible: the revert turns it off again if this step turned it on.
pub struct EnableEmergencyMode {
    port: Arc<dyn TrafficControl>,
    approval: bool,
    verify_after: Duration,
}

impl EnableEmergencyMode {
    /// The step, named `enable-emergency-mode`, asking for approval, verified after 2 minutes.
    pub fn new(port: Arc<dyn TrafficControl>) -> Self {
        EnableEmergencyMode {
            port,
            approval: true,
            verify_after: Duration::from_secs(120),
        }
    }

    /// Whether the step always asks for approval (default yes).
    pub fn with_approval(mut self, approval: bool) -> Self {
        self.approval = approval;
        self
    }

    /// How long after applying to verify.
    pub fn verify_after(mut self, after: Duration) -> Self {
        self.verify_after = after;
        self
    }
}

impl fmt::Debug for EnableEmergencyMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnableEmergencyMode")
            .field("port", &format_args!("{}", self.port))
            .field("approval", &self.approval)
            .finish_non_exhaustive()
    }
}

const EMERGENCY: &str = "emergency mode";

#[async_trait]
impl Mitigation for EnableEmergencyMode {
    fn name(&self) -> &str {
        "enable-emergency-mode"
    }
    fn risk(&self) -> Risk {
        Risk::High
    }
    fn requires_approval(&self) -> bool {
        self.approval
    }
    fn reversible(&self) -> bool {
        true
    }
    fn verify_after(&self) -> Duration {
        self.verify_after
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let state = self.port.state().await?;
        if state.emergency_mode {
            return Err(Error::new(
                ErrorKind::Refused,
                "strategies.emergency_mode",
                "emergency mode is already on",
            ));
        }
        Ok(Plan::new(
            self,
            ctx,
            "enable emergency mode: curiosity exploration stops, responses are limited",
        )
        .change(EMERGENCY, "off", "on"))
    }

    async fn apply(&self, ctx: &StepContext, _plan: &Plan) -> Result<String> {
        self.port
            .set_emergency_mode(true, &ctx.idempotency_key)
            .await?;
        Ok("emergency mode on".into())
    }

    async fn verify(&self, _ctx: &StepContext, _plan: &Plan) -> Result<Verification> {
        Ok(if self.port.state().await?.emergency_mode {
            Verification::Passed("emergency mode is on".into())
        } else {
            Verification::Failed("emergency mode is off".into())
        })
    }

    async fn revert(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        if !self.port.state().await?.emergency_mode {
            return Ok("emergency mode already off".into());
        }
        self.port
            .set_emergency_mode(false, &revert_key(ctx, plan))
            .await?;
        Ok("emergency mode off".into())
    }
}
