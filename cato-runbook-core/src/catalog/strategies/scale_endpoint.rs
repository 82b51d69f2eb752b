//! "Scale up resources" for a model endpoint's variant (`update-endpoint-weights-and-capacities`).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use super::scaling::{self, Precondition, ScaleMemo, Scaling, Style, Subject, Unit};
use crate::catalog::kit;
use crate::error::{Error, ErrorKind, Result, Retry};
use crate::ports::{EndpointDescription, EndpointStatus, ModelEndpoint};
use crate::runbook::{Capacity, Findings, Landed, Mitigation, Plan, StepContext, Verification};

/// "Scale up resources" for a model endpoint's variant (`update-endpoint-weights-and-capacities`):
/// its desired instance count grows by a step toward a cap. Risk medium; reversible. The added
/// instances are priced at [`Scaling::instance_type`] when set, else at the variant's type in the
/// endpoint's current config (`describe_config`, read when planning); a failed read leaves the
/// price unknown, saying why, and the plan stands.
pub struct ScaleEndpoint {
    port: Arc<dyn ModelEndpoint>,
    endpoint: String,
    variant: String,
    scaling: Scaling,
    name: String,
    style: Style,
    precondition: Option<Precondition>,
}

impl ScaleEndpoint {
    /// Scales `variant` of `endpoint`; the step is named `scale-endpoint`, in the strategy's
    /// [`Style`], and always applies.
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
            style: Style::Strategy,
            precondition: None,
        }
    }

    fn target_label(&self) -> String {
        format!("{}/{} desired instances", self.endpoint, self.variant)
    }

    /// The instance type the added instances are priced at, and where it comes from: the
    /// configured one (an override), else the one the endpoint's current config names. A
    /// failed read leaves it unknown, saying why; the plan still stands.
    async fn instance_type(&self, described: &EndpointDescription) -> (Option<String>, String) {
        if let Some(kind) = &self.scaling.instance_type {
            return (Some(kind.clone()), "configured".into());
        }
        let config = &described.config_name;
        match self.port.describe_config(config).await {
            Ok(found) => match found.instance_type(&self.variant) {
                Some(kind) => (
                    Some(kind.to_owned()),
                    format!("read from endpoint config {config}"),
                ),
                None => (
                    None,
                    format!(
                        "endpoint config {config} names no instance type for {}",
                        self.variant
                    ),
                ),
            },
            Err(err) => {
                tracing::warn!(endpoint = %self.endpoint, config, %err, "endpoint config not read");
                (None, format!("endpoint config {config} not read: {err}"))
            }
        }
    }

    fn operation(&self) -> &'static str {
        match self.style {
            Style::Strategy => "strategies.scale_endpoint",
            Style::Command => kit::DESCRIBE_ENDPOINT,
        }
    }
}

impl fmt::Debug for ScaleEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScaleEndpoint")
            .field("name", &self.name)
            .field("endpoint", &self.endpoint)
            .field("variant", &self.variant)
            .field("scaling", &self.scaling)
            .field("style", &self.style)
            .field("precondition", &self.precondition.is_some())
            .finish_non_exhaustive()
    }
}

scaling::step_options!(ScaleEndpoint);

#[async_trait]
impl Mitigation for ScaleEndpoint {
    fn name(&self) -> &str {
        &self.name
    }

    fn precondition(&self, findings: Findings<'_>) -> bool {
        self.precondition
            .as_ref()
            .is_none_or(|holds| holds(findings))
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let described = self.port.describe(&self.endpoint).await?;
        if self.style == Style::Strategy && described.status.is_transitional() {
            return Err(Error::new(
                ErrorKind::Conflict,
                "strategies.scale_endpoint",
                format!("{} is {}", self.endpoint, described.status),
            )
            .with_resource(self.endpoint.clone())
            .with_retry(Retry::Transient));
        }
        let variant = kit::variant(&described, &self.endpoint, &self.variant, self.operation())?;
        let subject = Subject {
            path: format!("{}/{}", self.endpoint, self.variant),
            label: self.target_label(),
            resource: &self.endpoint,
            unit: Unit::Instances,
        };
        let mut plan = scaling::plan(
            self,
            ctx,
            &self.scaling,
            self.style,
            &subject,
            variant.desired_instances,
        )?;
        let ScaleMemo { previous, target } = plan.memo()?;
        let (instance_type, source) = self.instance_type(&described).await;
        if let Some(kind) = &instance_type {
            plan.summary.push_str(&format!(", {kind} ({source})"));
        }
        Ok(plan.adds(Capacity::EndpointInstances {
            instance_type,
            added: target.saturating_sub(previous),
            source: Some(source),
        }))
    }

    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let ScaleMemo { target, .. } = plan.memo()?;
        self.port
            .set_instance_count(&self.endpoint, &self.variant, target, &ctx.idempotency_key)
            .await?;
        Ok(match self.style {
            Style::Strategy => format!(
                "{}/{} asked for {target} instances",
                self.endpoint, self.variant
            ),
            Style::Command => format!(
                "update-endpoint-weights-and-capacities {} VariantName={},DesiredInstanceCount={target}",
                self.endpoint, self.variant
            ),
        })
    }

    /// The variant's desired count is the plan's target: in place; the count it had before:
    /// not; anything else (someone scaled meanwhile): unknown.
    async fn landed(&self, _ctx: &StepContext, plan: &Plan) -> Result<Landed> {
        let ScaleMemo { previous, target } = plan.memo()?;
        let described = self.port.describe(&self.endpoint).await?;
        let desired = kit::find_variant(&described, &self.variant).map(|v| v.desired_instances);
        Ok(scaling::landed(desired, previous, target))
    }

    async fn verify(&self, _ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        let ScaleMemo { target, .. } = plan.memo()?;
        let described = self.port.describe(&self.endpoint).await?;
        // A variant the endpoint no longer lists serves nothing: the verification fails on
        // it, never passes.
        let serving =
            kit::find_variant(&described, &self.variant).map_or(0, |v| v.current_instances);
        let status = described.status;
        Ok(match self.style {
            Style::Strategy => {
                let line = format!(
                    "{}/{}: {serving} of {target} instances serving, {status}",
                    self.endpoint, self.variant
                );
                if serving >= target && !status.is_transitional() {
                    Verification::Passed(line)
                } else {
                    Verification::Failed(line)
                }
            }
            Style::Command => {
                if status == EndpointStatus::InService && serving >= target {
                    Verification::Passed(format!("{serving} instances in service"))
                } else {
                    Verification::Failed(format!(
                        "{} is {status} with {serving} of {target} instances in service",
                        self.endpoint
                    ))
                }
            }
        })
    }

    async fn revert(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let ScaleMemo { previous, target } = plan.memo()?;
        if self.style == Style::Command {
            self.port
                .set_instance_count(
                    &self.endpoint,
                    &self.variant,
                    previous,
                    &kit::apply_key_revert(ctx),
                )
                .await?;
            return Ok(format!("desired instances back to {previous}"));
        }
        let described = self.port.describe(&self.endpoint).await?;
        let desired = kit::find_variant(&described, &self.variant).map(|v| v.desired_instances);
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
                &kit::revert_key(ctx, plan),
            )
            .await?;
        Ok(format!("{} back to {previous}", self.target_label()))
    }
}
