//! One step's life: dry-run record, approval request, apply, verify (its revert is in
//! `revert.rs`). Its errors go through the error policy (`retry.rs`); an apply that timed out is
//! *unknown*, not failed: the step's verification reads the resource before the engine decides.

use crate::call;
use std::sync::Arc;

use tracing::Instrument;

use super::Job;
use super::ladder::{HALTED, Next};
use crate::engine::guardrails::Refusal;
use crate::engine::report::TickEvent;
use crate::error::ErrorKind;
use crate::incident::{AddedSpend, Status, StepCall, StepPhase, StepRun, TemporaryStep};
use crate::runbook::{Mitigation, Plan, Runbook, Verification};
use crate::time;
use crate::timeline::{Actor, EntryKind};

impl Job<'_> {
    /// Records what would happen, and stops there.
    pub(super) async fn dry_run(&mut self, rung: usize, plan: Plan, approval: Option<String>) {
        let mut detail = format!("would apply: {}", plan.summary);
        if let Some(why) = approval {
            detail.push_str(&format!("; would ask for approval ({why})"));
        }
        if let Some(reason) = self.refusal(&plan) {
            detail.push_str(&format!("; would be refused ({reason})"));
        }
        let name = plan.step.clone();
        self.edit(|i, now| {
            let kind = EntryKind::MitigationSkipped {
                step: name.clone(),
                reason: "dry-run".into(),
            };
            let _ = i.record(now, Actor::Engine, kind, detail.clone());
            i.automation_mut().step = Some(StepRun {
                rung,
                plan: plan.clone(),
                phase: StepPhase::DryRun,
            });
        })
        .await;
        self.skipped(&name, "dry-run");
    }

    /// Asks an operator; the step waits until approved, denied or lapsed.
    pub(super) async fn request_approval(&mut self, rung: usize, plan: Plan, why: String) {
        let name = plan.step.clone();
        let summary = plan.summary.clone();
        let ttl = self.engine.policy.approval.ttl;
        let expires = self
            .edit(|i, now| {
                if matches!(i.status(), Status::Detected | Status::Acknowledged) {
                    let _ = i.transition(Status::Mitigating, now, Actor::Engine);
                }
                let kind = EntryKind::ApprovalRequested { step: name.clone() };
                let _ = i.record(now, Actor::Engine, kind, format!("{why}: {plan}"));
                let expires_at = time::add(now, ttl);
                i.automation_mut().step = Some(StepRun {
                    rung,
                    plan: plan.clone(),
                    phase: StepPhase::AwaitingApproval {
                        requested_at: now,
                        expires_at,
                    },
                });
                expires_at
            })
            .await;
        self.events.push(TickEvent::ApprovalRequested {
            incident: self.id.clone(),
            step: name.clone(),
        });
        self.say(format!(
            "approval needed for {name} ({summary}): {why}; approve or deny before {}",
            expires.format("%H:%M:%S")
        ))
        .await;
    }

    /// Applies `plan` after the last guardrails; returns whether to look at the next rung now.
    /// `again` is a retry of an apply that failed with an error a retry may help: its
    /// guardrails were passed and booked by the first try.
    pub(super) async fn apply(
        &mut self,
        runbook: &Runbook,
        rung: usize,
        plan: Plan,
        again: bool,
    ) -> bool {
        let Some(step) = runbook.ladder.get(rung).cloned() else {
            return false;
        };
        if !self.read(crate::Incident::is_open).await {
            return false;
        }
        if self.engine.is_halted() {
            self.hold(runbook, HALTED).await;
            return false;
        }
        let name = plan.step.clone();
        if !self.may_act(runbook).await {
            return false;
        }
        if !again {
            if let Some(reason) = self.refusal(&plan) {
                self.skip(rung, &name, &reason).await;
                return true;
            }
            let now = self.engine.now();
            let reserved = self
                .engine
                .reserve(self.fence, &name, &plan.resource, plan.risk, now)
                .await;
            match reserved {
                Ok(()) => {}
                Err(Refusal::Skip(reason)) => {
                    self.skip(rung, &name, &reason).await;
                    return true;
                }
                Err(Refusal::Hold(reason)) => {
                    // Nothing was booked: the rung (or the approved step) is taken again at the
                    // next tick.
                    self.hold(runbook, &reason).await;
                    return false;
                }
            }
        }
        if !self.intend(runbook, rung, &plan).await {
            return false;
        }
        let ctx = self.context(step.as_ref()).await;
        let timeout = self.engine.config.timeouts.step;
        let applied = call::timed(
            self.engine.clock.as_ref(),
            timeout,
            "mitigation.apply",
            &ctx.resource,
            step.apply(&ctx, &plan),
        )
        .instrument(tracing::info_span!("step", step = %name, fence = self.fence.0))
        .await;
        match applied {
            Ok(line) => {
                let said = format!("applied {name}: {line}");
                self.applied(rung, plan, line, false).await;
                self.say(said).await;
                false
            }
            Err(err) if again && err.kind() == ErrorKind::Conflict && err.is_retryable() => {
                // The retry finds the resource busy changing: most likely with the earlier
                // attempt's change, whose answer was lost. A second call would wait for it to
                // finish and then apply the change again; the verification decides instead.
                let detail = format!(
                    "{err}; the earlier attempt may have landed: verifying in {} before deciding",
                    time::HumanDuration(plan.verify_after)
                );
                self.applied(rung, plan, detail, true).await;
                self.say(format!(
                    "{name} finds its resource busy on a retry; verifying whether it landed"
                ))
                .await;
                false
            }
            Err(err) if err.kind() == ErrorKind::Timeout => {
                // It may have landed: the verification reads the resource and decides.
                let detail = format!(
                    "{err}; whether it landed is unknown: verifying in {} before deciding",
                    time::HumanDuration(plan.verify_after)
                );
                self.applied(rung, plan, detail, true).await;
                self.say(format!("{name} timed out; verifying whether it landed"))
                    .await;
                false
            }
            Err(err) => {
                if self.retry_later(rung, &name, StepCall::Apply, &err).await {
                    self.edit(|i, now| {
                        i.automation_mut().step = Some(StepRun {
                            rung,
                            plan: plan.clone(),
                            phase: StepPhase::Ready { at: now },
                        });
                    })
                    .await;
                    return false;
                }
                self.failed(rung, &name, err.to_string()).await;
                true
            }
        }
    }

    /// Records an apply (or one whose outcome is `unknown`) on the timeline and among the tick's
    /// events, and schedules its verification.
    pub(super) async fn applied(&mut self, rung: usize, plan: Plan, detail: String, unknown: bool) {
        let step = plan.step.clone();
        let (kind, event) = if unknown {
            let event = TickEvent::Unknown {
                incident: self.id.clone(),
                step: step.clone(),
            };
            (EntryKind::MitigationUnknown { step }, event)
        } else {
            let event = TickEvent::Applied {
                incident: self.id.clone(),
                step: step.clone(),
            };
            (EntryKind::MitigationApplied { step }, event)
        };
        self.edit(|i, now| {
            let _ = i.record(now, Actor::Engine, kind.clone(), detail.clone());
            let _ = i.transition(Status::Monitoring, now, Actor::Engine);
            let automation = i.automation_mut();
            automation.retry = None;
            if let Some(estimate) = &plan.spend {
                automation.added_spend.retain(|s| s.step != plan.step);
                automation.added_spend.push(AddedSpend {
                    step: plan.step.clone(),
                    estimate: estimate.clone(),
                    at: now,
                });
            }
            if let Some(ttl) = plan.temporary_for() {
                automation.temporary.retain(|t| t.plan.step != plan.step);
                automation.temporary.push(TemporaryStep {
                    rung,
                    plan: plan.clone(),
                    applied_at: now,
                    until: time::add(now, ttl),
                    revert_failures: 0,
                });
            }
            let verify_at = time::add(now, plan.verify_after);
            automation.step = Some(StepRun {
                rung,
                plan: plan.clone(),
                phase: StepPhase::Applied {
                    at: now,
                    verify_at,
                    unknown,
                },
            });
        })
        .await;
        self.events.push(event);
    }

    /// Verifies an applied step; on failure reverts it where possible and moves on.
    pub(super) async fn verify(&mut self, step: Arc<dyn Mitigation>, run: StepRun) -> Next {
        let name = run.plan.step.clone();
        let ctx = self.context(step.as_ref()).await;
        let timeout = self.engine.config.timeouts.step;
        let verdict = call::timed(
            self.engine.clock.as_ref(),
            timeout,
            "mitigation.verify",
            &ctx.resource,
            step.verify(&ctx, &run.plan),
        )
        .await;
        let (passed, detail) = match verdict {
            Ok(Verification::Passed(detail)) => (true, detail),
            Ok(Verification::Failed(detail)) => (false, detail),
            Err(err) => {
                if let Some(next_at) = self.retry_at(run.rung, &name, StepCall::Verify, &err).await
                {
                    self.edit(|i, _| {
                        if let Some(StepRun {
                            phase: StepPhase::Applied { verify_at, .. },
                            ..
                        }) = i.automation_mut().step.as_mut()
                        {
                            *verify_at = next_at;
                        }
                    })
                    .await;
                    return Next::Stop;
                }
                (false, format!("could not verify: {err}"))
            }
        };
        self.events.push(TickEvent::Verified {
            incident: self.id.clone(),
            step: name.clone(),
            passed,
        });
        if passed {
            self.edit(|i, now| {
                let kind = EntryKind::VerificationPassed { step: name.clone() };
                let _ = i.record(now, Actor::Engine, kind, detail.clone());
                let automation = i.automation_mut();
                automation.bad_after_verified = 0;
                automation.retry = None;
                if let Some(step) = automation.step.as_mut() {
                    step.phase = StepPhase::Verified { at: now };
                }
            })
            .await;
            self.say(format!(
                "{name} verified; watching for the symptom to clear"
            ))
            .await;
            return Next::Stop;
        }
        self.edit(|i, now| {
            let kind = EntryKind::VerificationFailed { step: name.clone() };
            let _ = i.record(now, Actor::Engine, kind, detail.clone());
            i.automation_mut().retry = None;
        })
        .await;
        self.undo_failed(step.as_ref(), &ctx, run).await
    }
}
