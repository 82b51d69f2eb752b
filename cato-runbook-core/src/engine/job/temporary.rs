//! Temporary steps: undone when the incident resolves or their time runs out, whichever comes
//! first (see [`Plan::lasts_for`](crate::runbook::Plan::lasts_for)). A revert that fails with
//! an error a retry may help is tried again on the step's own back-off (the ladder's retry is
//! left alone), a bounded number of times.

use super::Job;
use super::ladder::HALTED;
use super::revert::{RetryBy, Reverted};
use crate::incident::{StepCall, StepPhase, TemporaryStep};
use crate::time;
use crate::timeline::{Actor, EntryKind};

/// Why a temporary step is undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    /// Its time ran out while the incident is still open.
    Expired,
    /// The incident resolved.
    Resolved,
}

impl Job<'_> {
    /// Reverts the temporary steps whose time ran out, except one still waiting for its
    /// verification.
    pub(super) async fn expire_temporary(&mut self) {
        let now = self.engine.now();
        let due: Vec<TemporaryStep> = self
            .read(|i| {
                let automation = i.automation();
                // The step in flight on the ladder is the ladder's to verify or revert.
                let verifying = automation
                    .step
                    .as_ref()
                    .filter(|s| {
                        matches!(
                            s.phase,
                            StepPhase::Applied { .. } | StepPhase::Reverting { .. }
                        )
                    })
                    .map(|s| s.plan.step.clone());
                automation
                    .temporary
                    .iter()
                    .filter(|t| t.until <= now && Some(&t.plan.step) != verifying.as_ref())
                    .cloned()
                    .collect()
            })
            .await;
        for step in due {
            self.undo_temporary(step, Why::Expired).await;
        }
    }

    /// Reverts every temporary step still in place: the incident resolved.
    pub(in crate::engine) async fn revert_temporary(&mut self) {
        let all = self.read(|i| i.automation().temporary.clone()).await;
        for step in all {
            self.undo_temporary(step, Why::Resolved).await;
        }
    }

    /// Tries again the reverts of a resolved incident's temporary steps that failed with an
    /// error a retry may help, once their time comes.
    pub(in crate::engine) async fn retry_temporary(&mut self) {
        let now = self.engine.now();
        let due: Vec<TemporaryStep> = self
            .read(|i| {
                let temporary = &i.automation().temporary;
                temporary
                    .iter()
                    .filter(|t| t.until <= now)
                    .cloned()
                    .collect()
            })
            .await;
        for step in due {
            self.undo_temporary(step, Why::Resolved).await;
        }
    }

    async fn undo_temporary(&mut self, temporary: TemporaryStep, why: Why) {
        let name = temporary.plan.step.clone();
        let step = self
            .runbook
            .and_then(|r| r.ladder.get(temporary.rung))
            .filter(|s| s.name() == name)
            .cloned();
        let Some(step) = step else {
            self.forget_temporary(
                &name,
                format!(
                    "{name} is no longer on the ladder: left in place; undo by hand: {}",
                    temporary.plan
                ),
            )
            .await;
            return;
        };
        if self.engine.is_halted() {
            match (why, self.runbook) {
                (Why::Expired, Some(runbook)) => self.hold(runbook, HALTED).await,
                _ => {
                    self.forget_temporary(
                        &name,
                        format!(
                            "{name} left in place: automation is halted; undo by hand: {}",
                            temporary.plan
                        ),
                    )
                    .await;
                }
            }
            return;
        }
        let reason = match why {
            Why::Expired => format!(
                "{name} was temporary and its time ran out (applied {}); reverting",
                temporary.applied_at.format("%H:%M:%S")
            ),
            Why::Resolved => format!("{name} was temporary and the incident resolved; reverting"),
        };
        self.edit(|i, now| i.note(now, Actor::Engine, reason.clone()))
            .await;
        let ctx = self.context(step.as_ref()).await;
        let reverted = self
            .revert(
                step.as_ref(),
                &ctx,
                &temporary.plan,
                temporary.rung,
                RetryBy::Caller,
            )
            .await;
        match reverted {
            Reverted::Done => {
                self.edit(|i, _| i.automation_mut().temporary.retain(|t| t.plan.step != name))
                    .await;
                self.say(format!("{name} reverted: it was temporary")).await;
            }
            Reverted::Failed | Reverted::Later => {
                let note = format!(
                    "{name} could not be reverted: left in place; undo by hand: {}",
                    temporary.plan
                );
                self.forget_temporary(&name, note).await;
            }
            Reverted::Retryable(err) => self.retry_temporary_revert(&temporary, &err).await,
        }
    }

    /// Schedules another try of a temporary step's revert on its own back-off, or gives up
    /// after the policy's tries.
    async fn retry_temporary_revert(&mut self, temporary: &TemporaryStep, err: &crate::Error) {
        let name = temporary.plan.step.clone();
        let policy = self.engine.config.retry.clone();
        let failed = temporary.revert_failures + 1;
        if failed >= policy.attempts {
            let note = format!(
                "{name} could not be reverted after {failed} tries ({err}): left in place; undo \
                 by hand: {}",
                temporary.plan
            );
            self.forget_temporary(&name, note).await;
            return;
        }
        let delay = policy.delay(failed, err.retry() == crate::Retry::Throttled);
        let detail = err.to_string();
        self.edit(|i, now| {
            let next_at = time::add(now, delay);
            let kind = EntryKind::StepRetried {
                step: name.clone(),
                call: StepCall::Revert.to_string(),
                attempt: failed,
            };
            let text = format!(
                "{detail} ({}); try {} of {} at {}",
                err.retry(),
                failed + 1,
                policy.attempts,
                next_at.format("%H:%M:%S")
            );
            let _ = i.record(now, Actor::Engine, kind, text);
            if let Some(t) = i
                .automation_mut()
                .temporary
                .iter_mut()
                .find(|t| t.plan.step == name)
            {
                t.until = next_at;
                t.revert_failures = failed;
            }
        })
        .await;
    }

    async fn forget_temporary(&mut self, name: &str, note: String) {
        self.edit(|i, now| {
            i.note(now, Actor::Engine, note.clone());
            i.automation_mut().temporary.retain(|t| t.plan.step != name);
        })
        .await;
    }
}
