//! The mitigation ladder: pick the next step, pass the guardrails, apply, verify, revert.

use std::sync::Arc;

use super::job::{Job, timed};
use super::policy::Mode;
use super::report::TickEvent;
use super::runbook::Runbook;
use crate::incident::{Status, StepPhase, StepRun};
use crate::ports::Claim;
use crate::runbook::{Findings, Mitigation, Plan, StepContext, Verification};
use crate::time;
use crate::timeline::{Actor, EntryKind};

const HALTED: &str = "kill switch: automation is halted";

/// What to do after handling the step in flight.
enum Next {
    /// Look for the next rung now.
    Pick,
    /// Nothing more this tick.
    Stop,
}

impl Job<'_> {
    pub(super) async fn ladder(&mut self) {
        let Some(runbook) = self.runbook else { return };
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
    async fn in_flight(&mut self, runbook: &Runbook, run: StepRun) -> Next {
        let now = self.engine.now();
        let Some(step) = runbook.ladder.get(run.rung).cloned() else {
            self.edit(|i, _| i.automation_mut().step = None).await;
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
                if self.apply(runbook, run.rung, run.plan).await {
                    Next::Pick
                } else {
                    Next::Stop
                }
            }
            StepPhase::Applied { verify_at, .. } if now >= verify_at => {
                self.verify(step, run).await
            }
            StepPhase::Applied { .. } => Next::Stop,
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

    /// Verifies an applied step; on failure reverts it where possible and moves on.
    async fn verify(&mut self, step: Arc<dyn Mitigation>, run: StepRun) -> Next {
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
        })
        .await;
        self.say(format!("{name} did not help; trying the next step"))
            .await;
        // Fresh findings for the next step's precondition.
        self.diagnose().await;
        Next::Pick
    }

    async fn revert(&mut self, step: &dyn Mitigation, ctx: &StepContext, plan: &Plan) {
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

    /// Takes the next rung whose precondition holds, through the guardrails.
    async fn pick(&mut self, runbook: &Runbook) {
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
            let rung = self.read(|i| i.automation().rung).await;
            let Some(step) = runbook.ladder.get(rung).cloned() else {
                self.exhaust().await;
                return;
            };
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
            if mode == Mode::Auto && !self.may_act(runbook, step.as_ref()).await {
                return;
            }
            let ctx = self.context(step.as_ref()).await;
            let timeout = self.engine.config.timeouts.step;
            let plan = match timed(timeout, "mitigation.plan", &ctx.resource, step.plan(&ctx)).await
            {
                Ok(plan) => plan,
                Err(err) => {
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
                let _ = i.record(now, Actor::Engine, kind, described);
            })
            .await;
            let approval = self.engine.policy.approval_reason(step.as_ref(), &plan);
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
            if !self.apply(runbook, rung, plan).await {
                return;
            }
        }
    }

    /// Records what would happen, and stops there.
    async fn dry_run(&mut self, rung: usize, plan: Plan, approval: Option<String>) {
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

    async fn request_approval(&mut self, rung: usize, plan: Plan, why: String) {
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
    async fn apply(&mut self, runbook: &Runbook, rung: usize, plan: Plan) -> bool {
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
                let said = format!("applied {name}: {line}");
                self.edit(|i, now| {
                    let kind = EntryKind::MitigationApplied { step: name.clone() };
                    let _ = i.record(now, Actor::Engine, kind, line);
                    let _ = i.transition(Status::Monitoring, now, Actor::Engine);
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

    /// Why the guardrails refuse `plan` now (caps, cooldown, hourly cap), if they do.
    fn refusal(&self, plan: &Plan) -> Option<String> {
        let policy = &self.engine.policy;
        if let Some(reason) = policy.caps.exceeded_by(plan) {
            return Some(reason);
        }
        let now = self.engine.now();
        match self.engine.ledger.lock() {
            Ok(ledger) => ledger.refusal(policy, &plan.step, &plan.resource, plan.risk, now),
            Err(_) => Some("the guardrail ledger is unavailable".to_owned()),
        }
    }

    /// Records a skipped rung and moves past it.
    async fn skip(&mut self, rung: usize, name: &str, reason: &str) {
        self.edit(|i, now| {
            let kind = EntryKind::MitigationSkipped {
                step: name.to_owned(),
                reason: reason.to_owned(),
            };
            let _ = i.record(now, Actor::Engine, kind, "");
            let automation = i.automation_mut();
            automation.step = None;
            automation.rung = rung + 1;
        })
        .await;
        self.skipped(name, reason);
    }

    /// Records a rung that failed and moves past it.
    async fn failed(&mut self, rung: usize, name: &str, detail: String) {
        self.edit(|i, now| {
            let kind = EntryKind::MitigationFailed {
                step: name.to_owned(),
            };
            let _ = i.record(now, Actor::Engine, kind, detail);
            let automation = i.automation_mut();
            automation.step = None;
            automation.rung = rung + 1;
        })
        .await;
        self.events.push(TickEvent::Failed {
            incident: self.id.clone(),
            step: name.to_owned(),
        });
    }

    fn skipped(&mut self, step: &str, reason: &str) {
        self.events.push(TickEvent::Skipped {
            incident: self.id.clone(),
            step: step.to_owned(),
            reason: reason.to_owned(),
        });
    }

    /// Claims (or renews the claim on) `step` for this incident; holds back if another
    /// replica has it or coordination cannot answer.
    async fn may_act(&mut self, runbook: &Runbook, step: &dyn Mitigation) -> bool {
        let key = step.idempotency_key(&self.id);
        let reason = match self.engine.claim(&key).await {
            Ok(Claim::Granted) => {
                if self.read(|i| i.automation().held.is_some()).await {
                    self.edit(|i, _| i.automation_mut().held = None).await;
                }
                return true;
            }
            Ok(Claim::HeldBy(holder)) => format!("another replica ({holder}) acts on this step"),
            Err(err) => format!("coordination unavailable: {err}"),
        };
        self.hold(runbook, &reason).await;
        false
    }

    /// Records once why automation holds back, without moving on the ladder.
    async fn hold(&mut self, runbook: &Runbook, reason: &str) {
        let (held, rung, pending) = self
            .read(|i| {
                let a = i.automation();
                (
                    a.held.clone(),
                    a.rung,
                    a.step.as_ref().map(|s| s.plan.step.clone()),
                )
            })
            .await;
        if held.as_deref() == Some(reason) {
            return;
        }
        let step = pending
            .or_else(|| runbook.ladder.get(rung).map(|s| s.name().to_owned()))
            .unwrap_or_else(|| "ladder".to_owned());
        self.edit(|i, now| {
            let kind = EntryKind::MitigationSkipped {
                step: step.clone(),
                reason: reason.to_owned(),
            };
            let _ = i.record(now, Actor::Engine, kind, "");
            i.automation_mut().held = Some(reason.to_owned());
        })
        .await;
        self.skipped(&step, reason);
    }

    /// Every rung was tried: hand over to people.
    async fn exhaust(&mut self) {
        let severity = self
            .edit(|i, now| {
                i.automation_mut().exhausted = true;
                i.note(
                    now,
                    Actor::Engine,
                    "mitigation ladder exhausted: every step was tried; over to people",
                );
                i.severity()
            })
            .await;
        self.events.push(TickEvent::LadderExhausted {
            incident: self.id.clone(),
        });
        let escalated = self.read(|i| i.automation().escalated.clone()).await;
        let next = self
            .escalation()
            .levels
            .iter()
            .find(|l| l.applies_to(severity) && !escalated.contains(&l.contact.role))
            .map(|l| l.contact.clone());
        match next {
            Some(contact) => {
                let summary = format!(
                    "{severity} {}: automation tried every step; please take over",
                    self.id
                );
                self.escalate_to(&contact, summary).await;
            }
            None => {
                self.say("automation tried every step; over to people".to_owned())
                    .await;
            }
        }
    }

    fn mode(&self, runbook: &Runbook) -> Mode {
        self.engine.policy.mode_for(&runbook.id, runbook.mode)
    }

    fn open_after(&self, runbook: &Runbook) -> u32 {
        runbook.open_after.unwrap_or(self.engine.config.open_after)
    }

    async fn context(&self, step: &dyn Mitigation) -> StepContext {
        let now = self.engine.now();
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
        })
        .await
    }
}
