//! A recording step: every call of the mitigation traits logged, faults by phase.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::runbook::{
    Fact, FactKey, FactValue, Findings, Landed, Mitigation, Plan, Quantity, Risk, StepContext,
    Verification,
};
use cato_runbook_core::{Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};

/// Every call a step double receives, in order, across steps: `apply:restart`, …
pub type CallLog = Arc<Mutex<Vec<String>>>;

/// A call of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Plan,
    Apply,
    Verify,
    Revert,
}

/// What a scripted call does instead of its work: fail with an error of a kind, or hang.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Fail(ErrorKind),
    Hang,
    /// The apply lands, then its answer is lost (a passing error).
    Lost,
    /// Refused because the resource is busy changing (a conflict a retry may clear).
    Busy,
}

#[derive(Debug)]
pub struct FakeStep {
    pub name: String,
    pub risk: Risk,
    pub reversible: bool,
    pub approval: bool,
    pub verify_passes: bool,
    pub apply_fails: bool,
    pub verify_after: Duration,
    pub lasts_for: Option<Duration>,
    pub needs_fact: Option<(&'static str, Fact)>,
    pub quantities: Vec<Quantity>,
    pub cost: f64,
    pub adds: Option<cato_runbook_core::runbook::Capacity>,
    pub log: CallLog,
    pub keys: Mutex<Vec<String>>,
    /// Faults still to happen, by phase, in order.
    pub faults: Mutex<Vec<(Phase, Fault)>>,
    /// Whether the last apply landed (a hung or failed apply may still land, as on AWS).
    pub applied: Mutex<bool>,
    /// Whether a hung apply lands before it hangs.
    pub hang_lands: bool,
    /// Whether `landed` reads the change back (otherwise it cannot tell).
    pub reads_back: bool,
    /// The fence each apply ran under.
    pub fences: Mutex<Vec<u64>>,
}

/// The memo the step double keeps.
#[derive(Debug, Serialize, Deserialize)]
struct Memo {
    previous: String,
}

impl FakeStep {
    pub fn new(name: &str, log: &CallLog) -> Self {
        FakeStep {
            name: name.into(),
            risk: Risk::Medium,
            reversible: false,
            approval: false,
            verify_passes: true,
            apply_fails: false,
            verify_after: Duration::from_secs(60),
            lasts_for: None,
            needs_fact: None,
            quantities: Vec::new(),
            cost: 0.0,
            adds: None,
            log: log.clone(),
            keys: Mutex::new(Vec::new()),
            faults: Mutex::new(Vec::new()),
            applied: Mutex::new(false),
            hang_lands: false,
            reads_back: false,
            fences: Mutex::new(Vec::new()),
        }
    }
    pub fn risk(mut self, risk: Risk) -> Self {
        self.risk = risk;
        self
    }
    pub fn reversible(mut self) -> Self {
        self.reversible = true;
        self
    }
    pub fn temporary(mut self, ttl: Duration) -> Self {
        self.lasts_for = Some(ttl);
        self
    }
    pub fn needs_approval(mut self) -> Self {
        self.approval = true;
        self
    }
    pub fn verify_fails(mut self) -> Self {
        self.verify_passes = false;
        self
    }
    pub fn apply_fails(mut self) -> Self {
        self.apply_fails = true;
        self
    }
    /// The next `times` calls of `phase` fail with an error of `kind` (or hang).
    pub fn fault(self, phase: Phase, fault: Fault, times: usize) -> Self {
        self.faults
            .lock()
            .unwrap()
            .extend(std::iter::repeat_n((phase, fault), times));
        self
    }
    /// A hung apply makes its change before it hangs.
    pub fn hang_lands(mut self) -> Self {
        self.hang_lands = true;
        self
    }
    /// Holds only when the most recent fact `key` is `value`.
    pub fn when<T: FactValue>(mut self, key: FactKey<T>, value: T) -> Self {
        self.needs_fact = Some((key.name(), value.into_fact()));
        self
    }
    pub fn quantity(mut self, q: Quantity) -> Self {
        self.quantities.push(q);
        self
    }
    pub fn cost(mut self, usd: f64) -> Self {
        self.cost = usd;
        self
    }
    pub fn adds(mut self, capacity: cato_runbook_core::runbook::Capacity) -> Self {
        self.adds = Some(capacity);
        self
    }
    pub fn reads_back(mut self) -> Self {
        self.reads_back = true;
        self
    }

