//! One step's life: dry-run record, approval request, apply, verify, revert.

use std::sync::Arc;

use super::ladder::{HALTED, Next};
use super::{Job, timed};
use crate::engine::report::TickEvent;
use crate::engine::runbook::Runbook;
use crate::incident::{Status, StepPhase, StepRun, TemporaryStep};
use crate::ports::Claim;
use crate::runbook::{Mitigation, Plan, StepContext, Verification};
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
            let _ = i.record(now, Actor::Engine, kind, detail);
            i.automation_mut().step = Some(StepRun {
                rung,
                plan,
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
                    plan,
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
    pub(super) async fn apply(&mut self, runbook: &Runbook, rung: usize, plan: Plan) -> bool {
        let Some(step) = runbook.ladder.get(rung).cloned() else {
            return false;
        };
        if self.engine.is_halted() {
            self.hold(runbook, HALTED).await;
            return false;
        }
        let name = plan.step.clone();
        if !self.may_act(runbook, step.as_ref()).await {
            return false;
        }
        if let Some(reason) = self.refusal(&plan) {
            self.skip(rung, &name, &reason).await;
            return true;
        }
        let now = self.engine.now();
        let reserved = self
            .engine
            .ledger
            .lock()
            .map_err(|_| "the guardrail ledger is unavailable".to_owned())
            .and_then(|mut ledger| {
                ledger.reserve(&self.engine.policy, &name, &plan.resource, plan.risk, now)
            });
        if let Err(reason) = reserved {
            self.skip(rung, &name, &reason).await;
            return true;
        }
        self.edit(|i, now| {
            if i.status() != Status::Mitigating {
                let _ = i.transition(Status::Mitigating, now, Actor::Engine);
            }
        })
        .await;
        let ctx = self.context(step.as_ref()).await;
        let timeout = self.engine.config.timeouts.step;
        let applied = timed(
            timeout,
            "mitigation.apply",
            &ctx.resource,
            step.apply(&ctx, &plan),
        )
        .await;
        match applied {
            Ok(line) => {
                let verify_after = step.verify_after();
                let lasts_for = step.lasts_for().filter(|_| step.reversible());
                let said = format!("applied {name}: {line}");
                self.edit(|i, now| {
                    let kind = EntryKind::MitigationApplied { step: name.clone() };
                    let _ = i.record(now, Actor::Engine, kind, line);
                    let _ = i.transition(Status::Monitoring, now, Actor::Engine);
                    if let Some(ttl) = lasts_for {
                        i.automation_mut().temporary.push(TemporaryStep {
                            rung,
                            plan: plan.clone(),
                            applied_at: now,
                            until: time::add(now, ttl),
                        });
                    }
                    i.automation_mut().step = Some(StepRun {
                        rung,
                        plan,
                        phase: StepPhase::Applied {
                            at: now,
                            verify_at: time::add(now, verify_after),
                        },
                    });
                })
                .await;
                self.events.push(TickEvent::Applied {
                    incident: self.id.clone(),
                    step: name,
                });
                self.say(said).await;
                false
            }
            Err(err) => {
                self.failed(rung, &name, err.to_string()).await;
                true
            }
        }
    }

    /// Verifies an applied step; on failure reverts it where possible and moves on.
    pub(super) async fn verify(&mut self, step: Arc<dyn Mitigation>, run: StepRun) -> Next {
        let name = run.plan.step.clone();
        let ctx = self.context(step.as_ref()).await;
        let timeout = self.engine.config.timeouts.step;
        let verdict = timed(
            timeout,
            "mitigation.verify",
            &ctx.resource,
            step.verify(&ctx, &run.plan),
        )
        .await;
        let (passed, detail) = match verdict {
            Ok(Verification::Passed(detail)) => (true, detail),
            Ok(Verification::Failed(detail)) => (false, detail),
            Err(err) => (false, format!("could not verify: {err}")),
        };
        self.events.push(TickEvent::Verified {
            incident: self.id.clone(),
            step: name.clone(),
            passed,
        });
        if passed {
            self.edit(|i, now| {
                let kind = EntryKind::VerificationPassed { step: name.clone() };
                let _ = i.record(now, Actor::Engine, kind, detail);
                let automation = i.automation_mut();
                automation.bad_after_verified = 0;
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
            let _ = i.record(now, Actor::Engine, kind, detail);
        })
        .await;
        if step.reversible() {
            self.revert(step.as_ref(), &ctx, &run.plan).await;
        } else {
            self.edit(|i, now| {
                i.note(
                    now,
                    Actor::Engine,
                    format!("{name} cannot be undone; left in place"),
                );
            })
            .await;
        }
        self.edit(|i, now| {
            let _ = i.transition(Status::Mitigating, now, Actor::Engine);
            let automation = i.automation_mut();
            automation.step = None;
            automation.rung = run.rung + 1;
            automation.diagnosed = false;
            // Reverted (or left in place for good): no longer temporary.
            automation.temporary.retain(|t| t.plan.step != name);
        })
        .await;
        self.say(format!("{name} did not help; trying the next step"))
            .await;
        // Fresh findings for the next step's precondition.
        self.diagnose().await;
        Next::Pick
    }

    pub(super) async fn revert(&mut self, step: &dyn Mitigation, ctx: &StepContext, plan: &Plan) {
        let name = plan.step.clone();
        let claimed = self.engine.claim(&plan.idempotency_key).await;
        if !matches!(claimed, Ok(Claim::Granted)) {
            self.edit(|i, now| {
                i.note(
                    now,
                    Actor::Engine,
                    format!("{name} not reverted: no claim on it"),
                );
            })
            .await;
            return;
        }
        let timeout = self.engine.config.timeouts.step;
        let reverted = timed(
            timeout,
            "mitigation.revert",
            &ctx.resource,
            step.revert(ctx, plan),
        )
        .await;
        let ok = reverted.is_ok();
        self.edit(|i, now| {
            let (kind, detail) = match reverted {
                Ok(line) => (EntryKind::MitigationReverted { step: name.clone() }, line),
                Err(err) => (
                    EntryKind::MitigationFailed { step: name.clone() },
                    format!("revert failed: {err}"),
                ),
            };
            let _ = i.record(now, Actor::Engine, kind, detail);
        })
        .await;
        if ok {
            self.events.push(TickEvent::Reverted {
                incident: self.id.clone(),
                step: name,
            });
        }
    }
}
