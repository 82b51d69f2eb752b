//! `cato-runbook mitigate RUNBOOK`: plan the next step (before → after). Nothing changes
//! production outside the engine: a step is applied by the running service, under its
//! guardrails (mode, caps, cooldowns, approvals, the lease, the timeline).

use std::sync::Arc;

use cato_runbook_core::ports::Clock;
use cato_runbook_core::runbook::{Findings, Mitigation, Plan, StepContext};
use cato_runbook_core::{IncidentId, Severity};
use serde::Serialize;

use super::{configured, diagnose, resource_of, runbook, runtime_for};
use crate::cli::WorldArgs;
use crate::config::Config;
use crate::exit::Failure;
use crate::output::{HEADING, Out};

pub(crate) struct Options<'a> {
    pub(crate) runbook: &'a str,
    pub(crate) resource: Option<&'a str>,
    pub(crate) step: Option<&'a str>,
    pub(crate) apply: bool,
    pub(crate) world: &'a WorldArgs,
}

#[derive(Serialize)]
struct Outcome {
    plan: Plan,
    requires_approval: bool,
}

/// What `--apply` says: the way a step is applied.
const THROUGH_THE_ENGINE: &str = "mitigate only plans: a step changes production only through the engine, under its guardrails. On the running service (`cato-runbook run`): `cato-runbook declare RUNBOOK --resource R` opens the incident, the engine plans the ladder's step under the policy, and `cato-runbook approve INCIDENT STEP` approves a step that waits for approval";

pub(crate) fn run(out: &mut Out, config: &Config, options: &Options<'_>) -> Result<(), Failure> {
    if options.apply {
        return Err(Failure::usage(THROUGH_THE_ENGINE));
    }
    let rt = runtime_for(config)?;
    let outcome = rt.block_on(async {
        let fakes = configured(config, Some(options.world)).await?;
        let runbook = runbook(config, &fakes, options.runbook)?;
        let resource = resource_of(&runbook, options.resource);
        let now = fakes.clock.now();
        let findings: Arc<[_]> = diagnose(config, &fakes, &[(&runbook, &resource)])
            .await
            .into_iter()
            .flat_map(|d| d.findings)
            .collect();
        let step: Arc<dyn Mitigation> = match options.step {
            Some(name) => runbook
                .ladder()
                .iter()
                .find(|m| m.name() == name)
                .cloned()
                .ok_or_else(|| {
                    let names: Vec<_> = runbook
                        .ladder()
                        .iter()
                        .map(|m| m.name().to_owned())
                        .collect();
                    Failure::usage(format!(
                        "{} has no step {name:?}; its ladder: {}",
                        runbook.id(),
                        names.join(", ")
                    ))
                })?,
            None => runbook
                .ladder()
                .iter()
                .find(|m| m.precondition(Findings(&findings)))
                .cloned()
                .ok_or_else(|| {
                    Failure::usage(format!(
                        "no step of {} applies to what the diagnosis found",
                        runbook.id()
                    ))
                })?,
        };
        let incident = IncidentId::new(format!("CLI-{}", now.format("%Y%m%d%H%M%S")));
        let ctx = StepContext::new(
            step.as_ref(),
            incident,
            runbook.id().clone(),
            resource,
            Severity::Sev2,
            findings,
            now,
        );
        let plan = step.plan(&ctx).await?;
        let requires_approval = plan.approval.is_some();
        Ok::<_, Failure>(Outcome {
            plan,
            requires_approval,
        })
    })?;
    if out.json {
        return out.json(&outcome);
    }
    out.line(Out::styled(HEADING, "Plan (dry run: nothing changed)"))?;
    out.line(outcome.plan.to_string())?;
    out.line(format!("idempotency key: {}", outcome.plan.idempotency_key))?;
    if outcome.requires_approval {
        out.line(
            "this step needs approval: approve it on the running service (cato-runbook approve)",
        )?;
    }
    out.line("to apply it: declare the incident on the running service (cato-runbook declare); the engine applies the step under its guardrails")?;
    Ok(())
}