    pub fn arc(self) -> Arc<Self> {
        Arc::new(self)
    }
    fn note(&self, what: &str) {
        self.log
            .lock()
            .unwrap()
            .push(format!("{what}:{}", self.name));
    }
    /// The scripted fault of this call of `phase`, if any.
    async fn scripted(&self, phase: Phase) -> Result<()> {
        let fault = {
            let mut faults = self.faults.lock().unwrap();
            let at = faults.iter().position(|(p, _)| *p == phase);
            at.map(|at| faults.remove(at).1)
        };
        match fault {
            None => Ok(()),
            Some(Fault::Fail(kind)) => Err(Error::new(
                kind,
                "FakeStep",
                format!("{phase:?} of {} failed", self.name),
            )),
            Some(Fault::Lost) => {
                if phase == Phase::Apply {
                    *self.applied.lock().unwrap() = true;
                }
                Err(Error::new(
                    ErrorKind::Unavailable,
                    "FakeStep",
                    format!(
                        "{phase:?} of {}: connection reset after the answer",
                        self.name
                    ),
                ))
            }
            Some(Fault::Busy) => Err(Error::new(
                ErrorKind::Conflict,
                "FakeStep",
                format!("{phase:?} of {}: the resource is updating", self.name),
            )
            .with_retry(cato_runbook_core::Retry::Transient)),
            Some(Fault::Hang) => {
                if phase == Phase::Apply && self.hang_lands {
                    *self.applied.lock().unwrap() = true;
                }
                std::future::pending().await
            }
        }
    }
}

pub fn calls(log: &CallLog) -> Vec<String> {
    log.lock().unwrap().clone()
}

#[async_trait]
impl Mitigation for FakeStep {
    fn name(&self) -> &str {
        &self.name
    }
    fn precondition(&self, findings: Findings<'_>) -> bool {
        match &self.needs_fact {
            Some((name, value)) => findings.fact(name) == Some(value),
            None => true,
        }
    }
    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        self.note("plan");
        self.scripted(Phase::Plan).await?;
        let mut plan = Plan::new(
            self,
            ctx,
            self.risk,
            format!("{} {}", self.name, ctx.resource),
        )
        .change(format!("{} state", ctx.resource), "before", "after")
        .cost(self.cost)
        .verify_after(self.verify_after)
        .with_memo(&Memo {
            previous: "before".into(),
        })?;
        if self.reversible {
            plan = plan.reversible();
        }
        if let Some(ttl) = self.lasts_for {
            plan = plan.lasts_for(ttl);
        }
        if self.approval {
            plan = plan.needs_approval("the double says so");
        }
        for q in &self.quantities {
            plan = plan.quantity(*q);
        }
        if let Some(capacity) = &self.adds {
            plan = plan.adds(capacity.clone());
        }
        Ok(plan)
    }
    async fn apply(&self, _ctx: &StepContext, plan: &Plan) -> Result<String> {
        self.note("apply");
        self.keys
            .lock()
            .unwrap()
            .push(plan.idempotency_key.to_string());
        self.fences.lock().unwrap().push(_ctx.fence.0);
        self.scripted(Phase::Apply).await?;
        if self.apply_fails {
            return Err(Error::new(
                ErrorKind::Conflict,
                "UpdateEndpoint",
                "endpoint is updating",
            ));
        }
        *self.applied.lock().unwrap() = true;
        Ok(format!("{} done", self.name))
    }
    async fn verify(&self, _ctx: &StepContext, _plan: &Plan) -> Result<Verification> {
        self.note("verify");
        self.scripted(Phase::Verify).await?;
        let landed = *self.applied.lock().unwrap();
        Ok(if !landed {
            Verification::Failed("the change is not there".into())
        } else if self.verify_passes {
            Verification::Passed("healthy again".into())
        } else {
            Verification::Failed("still failing".into())
        })
    }
    async fn landed(&self, _ctx: &StepContext, _plan: &Plan) -> Result<Landed> {
        self.note("landed");
        if !self.reads_back {
            return Ok(Landed::Unknown);
        }
        Ok(if *self.applied.lock().unwrap() {
            Landed::Yes
        } else {
            Landed::No
        })
    }
    async fn revert(&self, _ctx: &StepContext, plan: &Plan) -> Result<String> {
        self.note("revert");
        self.scripted(Phase::Revert).await?;
        *self.applied.lock().unwrap() = false;
        Ok(format!("back to {}", plan.memo::<Memo>()?.previous))
    }
}
