//! The tick's verdict on an incident: a worse impact raises its severity, symptoms after a
//! verified step are counted, and a healthy window resolves it.

use super::Job;
use crate::call;
use crate::engine::report::TickEvent;
use crate::engine::state::Verdict;
use crate::incident::{Status, StepPhase};
use crate::timeline::Actor;
use tracing::warn;

impl Job<'_> {
    /// Applies the tick's verdict: a worse impact raises the severity; symptoms after a
    /// verified step are counted.
    pub(super) async fn observe(&mut self) {
        match self.verdict {
            Verdict::Bad(impact) => {
                let raised = self
                    .edit_if(|i, now| {
                        let verified = matches!(
                            i.automation().step.as_ref().map(|s| &s.phase),
                            Some(StepPhase::Verified { .. })
                        );
                        if verified {
                            i.automation_mut().bad_after_verified += 1;
                        }
                        let (from, before) = (i.severity(), *i.impact());
                        let raised = i
                            .worsen(impact, now, Actor::Engine)
                            .then(|| (from, i.severity()));
                        let changed = verified || raised.is_some() || *i.impact() != before;
                        (raised, changed)
                    })
                    .await;
                if let Some((from, to)) = raised {
                    self.events.push(TickEvent::SeverityRaised {
                        incident: self.id.clone(),
                        from,
                        to,
                    });
                    self.say(format!("severity raised {from} → {to}")).await;
                }
            }
            Verdict::Good { .. } => {
                if self.read(|i| i.automation().bad_after_verified > 0).await {
                    self.edit(|i, _| i.automation_mut().bad_after_verified = 0)
                        .await;
                }
            }
            Verdict::Unknown | Verdict::Unwatched => {}
        }
    }

    /// Resolves the incident once its key stayed good for the healthy window, unless a step
    /// still waits for its verification.
    pub(super) async fn try_resolve(&mut self) -> bool {
        let Verdict::Good { streak, needed } = self.verdict else {
            return false;
        };
        if streak < needed {
            return false;
        }
        // A step still to be verified, or whose revert is to be tried again, holds the
        // resolution: the change is settled first.
        let awaiting = self
            .read(|i| {
                matches!(
                    i.automation().step.as_ref().map(|s| &s.phase),
                    Some(StepPhase::Applied { .. } | StepPhase::Reverting { .. })
                )
            })
            .await;
        if awaiting {
            return false;
        }
        let due_after = self.engine.config.postmortem.due_after;
        let resolved = self
            .edit(|i, now| {
                if matches!(
                    i.automation().step.as_ref().map(|s| &s.phase),
                    Some(StepPhase::AwaitingApproval { .. })
                ) {
                    i.note(
                        now,
                        Actor::Engine,
                        "approval request withdrawn: the symptom cleared",
                    );
                    i.automation_mut().step = None;
                }
                i.note(
                    now,
                    Actor::Engine,
                    format!("symptom cleared: {streak} good observations in a row"),
                );
                let resolved = i.transition(Status::Resolved, now, Actor::Engine).is_ok();
                if resolved {
                    i.automation_mut().postmortem.due = Some(crate::time::add(now, due_after));
                }
                resolved
            })
            .await;
        if resolved {
            self.events.push(TickEvent::Resolved {
                incident: self.id.clone(),
            });
            self.after_resolution().await;
        }
        resolved
    }

    /// Reverts the temporary steps, resolves the page and says so in chat.
    pub(in crate::engine) async fn after_resolution(&mut self) {
        self.drop_outbox("the incident is resolved").await;
        self.revert_temporary().await;
        let paged = self.read(|i| i.automation().paged).await;
        let call = self.engine.config.timeouts.call;
        if paged {
            let target = self.escalation().on_call.reach.target().to_owned();
            let resolved = call::timed(
                self.engine.clock.as_ref(),
                call,
                "pager.resolve",
                &target,
                self.engine
                    .notifiers
                    .pager
                    .resolve(&target, self.id.as_str()),
            )
            .await;
            if let Err(err) = resolved {
                warn!(incident = %self.id, error = %err, "could not resolve the page");
            }
        }
        self.say("resolved".to_owned()).await;
    }
}
