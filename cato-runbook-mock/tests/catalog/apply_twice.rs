//! Every mitigation step, applied twice: the same plan, applied again with the same context (a
//! retry, a replica taking over later), leaves the world as applying it once, and a revert
//! applied twice leaves it as reverting once.
//!
//! Each test builds twins — two worlds alike, made at the same instant, so that their clocks
//! read the same — plans the step on each, applies the plan twice on one and once on the other,
//! and compares them: the whole [`WorldSnapshot`], then the field the step sets against the
//! absolute target in its plan. The call record shows what the provider saw: a repeat with the
//! same idempotency key reaches the fake and is answered as
//! [`CallOutcome::Deduplicated`], not dropped before it.

mod bedrock_throttling;
mod budget_exceeded;
mod cache_miss_spike;
mod contact;
mod dynamodb_hot_partition;
mod high_latency;
mod shadow_self_down;
mod strategies;

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::catalog::{self, CatalogConfig};
use cato_runbook_core::ports::Clock;
pub(crate) use cato_runbook_core::runbook::Landed;
use cato_runbook_core::runbook::{
    DiagnoseContext, Diagnosis, Finding, Mitigation, Plan, Runbook, StepContext,
};
use cato_runbook_core::{Error, IdempotencyKey, Result, Severity};
use cato_runbook_mock::{CallOutcome, Op, World, WorldChange, WorldConfig, WorldSnapshot};

pub(crate) use crate::world_engine::minutes;

/// The incident every plan is for.
pub(crate) const INCIDENT: &str = "INC-1";

/// Two worlds built alike at the same instant: `twice` gets each plan applied twice, `once`
/// once. Both clocks follow tokio's paused time, so waiting on one waits on both.
pub(crate) struct Twins {
    twice: World,
    once: World,
}

impl Twins {
    /// Twins in the state `config` describes.
    pub(crate) fn new(config: WorldConfig) -> Result<Twins> {
        Ok(Twins {
            twice: World::new(config.clone())?,
            once: World::new(config)?,
        })
    }

    /// Applies `change` to both, now.
    pub(crate) fn apply(&self, change: WorldChange) -> Result<()> {
        self.twice.apply(change.clone())?;
        self.once.apply(change)
    }

    /// Lets `d` of virtual time pass, for both.
    pub(crate) async fn wait(&self, d: Duration) {
        self.twice.clock().sleep(d).await;
    }

    /// Plans `rung` on each world, from its own runbook and its own diagnoses: (twice, once).
    pub(crate) async fn plan(&self, rung: &Rung) -> Result<(Case, Case)> {
        Ok((rung.plan(&self.twice).await?, rung.plan(&self.once).await?))
    }

    /// Plans the step `make` builds over each world's fakes (a step no catalog ladder holds),
    /// for `runbook` on `resource`, with no findings: (twice, once).
    pub(crate) async fn plan_built(
        &self,
        runbook: &str,
        resource: &str,
        make: impl Fn(&World) -> Arc<dyn Mitigation>,
    ) -> Result<(Case, Case)> {
        let (twice, once) = (&self.twice, &self.once);
        Ok((
            Case::plan(twice, make(twice), runbook, resource, Vec::new()).await?,
            Case::plan(once, make(once), runbook, resource, Vec::new()).await?,
        ))
    }
}

/// A step of a catalog runbook's ladder, and the findings it is planned on: those of the
/// runbook's own diagnoses, plus any built by hand.
pub(crate) struct Rung {
    runbook: &'static str,
    resource: String,
    step: &'static str,
    config: CatalogConfig,
    diagnoses: &'static [&'static str],
    findings: Vec<Finding>,
}

impl Rung {
    /// Step `step` of the catalog's runbook `runbook` (default settings), for an incident on
    /// `resource`.
    pub(crate) fn new(
        runbook: &'static str,
        resource: impl Into<String>,
        step: &'static str,
    ) -> Rung {
        Rung {
            runbook,
            resource: resource.into(),
            step,
            config: CatalogConfig::default(),
            diagnoses: &[],
            findings: Vec::new(),
        }
    }

    /// With these catalog settings.
    pub(crate) fn with_config(mut self, config: CatalogConfig) -> Rung {
        self.config = config;
        self
    }

    /// Planned on the findings of the runbook's diagnoses named `names`, run just before.
    pub(crate) fn diagnosed_by(mut self, names: &'static [&'static str]) -> Rung {
        self.diagnoses = names;
        self
    }

    /// Planned on `finding` too: a fact no diagnosis gives without its detector's history.
    pub(crate) fn with_finding(mut self, finding: Finding) -> Rung {
        self.findings.push(finding);
        self
    }

    async fn plan(&self, world: &World) -> Result<Case> {
        let ports = world.ports("replica-1");
        let runbook = catalog::build(
            self.runbook,
            &ports.providers(world.clock_handle()),
            &self.config,
        )?;
        let mut findings = diagnose(&runbook, world, &self.resource, self.diagnoses).await?;
        findings.extend(self.findings.iter().cloned());
        let step = runbook
            .ladder()
            .iter()
            .find(|s| s.name() == self.step)
            .cloned()
            .ok_or_else(|| {
                Error::not_found("ladder", format!("step {} of {}", self.step, self.runbook))
            })?;
        Case::plan(world, step, self.runbook, &self.resource, findings).await
    }
}

