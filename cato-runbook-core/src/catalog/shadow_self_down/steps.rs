//! The ladder: restart the endpoint on its config, then roll back to the config before it.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::Config;
use super::detect::{InvocationQueries, invocations, variant};
use super::diagnose::previous_config;
use crate::catalog::facts;
use crate::catalog::kit::last_minutes;
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
    let counts = invocations(metrics, &InvocationQueries::of(config), config, start, end).await?;
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

/// What a restart or a rollback keeps: the config the endpoint must run (an absolute target),
/// and the one it ran when planned.
#[derive(Debug, Serialize, Deserialize)]
struct ConfigMemo {
    config: String,
    from: String,
}

/// "If 0 instances, restart endpoint": `update-endpoint` to the config it already runs.
#[derive(Debug)]
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

    fn precondition(&self, findings: Findings<'_>) -> bool {
        findings.get(facts::INSTANCE_COUNT) == Some(0)
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let c = &self.config;
        let d = self.endpoint.describe(&c.endpoint).await?;
        let serving = variant(&d, c)?.current_instances;
        Plan::new(
            self,
            ctx,
            Risk::High,
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
        .verify_after(c.restart_verify_after)
        .with_memo(&ConfigMemo {
            config: d.config_name.clone(),
            from: d.config_name,
        })
    }

    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let memo: ConfigMemo = plan.memo()?;
        self.endpoint
            .update_config(&self.config.endpoint, &memo.config, &ctx.idempotency_key)
            .await?;
        Ok(format!(
            "update-endpoint {} --endpoint-config-name {}: a new fleet is coming up",
            self.config.endpoint, memo.config
        ))
    }

    async fn verify(&self, ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        let memo: ConfigMemo = plan.memo()?;
        serves(
            self.endpoint.as_ref(),
            self.metrics.as_ref(),
            &self.config,
            &memo.config,
            ctx.now,
        )
        .await
    }
}

/// "If still failing, rollback to previous config": `update-endpoint` to the newest config
/// created before the current one.
#[derive(Debug)]
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

    /// There is a config to roll back to, and the endpoint itself is failing (or its state is
    /// unknown): a breaker opened by a fault between the host and a healthy endpoint is no
    /// reason to replace the endpoint's model.
    fn precondition(&self, findings: Findings<'_>) -> bool {
        findings.text_of(facts::PREVIOUS_CONFIG).is_some()
            && findings.get(facts::ENDPOINT_FAILING) != Some(false)
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
        Plan::new(
            self,
            ctx,
            Risk::High,
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
        .verify_after(c.rollback_verify_after)
        .with_memo(&ConfigMemo {
            config: previous.name.clone(),
            from: d.config_name,
        })
    }

    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let memo: ConfigMemo = plan.memo()?;
        self.endpoint
            .update_config(&self.config.endpoint, &memo.config, &ctx.idempotency_key)
            .await?;
        Ok(format!(
            "update-endpoint {} --endpoint-config-name {}: rolling back from {}",
            self.config.endpoint, memo.config, memo.from
        ))
    }

    async fn verify(&self, ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        let memo: ConfigMemo = plan.memo()?;
        serves(
            self.endpoint.as_ref(),
            self.metrics.as_ref(),
            &self.config,
            &memo.config,
            ctx.now,
        )
        .await
    }
}
