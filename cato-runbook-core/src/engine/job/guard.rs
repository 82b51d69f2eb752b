//! Guardrails and their records: refusals, skips, holds, and handing over to people.

use super::Job;
use crate::engine::report::TickEvent;
use crate::runbook::{Plan, Runbook};
use crate::timeline::{Actor, EntryKind};

/// Why a replica without a valid lease holds back.
pub(super) const NOT_LEADING: &str = "this replica does not hold the lease";

impl Job<'_> {
    /// Why the guardrails refuse `plan` now (caps, cooldown, hourly cap), if they do.
    pub(super) fn refusal(&self, plan: &Plan) -> Option<String> {
        let policy = &self.engine.policy;
        if let Some(reason) = policy.caps.exceeded_by(plan) {
            return Some(reason);
        }
        let now = self.engine.now();
        self.engine
            .guardrails()
            .refusal(policy, &plan.step, &plan.resource, plan.risk, now)
    }

    /// Records a skipped rung and moves past it.
    pub(super) async fn skip(&mut self, rung: usize, name: &str, reason: &str) {
        self.edit(|i, now| {
            let kind = EntryKind::MitigationSkipped {
                step: name.to_owned(),
                reason: reason.to_owned(),
            };
            let _ = i.record(now, Actor::Engine, kind, "");
            let automation = i.automation_mut();
            automation.step = None;
            automation.rung = rung + 1;
            automation.retry = None;
        })
        .await;
        self.skipped(name, reason);
    }

    /// Records a rung that failed and moves past it.
    pub(super) async fn failed(&mut self, rung: usize, name: &str, detail: String) {
        self.edit(|i, now| {
            let kind = EntryKind::MitigationFailed {
                step: name.to_owned(),
            };
            let _ = i.record(now, Actor::Engine, kind, detail.clone());
            let automation = i.automation_mut();
            automation.step = None;
            automation.rung = rung + 1;
            automation.retry = None;
        })
        .await;
        self.events.push(TickEvent::Failed {
            incident: self.id.clone(),
            step: name.to_owned(),
        });
    }

    pub(super) fn skipped(&mut self, step: &str, reason: &str) {
        self.events.push(TickEvent::Skipped {
            incident: self.id.clone(),
            step: step.to_owned(),
            reason: reason.to_owned(),
        });
    }

    /// Whether this replica may start a step's call now: it leads, with time left on its
    /// lease (fail closed: no lease, no side effect); holds back otherwise.
    pub(super) async fn may_act(&mut self, runbook: &Runbook) -> bool {
        if self.engine.leads_now() {
            if self.read(|i| i.automation().held.is_some()).await {
                self.edit(|i, _| i.automation_mut().held = None).await;
            }
            return true;
        }
        self.hold(runbook, NOT_LEADING).await;
        false
    }

    /// Records once why automation holds back, without moving on the ladder.
    pub(super) async fn hold(&mut self, runbook: &Runbook, reason: &str) {
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
    pub(super) async fn exhaust(&mut self) {
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
}
