//! Undoing a step that did not help: its revert (only by the leader), the error policy of a
//! revert, and moving the ladder on.

use super::Job;
use super::ladder::Next;
use crate::call;
use crate::engine::report::TickEvent;
use crate::error::ErrorKind;
use crate::incident::{Status, StepCall, StepPhase, StepRun};
use crate::runbook::{Mitigation, Plan, StepContext};
use crate::timeline::{Actor, EntryKind};

/// How a revert ended.
#[derive(Debug)]
pub(super) enum Reverted {
    /// Undone.
    Done,
    /// Not undone, for good (a permanent error, this replica no longer leading, or no try left).
    Failed,
    /// Failed with an error a retry may help: the ladder's revert is tried again later (its
    /// retry is recorded).
    Later,
    /// Failed with an error a retry may help, for a caller that schedules its own retry (a
    /// temporary step's revert).
    Retryable(Box<crate::error::Error>),
}

/// Who schedules a revert's retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RetryBy {
    /// The ladder's retry of the step in flight.
    Ladder,
    /// The caller (a temporary step keeps its own tries).
    Caller,
}

impl Job<'_> {
    /// Reverts a step that did not help, where it can be undone, then moves the ladder on; a
    /// revert to be tried again later holds the ladder until then.
    pub(super) async fn undo_failed(
        &mut self,
        step: &dyn Mitigation,
        ctx: &StepContext,
        run: StepRun,
    ) -> Next {
        let name = run.plan.step.clone();
        if run.plan.reversible {
            let reverted = self
                .revert(step, ctx, &run.plan, run.rung, RetryBy::Ladder)
                .await;
            if matches!(reverted, Reverted::Later) {
                self.edit(|i, now| {
                    if let Some(step) = i.automation_mut().step.as_mut() {
                        step.phase = StepPhase::Reverting { at: now };
                    }
                })
                .await;
                return Next::Stop;
            }
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

    pub(super) async fn revert(
        &mut self,
        step: &dyn Mitigation,
        ctx: &StepContext,
        plan: &Plan,
        rung: usize,
        retry_by: RetryBy,
    ) -> Reverted {
        let name = plan.step.clone();
        if !self.engine.leads_now() {
            // Fail closed: a replica without the lease changes nothing; the leader reverts.
            let err = crate::error::Error::new(
                ErrorKind::Refused,
                "mitigation.revert",
                super::guard::NOT_LEADING,
            )
            .with_retry(crate::error::Retry::Transient);
            return match retry_by {
                // The ladder's revert waits for the leader without using up a try.
                RetryBy::Ladder => Reverted::Later,
                RetryBy::Caller => Reverted::Retryable(Box::new(err)),
            };
        }
        let timeout = self.engine.config.timeouts.step;
        let reverted = call::timed(
            self.engine.clock.as_ref(),
            timeout,
            "mitigation.revert",
            &ctx.resource,
            step.revert(ctx, plan),
        )
        .await;
        let reverted = match reverted {
            Err(err) if err.is_retryable() => {
                return self.revert_failed(rung, &name, err, retry_by).await;
            }
            other => other,
        };
        let ok = reverted.is_ok();
        self.edit(|i, now| {
            let (kind, detail) = match &reverted {
                Ok(line) => (
                    EntryKind::MitigationReverted { step: name.clone() },
                    line.clone(),
                ),
                Err(err) => (
                    EntryKind::MitigationFailed { step: name.clone() },
                    format!("revert failed: {err}"),
                ),
            };
            let _ = i.record(now, Actor::Engine, kind, detail);
            i.automation_mut().retry = None;
        })
        .await;
        if ok {
            self.events.push(TickEvent::Reverted {
                incident: self.id.clone(),
                step: name,
            });
            Reverted::Done
        } else {
            Reverted::Failed
        }
    }

    /// A revert that failed with an error a retry may help: the ladder's is retried (or, with
    /// no try left, recorded as failed); a caller's is handed back.
    async fn revert_failed(
        &mut self,
        rung: usize,
        name: &str,
        err: crate::error::Error,
        retry_by: RetryBy,
    ) -> Reverted {
        if retry_by == RetryBy::Caller {
            return Reverted::Retryable(Box::new(err));
        }
        if self.retry_later(rung, name, StepCall::Revert, &err).await {
            return Reverted::Later;
        }
        let step = name.to_owned();
        self.edit(|i, now| {
            let kind = EntryKind::MitigationFailed { step: step.clone() };
            let _ = i.record(now, Actor::Engine, kind, format!("revert failed: {err}"));
            i.automation_mut().retry = None;
        })
        .await;
        Reverted::Failed
    }
}
