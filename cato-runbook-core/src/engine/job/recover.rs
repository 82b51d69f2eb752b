//! Write-ahead: a step's intent is in the store before its call goes out, and a step found
//! *applying* — by a restarted engine, or a new leader — is settled by reading the resource,
//! never by planning again relative to a world that may have changed already.

use std::sync::Arc;

use super::Job;
use super::guard::NOT_LEADING;
use super::ladder::Next;
use crate::call;
use crate::engine::report::TickEvent;
use crate::error::ErrorKind;
use crate::incident::{Status, StepCall, StepPhase, StepRun};
use crate::ports::Fence;
use crate::runbook::{Landed, Mitigation, Plan, Runbook};
use crate::time;
use crate::timeline::Actor;

impl Job<'_> {
    /// Saves the step as *applying* (plan, absolute targets, idempotency key, fence); returns
    /// whether its call may go out. No side effect without its intent in the store under a
    /// valid fence: a fenced save stops this replica, another error is retried like the
    /// apply's.
    pub(super) async fn intend(&mut self, runbook: &Runbook, rung: usize, plan: &Plan) -> bool {
        let fence = self.fence;
        let name = plan.step.clone();
        // The step as this replica decided on it: a re-read after a conflict that finds it
        // changed (another writer settled it) writes nothing and applies nothing.
        let mut decided_on: Option<Option<StepRun>> = None;
        let intent = self
            .edit_saved(|i, now| {
                if !i.is_open() {
                    return false; // Resolved meanwhile (by a person, on another replica).
                }
                let current = i.automation().step.clone();
                match &decided_on {
                    None => decided_on = Some(current),
                    Some(decided) if *decided != current => return false,
                    Some(_) => {}
                }
                if i.status() != Status::Mitigating {
                    let _ = i.transition(Status::Mitigating, now, Actor::Engine);
                }
                i.automation_mut().step = Some(StepRun {
                    rung,
                    plan: plan.clone(),
                    phase: StepPhase::Applying { at: now, fence },
                });
                true
            })
            .await;
        let err = match intent {
            Ok(true) => return true,
            Ok(false) => {
                tracing::warn!(incident = %self.id, step = %name, "the step changed in the store before its call; not applied");
                return false;
            }
            Err((_, err)) => err,
        };
        // Not in the store: in memory it is ready to go again, with its guardrails booked.
        {
            let mut incident = self.cell.lock().await;
            incident.automation_mut().step = Some(StepRun {
                rung,
                plan: plan.clone(),
                phase: StepPhase::Ready {
                    at: self.engine.now(),
                },
            });
        }
        if err.kind() == ErrorKind::Fenced {
            self.hold(runbook, NOT_LEADING).await;
            return false;
        }
        self.events.push(TickEvent::StoreFailed {
            incident: self.id.clone(),
            error: err.to_string(),
        });
        if !self.retry_later(rung, &name, StepCall::Apply, &err).await {
            let detail = format!("its intent could not be saved, so it was not applied: {err}");
            self.failed(rung, &name, detail).await;
        }
        false
    }

    /// Before an apply is retried: whether the change is in place already. The earlier
    /// attempt's error may have come after the service applied it (a timeout, a connection
    /// reset after its answer), so a step that can read its change back is asked first;
    /// [`Landed::Yes`] records it applied and goes to verification instead of a second call.
    pub(super) async fn landed_before_retry(
        &mut self,
        step: &dyn Mitigation,
        run: &StepRun,
    ) -> bool {
        if self.landed(step, &run.plan).await != Landed::Yes {
            return false;
        }
        let name = run.plan.step.clone();
        let detail =
            "the change is in place: the earlier attempt landed, its answer was lost".to_owned();
        self.applied(run.rung, run.plan.clone(), detail.clone(), false)
            .await;
        self.say(format!("applied {name}: {detail}")).await;
        true
    }

    /// Whether `plan`'s change is in place, asked of `step` within the step timeout; an error
    /// or a timeout is [`Landed::Unknown`].
    async fn landed(&mut self, step: &dyn Mitigation, plan: &Plan) -> Landed {
        let ctx = self.context(step).await;
        call::timed(
            self.engine.clock.as_ref(),
            self.engine.config.timeouts.step,
            "mitigation.landed",
            &ctx.resource,
            step.landed(&ctx, plan),
        )
        .await
        .unwrap_or(Landed::Unknown)
    }

    /// Settles a step found *applying*: its call went out (or was about to) under an earlier
    /// leader or before a crash, and its outcome was never recorded.
    pub(super) async fn recover(
        &mut self,
        runbook: &Runbook,
        step: Arc<dyn Mitigation>,
        run: StepRun,
        fence: Fence,
    ) -> Next {
        if !self.may_act(runbook).await {
            return Next::Stop;
        }
        // The call may still be on its way (a leader that lost its lease mid-call, a reconcile
        // of an earlier term): read the resource only once its time is surely up.
        if let StepPhase::Applying { at, .. } = run.phase {
            let settled = time::add(at, self.engine.config.timeouts.step);
            if self.engine.now() < settled {
                return Next::Stop;
            }
        }
        let name = run.plan.step.clone();
        let landed = self.landed(step.as_ref(), &run.plan).await;
        let why = format!("{name} was being applied (by {fence}) and its outcome was not recorded");
        match landed {
            Landed::No => {
                self.edit(|i, now| {
                    i.note(
                        now,
                        Actor::Engine,
                        format!("{why}; the change is not in place: applying the same plan again"),
                    );
                })
                .await;
                if self.apply(runbook, run.rung, run.plan, true).await {
                    Next::Pick
                } else {
                    Next::Stop
                }
            }
            Landed::Yes => {
                let detail = format!("{why}; the change is in place");
                self.applied(run.rung, run.plan, detail, false).await;
                Next::Stop
            }
            Landed::Unknown => {
                let detail = format!("{why}; whether it landed cannot be read: verifying");
                self.applied(run.rung, run.plan, detail, true).await;
                Next::Stop
            }
        }
    }
}
