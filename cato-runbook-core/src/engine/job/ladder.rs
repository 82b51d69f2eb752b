//! The mitigation ladder: the step in flight, then the next rung whose precondition holds.

use crate::call;
use std::sync::Arc;

use super::Job;
use crate::engine::policy::Mode;
use crate::incident::{Status, StepCall, StepPhase, StepRun};
use crate::runbook::{Findings, Mitigation, Runbook, StepContext};
use crate::timeline::{Actor, EntryKind};

pub(super) use crate::engine::guardrails::HALTED;

/// What to do after handling the step in flight.
pub(super) enum Next {
    /// Look for the next rung now.
    Pick,
    /// Nothing more this tick.
    Stop,
}

impl Job<'_> {
    /// Moves the ladder on, unless the kill switch is on.
    pub(super) async fn ladder(&mut self) {
        let Some(runbook) = self.runbook else { return };
        if !self.read(crate::incident::Incident::is_open).await {
            return;
        }
        if runbook.ladder.is_empty() {
            return;
        }
        if self.engine.is_halted() {
            // Nothing moves: no apply, no verify-and-revert, until automation resumes.
            self.hold(runbook, HALTED).await;
            return;
        }
        let current = self.read(|i| i.automation().step.clone()).await;
        let next = match current {
            Some(run) => self.in_flight(runbook, run).await,
            None => Next::Pick,
        };
        if matches!(next, Next::Pick) {
            self.pick(runbook).await;
        }
    }

    /// Advances the step in flight.
    pub(super) async fn in_flight(&mut self, runbook: &Runbook, run: StepRun) -> Next {
        let now = self.engine.now();
        let step = runbook
            .ladder
            .get(run.rung)
            .filter(|s| s.name() == run.plan.step);
        let Some(step) = step.cloned() else {
            // The runbook changed under a saved step: forget it and start from its rung.
            self.edit(|i, now| {
                let note = format!("{} is no longer on the ladder; dropped", run.plan.step);
                i.note(now, Actor::Engine, note);
                i.automation_mut().step = None;
            })
            .await;
            return Next::Pick;
        };
        match run.phase {
            StepPhase::DryRun => {
                if self.mode(runbook) == Mode::Auto {
                    self.edit(|i, _| i.automation_mut().step = None).await;
                    Next::Pick
                } else {
                    Next::Stop
                }
            }
            StepPhase::AwaitingApproval { expires_at, .. } if now >= expires_at => {
                let name = run.plan.step.clone();
                self.edit(|i, now| {
                    let kind = EntryKind::ApprovalExpired { step: name.clone() };
                    let _ = i.record(now, Actor::Engine, kind, "nobody answered in time");
                    let automation = i.automation_mut();
                    automation.step = None;
                    automation.rung = run.rung + 1;
                })
                .await;
                self.skipped(&run.plan.step, "approval expired");
                Next::Pick
            }
            StepPhase::AwaitingApproval { .. } => Next::Stop,
            StepPhase::Approved { .. } => {
                if self.apply(runbook, run.rung, run.plan, false).await {
                    Next::Pick
                } else {
                    Next::Stop
                }
            }
            StepPhase::Ready { .. } if self.retry_pending(run.rung, StepCall::Apply).await => {
                Next::Stop
            }
            StepPhase::Ready { .. } => {
                if self.landed_before_retry(step.as_ref(), &run).await {
                    return Next::Stop;
                }
                if self.apply(runbook, run.rung, run.plan, true).await {
                    Next::Pick
                } else {
                    Next::Stop
                }
            }
            StepPhase::Applying { fence, .. } => {
                Box::pin(self.recover(runbook, step, run, fence)).await
            }
            StepPhase::Applied { verify_at, .. } if now >= verify_at => {
                self.verify(step, run).await
            }
            StepPhase::Applied { .. } => Next::Stop,
            StepPhase::Reverting { .. } if self.retry_pending(run.rung, StepCall::Revert).await => {
                Next::Stop
            }
            StepPhase::Reverting { .. } => {
                let ctx = self.context(step.as_ref()).await;
                self.undo_failed(step.as_ref(), &ctx, run).await
            }
            StepPhase::Verified { .. } => {
                let open_after = self.open_after(runbook);
                let persists = self
                    .read(|i| i.automation().bad_after_verified >= open_after)
                    .await;
                if !persists {
                    return Next::Stop;
                }
                self.edit(|i, now| {
                    i.note(
                        now,
                        Actor::Engine,
                        format!("symptom persists after {} was verified", run.plan.step),
                    );
                    let _ = i.transition(Status::Mitigating, now, Actor::Engine);
                    let automation = i.automation_mut();
                    automation.step = None;
                    automation.rung = run.rung + 1;
                    automation.bad_after_verified = 0;
                })
                .await;
                Next::Pick
            }
        }
    }

    /// Takes the next rung whose precondition holds, through the guardrails.
    pub(super) async fn pick(&mut self, runbook: &Runbook) {
        if self.read(|i| i.automation().exhausted).await {
            return;
        }
        if self.engine.is_halted() {
            self.hold(runbook, HALTED).await;
            return;
        }
        let mode = self.mode(runbook);
        if mode == Mode::ObserveOnly {
            self.hold(runbook, "observe-only mode").await;
            return;
        }
        loop {
            // Resolved meanwhile (by hand, between two rungs): nothing more to apply.
            if !self.read(crate::incident::Incident::is_open).await {
                return;
            }
            let rung = self.read(|i| i.automation().rung).await;
            let Some(step) = runbook.ladder.get(rung).cloned() else {
                self.exhaust().await;
                return;
            };
            if self.retry_pending(rung, StepCall::Plan).await {
                return;
            }
            let holds = self
                .read(|i| step.precondition(Findings(i.findings())))
                .await;
            if !holds {
                self.skip(
                    rung,
                    step.name(),
                    "precondition does not hold on the findings",
                )
                .await;
                continue;
            }
            if mode == Mode::Auto && !self.may_act(runbook).await {
                return;
            }
            let ctx = self.context(step.as_ref()).await;
            let timeout = self.engine.config.timeouts.step;
            let plan = match call::timed(
                self.engine.clock.as_ref(),
                timeout,
                "mitigation.plan",
                &ctx.resource,
                step.plan(&ctx),
            )
            .await
            {
                Ok(plan) => self.engine.priced(plan),
                Err(err) => {
                    if self
                        .retry_later(rung, step.name(), StepCall::Plan, &err)
                        .await
                    {
                        return;
                    }
                    self.failed(rung, step.name(), format!("planning failed: {err}"))
                        .await;
                    continue;
                }
            };
            let described = plan.to_string();
            self.edit(|i, now| {
                let kind = EntryKind::MitigationPlanned {
                    step: plan.step.clone(),
                };
                let _ = i.record(now, Actor::Engine, kind, described.clone());
                i.automation_mut().retry = None;
            })
            .await;
            // The budget's word comes before the policy's own rules: while it is in EMERGENCY
            // (or unreadable) a step that adds spend waits, whatever else it is.
            let approval = match (&plan.approval, self.engine.budget_approval(&plan)) {
                (None, Some(why)) => Some(why),
                _ => self.engine.policy.approval_reason(&plan),
            };
            if mode == Mode::DryRun {
                self.dry_run(rung, plan, approval).await;
                return;
            }
            if let Some(reason) = self.refusal(&plan) {
                self.skip(rung, step.name(), &reason).await;
                continue;
            }
            if let Some(why) = approval {
                self.request_approval(rung, plan, why).await;
                return;
            }
            if !self.apply(runbook, rung, plan, false).await {
                return;
            }
        }
    }

    pub(super) fn mode(&self, runbook: &Runbook) -> Mode {
        self.engine.policy.mode_for(&runbook.id, runbook.mode)
    }

    pub(super) fn open_after(&self, runbook: &Runbook) -> u32 {
        runbook.open_after.unwrap_or(self.engine.config.open_after)
    }

    pub(super) async fn context(&self, step: &dyn Mitigation) -> StepContext {
        let now = self.engine.now();
        let fence = self.fence;
        self.read(|i| {
            StepContext::new(
                step,
                i.id().clone(),
                i.runbook().clone(),
                i.resource(),
                i.severity(),
                Arc::from(i.findings()),
                now,
            )
            .with_fence(fence)
        })
        .await
    }
}
