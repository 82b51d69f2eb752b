//! The error policy, as kube-runtime's `error_policy`: a step's call that fails with an error a
//! retry may help (transient, throttled) is tried again on the same rung after a back-off on the
//! clock (see [`RetryPolicy`](crate::call::RetryPolicy)), a bounded number of times, each try
//! on the timeline; a permanent error, or the last try, moves the ladder on.

use super::Job;
use crate::engine::report::TickEvent;
use crate::error::{Error, Retry};
use crate::incident::{StepCall, StepRetry};
use crate::time::{self, Timestamp};
use crate::timeline::{Actor, EntryKind};

impl Job<'_> {
    /// Whether `call` of the step on `rung`, which failed with `err`, is tried again later
    /// (recorded on the timeline with the time of the next try).
    pub(super) async fn retry_later(
        &mut self,
        rung: usize,
        step: &str,
        call: StepCall,
        err: &Error,
    ) -> bool {
        self.retry_at(rung, step, call, err).await.is_some()
    }

    /// When `call` of the step on `rung`, which failed with `err`, is tried again: never for a
    /// permanent error or once the policy's tries are used up.
    pub(super) async fn retry_at(
        &mut self,
        rung: usize,
        step: &str,
        call: StepCall,
        err: &Error,
    ) -> Option<Timestamp> {
        let policy = self.engine.config.retry.clone();
        let failed = self
            .read(|i| {
                i.automation()
                    .retry
                    .as_ref()
                    .filter(|r| r.rung == rung && r.step == step && r.call == call)
                    .map_or(0, |r| r.attempt)
            })
            .await
            + 1;
        if !err.is_retryable() || failed >= policy.attempts {
            return None;
        }
        let delay = policy.delay(failed, err.retry() == Retry::Throttled);
        let attempts = policy.attempts;
        let step = step.to_owned();
        let detail = err.to_string();
        let next_at = self
            .edit(|i, now| {
                let next_at = time::add(now, delay);
                let kind = EntryKind::StepRetried {
                    step: step.clone(),
                    call: call.to_string(),
                    attempt: failed,
                };
                let detail = format!(
                    "{detail} ({}); try {} of {attempts} at {}",
                    err.retry(),
                    failed + 1,
                    next_at.format("%H:%M:%S")
                );
                let _ = i.record(now, Actor::Engine, kind, detail);
                i.automation_mut().retry = Some(StepRetry {
                    rung,
                    step: step.clone(),
                    call,
                    attempt: failed,
                    next_at,
                });
                next_at
            })
            .await;
        self.events.push(TickEvent::Retrying {
            incident: self.id.clone(),
            step,
            call: call.to_string(),
            at: next_at,
        });
        Some(next_at)
    }

    /// Whether a retry of `call` on `rung` waits for its time.
    pub(super) async fn retry_pending(&self, rung: usize, call: StepCall) -> bool {
        let now = self.engine.now();
        self.read(|i| {
            i.automation()
                .retry
                .as_ref()
                .is_some_and(|r| r.rung == rung && r.call == call && now < r.next_at)
        })
        .await
    }
}
