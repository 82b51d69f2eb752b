//! "Scale up resources" for a workload (`kubectl scale deployment`).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use super::scaling::{self, Precondition, ScaleMemo, Scaling, Style, Subject, Unit};
use crate::catalog::kit;
use crate::error::Result;
use crate::ports::Workloads;
use crate::runbook::{Findings, Landed, Mitigation, Plan, StepContext, Verification};

/// "Scale up resources" for a workload (`kubectl scale deployment`): its replicas grow by a
/// step toward a cap. Risk medium; reversible.
pub struct ScaleWorkload {
    port: Arc<dyn Workloads>,
    namespace: String,
    workload: String,
    scaling: Scaling,
    name: String,
    style: Style,
    precondition: Option<Precondition>,
}

impl ScaleWorkload {
    /// Scales `namespace/workload`; the step is named `scale-workload`, in the strategy's
    /// [`Style`], and always applies.
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
            style: Style::Strategy,
            precondition: None,
        }
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
            .field("style", &self.style)
            .field("precondition", &self.precondition.is_some())
            .finish_non_exhaustive()
    }
}

scaling::step_options!(ScaleWorkload);

#[async_trait]
impl Mitigation for ScaleWorkload {
    fn name(&self) -> &str {
        &self.name
    }

    fn precondition(&self, findings: Findings<'_>) -> bool {
        self.precondition
            .as_ref()
            .is_none_or(|holds| holds(findings))
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let state = self.port.get(&self.namespace, &self.workload).await?;
        let subject = Subject {
            path: format!("{}/{}", self.namespace, self.workload),
            label: self.target_label(),
            resource: &self.workload,
            unit: Unit::Replicas,
        };
        scaling::plan(
            self,
            ctx,
            &self.scaling,
            self.style,
            &subject,
            state.desired_replicas,
        )
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
        Ok(match self.style {
            Style::Strategy => format!("{} scaled to {target}", self.target_label()),
            Style::Command => format!(
                "kubectl scale deployment {} -n {} --replicas={target}",
                self.workload, self.namespace
            ),
        })
    }

    /// The workload's desired replicas are the plan's target: in place; the count before: not;
    /// anything else (someone scaled meanwhile): unknown.
    async fn landed(&self, _ctx: &StepContext, plan: &Plan) -> Result<Landed> {
        let ScaleMemo { previous, target } = plan.memo()?;
        let state = self.port.get(&self.namespace, &self.workload).await?;
        Ok(scaling::landed(
            Some(state.desired_replicas),
            previous,
            target,
        ))
    }

    async fn verify(&self, _ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        let ScaleMemo { target, .. } = plan.memo()?;
        let ready = self
            .port
            .get(&self.namespace, &self.workload)
            .await?
            .ready_replicas;
        let passed = ready >= target;
        Ok(match (self.style, passed) {
            (Style::Strategy, _) => {
                let line = format!("{}: {ready} of {target} ready", self.target_label());
                if passed {
                    Verification::Passed(line)
                } else {
                    Verification::Failed(line)
                }
            }
            (Style::Command, true) => Verification::Passed(format!("{ready} replicas ready")),
            (Style::Command, false) => {
                Verification::Failed(format!("{ready} of {target} replicas ready"))
            }
        })
    }

    async fn revert(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let ScaleMemo { previous, target } = plan.memo()?;
        if self.style == Style::Command {
            self.port
                .scale(
                    &self.namespace,
                    &self.workload,
                    previous,
                    &kit::apply_key_revert(ctx),
                )
                .await?;
            return Ok(format!("replicas back to {previous}"));
        }
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
                &kit::revert_key(ctx, plan),
            )
            .await?;
        Ok(format!("{} back to {previous}", self.target_label()))
    }
}