/// The findings of `runbook`'s diagnoses `names`, run on `world` now, in that order.
async fn diagnose(
    runbook: &Runbook,
    world: &World,
    resource: &str,
    names: &[&str],
) -> Result<Vec<Finding>> {
    let ctx = DiagnoseContext::new(
        INCIDENT.into(),
        runbook.id().clone(),
        resource,
        world.now(),
        world.now(),
    );
    let mut findings = Vec::new();
    for name in names {
        let diagnosis = runbook
            .diagnoses()
            .iter()
            .find(|d| d.name() == *name)
            .ok_or_else(|| {
                Error::not_found("diagnoses", format!("diagnosis {name} of {}", runbook.id()))
            })?;
        findings.extend(diagnosis.diagnose(&ctx).await?.findings);
    }
    Ok(findings)
}

/// One side of the twins: its world, the step, the context and the plan made there.
pub(crate) struct Case {
    pub(crate) world: World,
    pub(crate) step: Arc<dyn Mitigation>,
    pub(crate) ctx: StepContext,
    pub(crate) plan: Plan,
}

impl Case {
    /// Plans `step` on `world` for [`INCIDENT`] of `runbook` on `resource`, after checking that
    /// its precondition holds on `findings`.
    async fn plan(
        world: &World,
        step: Arc<dyn Mitigation>,
        runbook: &str,
        resource: &str,
        findings: Vec<Finding>,
    ) -> Result<Case> {
        let ctx = StepContext::new(
            step.as_ref(),
            INCIDENT.into(),
            runbook.into(),
            resource,
            Severity::Sev2,
            Arc::from(findings),
            world.now(),
        );
        assert!(
            step.precondition(ctx.findings()),
            "{} does not apply on {:#?}",
            step.name(),
            ctx.findings
        );
        let plan = step.plan(&ctx).await?;
        Ok(Case {
            world: world.clone(),
            step,
            ctx,
            plan,
        })
    }

    /// The key the step's apply sends.
    pub(crate) fn key(&self) -> IdempotencyKey {
        self.ctx.idempotency_key.clone()
    }

    /// The key the step's revert sends: `incident:step:revert`.
    pub(crate) fn revert_key(&self) -> IdempotencyKey {
        IdempotencyKey::new(format!("{}:revert", self.ctx.idempotency_key))
    }
}

/// Applies `once`'s plan once and `twice`'s plan twice with the same context and plan, the
/// second time `between` after the first (a replica retrying later); `once` and the first apply
/// of `twice` run at the same instant. Returns the first apply's line.
/// What the step reads back about its plan on `case`'s world.
pub(crate) async fn landed(case: &Case) -> Landed {
    case.step.landed(&case.ctx, &case.plan).await.unwrap()
}

pub(crate) async fn apply_twice(twice: &Case, once: &Case, between: Duration) -> Result<String> {
    assert_eq!(twice.plan, once.plan, "worlds built alike plan alike");
    assert_eq!(twice.plan.idempotency_key, twice.ctx.idempotency_key);
    let only = once.step.apply(&once.ctx, &once.plan).await?;
    let first = twice.step.apply(&twice.ctx, &twice.plan).await?;
    twice.world.clock().sleep(between).await;
    let again = twice.step.apply(&twice.ctx, &twice.plan).await?;
    assert_eq!(
        first, only,
        "{}: the same plan applies alike",
        twice.plan.step
    );
    assert_eq!(
        again, first,
        "{}: applied again, it answers as the first time",
        twice.plan.step
    );
    Ok(first)
}

/// Reverts `once`'s plan once and `twice`'s twice, `between` apart; returns `twice`'s two lines.
pub(crate) async fn revert_twice(
    twice: &Case,
    once: &Case,
    between: Duration,
) -> Result<[String; 2]> {
    assert!(twice.plan.reversible, "{} can be undone", twice.plan.step);
    let only = once.step.revert(&once.ctx, &once.plan).await?;
    let first = twice.step.revert(&twice.ctx, &twice.plan).await?;
    twice.world.clock().sleep(between).await;
    let again = twice.step.revert(&twice.ctx, &twice.plan).await?;
    assert_eq!(
        first, only,
        "{}: the same plan reverts alike",
        twice.plan.step
    );
    Ok([first, again])
}

/// Lets `settle` pass (updates finish), then checks that both worlds look the same; returns
/// what they look like.
pub(crate) async fn alike(twice: &Case, once: &Case, settle: Duration) -> WorldSnapshot {
    twice.world.clock().sleep(settle).await;
    let snapshot = twice.world.snapshot();
    assert_eq!(
        snapshot,
        once.world.snapshot(),
        "{}: applied twice (left) vs once (right)",
        twice.plan.step
    );
    snapshot
}

/// One call as the record shows it: how it ended, and the key it carried.
pub(crate) type Seen = (CallOutcome, Option<IdempotencyKey>);

/// Every call of `op` on the case's world, in order.
pub(crate) fn record(case: &Case, op: Op) -> Vec<Seen> {
    case.world
        .calls()
        .of(op)
        .into_iter()
        .map(|c| (c.outcome, c.key))
        .collect()
}

/// A call that changed something, with `key`.
pub(crate) fn applied(key: &IdempotencyKey) -> Seen {
    (CallOutcome::Ok, Some(key.clone()))
}

/// A repeat with `key`: it reached the provider, which answered without applying it again.
pub(crate) fn repeated(key: &IdempotencyKey) -> Seen {
    (CallOutcome::Deduplicated, Some(key.clone()))
}

/// The mutating calls (notifications included) made on the case's world, in order.
pub(crate) fn writes(case: &Case) -> Vec<Op> {
    case.world
        .calls()
        .sequence()
        .into_iter()
        .filter(|op| op.mutates())
        .collect()
}
