//! The ladder: restart the endpoint on its config, then roll back to the config before it.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::Config;
use super::detect::{invocations, last_minutes, variant};
use super::diagnose::previous_config;
use crate::error::{Error, Result};
use crate::ports::{EndpointStatus, Metrics, ModelEndpoint};
use crate::runbook::{Findings, Mitigation, Plan, Risk, StepContext, Verification};
use crate::time::{HumanDuration, Timestamp};

/// The minutes a verification reads the 5XX rate over: the endpoint's latest behaviour.
const VERIFY_WINDOW: Duration = Duration::from_secs(2 * 60);

/// Whether the endpoint serves on `expected`: `InService` on that config, instances in service,
/// and no more 5XX than the threshold in its last complete minutes.
async fn serves(
    endpoint: &dyn ModelEndpoint,
    metrics: &dyn Metrics,
    config: &Config,
    expected: &str,
    now: Timestamp,
) -> Result<Verification> {
    let d = endpoint.describe(&config.endpoint).await?;
    let serving = variant(&d, config)?.current_instances;
    if d.status != EndpointStatus::InService {
        let reason = d
            .failure_reason
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        return Ok(Verification::Failed(format!(
            "{} is {}{reason}",
            config.endpoint, d.status
        )));
    }
    if d.config_name != expected {
        let reason = d
            .failure_reason
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        return Ok(Verification::Failed(format!(
            "{} runs {}, not {expected}: the update did not take{reason}",
            config.endpoint, d.config_name
        )));
    }
    if serving == 0 {
        return Ok(Verification::Failed(format!(
            "{} is InService on {expected} with no instance in service",
            config.endpoint
        )));
    }
    let (start, end) = last_minutes(now, VERIFY_WINDOW);
    let counts = invocations(metrics, config, start, end).await?;
    let rate = counts.error_percent();
    if counts.total >= config.min_invocations as f64 && rate > config.error_rate_threshold_percent {
        return Ok(Verification::Failed(format!(
            "{serving} instances in service on {expected}, but 5XX on {rate:.0} % of {} invocations in the last {}",
            counts.total,
            HumanDuration(VERIFY_WINDOW)
        )));
    }
    Ok(Verification::Passed(format!(
        "InService on {expected}: {serving} instances in service, 5XX on {rate:.0} % of {} invocations in the last {}",
        counts.total,
        HumanDuration(VERIFY_WINDOW)
    )))
}

fn remembered<'a>(plan: &'a Plan, key: &str) -> Result<&'a str> {
    plan.require(key)?.as_str().ok_or_else(|| {
        Error::invalid_input(
            "plan.recall",
            format!("plan of step {} holds no text {key:?}", plan.step),
        )
    })
}

/// "If 0 instances, restart endpoint": `update-endpoint` to the config it already runs.
pub(super) struct Restart {
    endpoint: Arc<dyn ModelEndpoint>,
    metrics: Arc<dyn Metrics>,
    config: Arc<Config>,
}

impl Restart {
    pub(super) fn new(
        endpoint: Arc<dyn ModelEndpoint>,
        metrics: Arc<dyn Metrics>,
        config: Arc<Config>,
    ) -> Self {
        Restart {
            endpoint,
            metrics,
            config,
        }
    }
}

#[async_trait]
impl Mitigation for Restart {
    fn name(&self) -> &str {
        "restart-endpoint"
    }

    fn risk(&self) -> Risk {
        Risk::High
    }

    fn verify_after(&self) -> Duration {
        self.config.restart_verify_after
    }

    fn precondition(&self, findings: Findings<'_>) -> bool {
        findings.number("instance_count") == Some(0.0)
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let c = &self.config;
        let d = self.endpoint.describe(&c.endpoint).await?;
        let serving = variant(&d, c)?.current_instances;
        Ok(Plan::new(
            self,
            ctx,
            format!(
                "restart {}: update-endpoint to the config it runs, {}",
                c.endpoint, d.config_name
            ),
        )
        .change(
            format!("{} fleet", c.endpoint),
            format!("{}, {serving} instances in service", d.status),
            format!("Updating, then a new fleet on {}", d.config_name),
        )
        .remember("config", d.config_name))
    }

    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let config = remembered(plan, "config")?;
        self.endpoint
            .update_config(&self.config.endpoint, config, &ctx.idempotency_key)
            .await?;
        Ok(format!(
            "update-endpoint {} --endpoint-config-name {config}: a new fleet is coming up",
            self.config.endpoint
        ))
    }

    async fn verify(&self, ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        let config = remembered(plan, "config")?;
        serves(
            self.endpoint.as_ref(),
            self.metrics.as_ref(),
            &self.config,
            config,
            ctx.now,
        )
        .await
    }
}

/// "If still failing, rollback to previous config": `update-endpoint` to the newest config
/// created before the current one.
pub(super) struct Rollback {
    endpoint: Arc<dyn ModelEndpoint>,
    metrics: Arc<dyn Metrics>,
    config: Arc<Config>,
}

impl Rollback {
    pub(super) fn new(
        endpoint: Arc<dyn ModelEndpoint>,
        metrics: Arc<dyn Metrics>,
        config: Arc<Config>,
    ) -> Self {
        Rollback {
            endpoint,
            metrics,
            config,
        }
    }
}

#[async_trait]
impl Mitigation for Rollback {
    fn name(&self) -> &str {
        "rollback-endpoint-config"
    }

    fn risk(&self) -> Risk {
        Risk::High
    }

    fn verify_after(&self) -> Duration {
        self.config.rollback_verify_after
    }

    /// There is a config to roll back to, and the endpoint itself is failing (or its state is
    /// unknown): a breaker opened by a fault between the host and a healthy endpoint is no
    /// reason to replace the endpoint's model.
    fn precondition(&self, findings: Findings<'_>) -> bool {
        findings.text("previous_config").is_some()
            && findings.flag("endpoint_failing") != Some(false)
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let c = &self.config;
        let (described, listed) = futures::join!(
            self.endpoint.describe(&c.endpoint),
            self.endpoint.list_configs(&c.config_name_contains)
        );
        let (d, configs) = (described?, listed?);
        let previous = previous_config(&configs, &d.config_name).ok_or_else(|| {
            Error::not_found(
                "list-endpoint-configs",
                format!("a config older than {}", d.config_name),
            )
        })?;
        Ok(Plan::new(
            self,
            ctx,
            format!(
                "roll {} back from {} to {}, the newest config before it",
                c.endpoint, d.config_name, previous.name
            ),
        )
        .change(
            format!("{} config", c.endpoint),
            &d.config_name,
            &previous.name,
        )
        .remember("config", previous.name.clone())
        .remember("from", d.config_name))
    }

    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let config = remembered(plan, "config")?;
        self.endpoint
            .update_config(&self.config.endpoint, config, &ctx.idempotency_key)
            .await?;
        Ok(format!(
            "update-endpoint {} --endpoint-config-name {config}: rolling back from {}",
            self.config.endpoint,
            remembered(plan, "from")?
        ))
    }

    async fn verify(&self, ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        let config = remembered(plan, "config")?;
        serves(
            self.endpoint.as_ref(),
            self.metrics.as_ref(),
            &self.config,
            config,
            ctx.now,
        )
        .await
    }
}
