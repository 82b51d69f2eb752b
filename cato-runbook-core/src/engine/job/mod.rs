//! One open incident's share of a tick, in its two lanes (see `state::Cell`).
//!
//! A [`Job`] reads the incident, lets go of it, calls a provider, then takes it again to record
//! the outcome, lets go, and saves a snapshot: the incident's lock is never held across a
//! provider or store call, so an operator's acknowledgement never waits for a slow step.
//!
//! | file | job |
//! |------|-----|
//! | `signal.rs` | the tick's verdict: severity, relapse, resolution |
//! | `announce.rs` | chat thread, on-call page, progress lines, delivery records |
//! | `outbox.rs` | notifications saved before they are sent, each behind the one it follows |
//! | `undelivered.rs` | a notification not taken: retried by the kind of its failure |
//! | `diagnose.rs` | the runbook's diagnoses, concurrently |
//! | `ladder.rs` | the step in flight and the next rung |
//! | `step.rs` | dry-run, approval request, apply, verify |
//! | `recover.rs` | write-ahead: the step's intent before its call, and settling one found applying |
//! | `revert.rs` | undoing a step that did not help |
//! | `retry.rs` | the error policy: retries of a step's calls on the clock |
//! | `guard.rs` | guardrails, skips, holds, exhaustion |
//! | `escalation.rs` | escalation timers and the response-time SLA |
//! | `temporary.rs` | temporary steps, undone on resolution or when their time runs out |
//! | `reminder.rs` | a resolved incident's postmortem reminder and overdue note |

mod announce;
mod diagnose;
mod escalation;
mod guard;
mod ladder;
mod outbox;
mod recover;
mod reminder;
mod retry;
mod revert;
mod signal;
mod step;
mod temporary;
mod undelivered;

use crate::call;
use std::time::Duration;

use tracing::warn;

use super::Inner;
use super::contacts::{Contact, Escalation, Message, Reach};
use super::guardrails::CAS_TRIES;
use super::report::TickEvent;
use super::state::{Cell, Verdict};
use crate::error::{ErrorKind, Result};
use crate::incident::{Incident, IncidentId, StepPhase};
use crate::runbook::Runbook;
use crate::time::{self, Timestamp};

/// What a job leaves for the tick report.
#[derive(Debug, Default)]
pub(in crate::engine) struct Outcome {
    pub(in crate::engine) events: Vec<TickEvent>,
    pub(in crate::engine) next_due: Option<Timestamp>,
}

impl Outcome {
    /// Adds what another part of the reconcile did.
    pub(in crate::engine) fn absorb(&mut self, other: Outcome) {
        self.events.extend(other.events);
        self.next_due = match (self.next_due, other.next_due) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}

/// One open incident's share of a tick, or an operator's action on one incident.
pub(super) struct Job<'a> {
    pub(super) engine: &'a Inner,
    pub(super) cell: Cell,
    pub(super) verdict: Verdict,
    pub(super) id: IncidentId,
    pub(super) runbook: Option<&'a Runbook>,
    pub(super) events: Vec<TickEvent>,
    /// The fence this job's writes carry: the term it started in (a task of a term that
    /// ended is refused by the store), or, for a person on a standby, the holder's.
    pub(super) fence: crate::ports::Fence,
    /// The last save that failed, for a caller that must report it (a person's action on a
    /// standby, whose copy is not kept).
    pub(super) save_error: Option<crate::Error>,
}

impl<'a> Job<'a> {
    /// A job on the incident in `cell`.
    pub(in crate::engine) async fn attach(engine: &'a Inner, cell: Cell, verdict: Verdict) -> Self {
        let (id, runbook) = {
            let incident = cell.lock().await;
            (incident.id().clone(), incident.runbook().clone())
        };
        Job {
            engine,
            cell,
            verdict,
            id,
            runbook: engine.runbooks.iter().find(|r| r.id == runbook),
            events: Vec::new(),
            fence: engine.own_fence(),
            save_error: None,
        }
    }

    /// The watch lane's first part: the tick's verdict on severity, and the announcement.
    pub(in crate::engine) async fn watch(mut self) -> Outcome {
        if self.read(Incident::is_open).await {
            self.observe().await;
            self.announce().await;
        }
        self.done()
    }

    /// The act lane: diagnosis, resolution, temporary steps, the ladder.
    pub(in crate::engine) async fn act(mut self) -> Outcome {
        if self.read(Incident::is_open).await {
            self.diagnose().await;
            if !self.try_resolve().await {
                self.expire_temporary().await;
                self.ladder().await;
            }
        } else {
            // Resolved with a temporary step whose revert is to be tried again, or whose last
            // save failed.
            self.retry_temporary().await;
            if self.cell.is_unsaved() {
                self.save_now().await;
            }
        }
        self.done()
    }

    /// The watch lane's second part: escalation timers and the response-time SLA.
    pub(in crate::engine) async fn escalation_lane(mut self) -> Outcome {
        if self.read(Incident::is_open).await {
            self.escalate().await;
        }
        self.done()
    }

    fn done(self) -> Outcome {
        Outcome {
            events: self.events,
            next_due: None,
        }
    }

    /// The next escalation or response-time deadline of the incident, if one is pending.
    pub(in crate::engine) async fn due_escalation(&self) -> Option<Timestamp> {
        self.read(|incident| {
            if !incident.is_open() || incident.phases().acknowledged.is_some() {
                return None;
            }
            let automation = incident.automation();
            let detected = incident.detected_at();
            let mut due: Vec<Timestamp> = self
                .escalation()
                .levels
                .iter()
                .filter(|level| {
                    level.applies_to(incident.severity())
                        && !automation.escalated_to(&level.contact.role)
                })
                .map(|level| time::add(detected, level.after))
                .collect();
            if !automation.sla_breached {
                due.push(time::add(
                    incident.response_deadline(),
                    Duration::from_millis(1),
                ));
            }
            due.into_iter().min()
        })
        .await
    }

    /// Reads the incident.
    pub(in crate::engine) async fn read<R>(&self, f: impl FnOnce(&Incident) -> R) -> R {
        let incident = self.cell.lock().await;
        f(&incident)
    }

    /// Like [`edit`](Job::edit), but saves only when `f` says it changed something (`true` in
    /// its answer): a tick that finds nothing new writes nothing to the store.
    pub(in crate::engine) async fn edit_if<R>(
        &mut self,
        mut f: impl FnMut(&mut Incident, Timestamp) -> (R, bool),
    ) -> R {
        let now = self.engine.now();
        let (result, changed, generation) = {
            let mut incident = self.cell.lock().await;
            let (result, changed) = f(&mut incident, now);
            (result, changed, self.cell.generation())
        };
        if !changed {
            return result;
        }
        // Boxed: a save is rare, and its state would otherwise swell every reconcile's future.
        match Box::pin(self.commit(result, generation, |i| f(i, now).0)).await {
            Ok(result) => result,
            Err((result, err)) => {
                self.store_failed(&err);
                result
            }
        }
    }

    /// Changes the incident at the clock's time, lets go of it, and saves it. A save that
    /// finds the record changed by another writer (an operator on another replica) re-reads
    /// it and applies `f` again on the record as stored: a stale write is never a silent
    /// overwrite. A save that fails otherwise keeps the change in memory, for the next save.
    pub(in crate::engine) async fn edit<R>(
        &mut self,
        f: impl FnMut(&mut Incident, Timestamp) -> R,
    ) -> R {
        match self.edit_saved(f).await {
            Ok(result) => result,
            Err((result, err)) => {
                self.store_failed(&err);
                result
            }
        }
    }

    /// As [`edit`](Job::edit), for a change that must be in the store before the engine goes
    /// on (the write-ahead record of a step): the store's error is handed back with `f`'s
    /// answer.
    pub(in crate::engine) async fn edit_saved<R>(
        &mut self,
        mut f: impl FnMut(&mut Incident, Timestamp) -> R,
    ) -> std::result::Result<R, (R, crate::Error)> {
        let now = self.engine.now();
        let (result, generation) = {
            let mut incident = self.cell.lock().await;
            (f(&mut incident, now), self.cell.generation())
        };
        // Boxed: a save is rare, and its state would otherwise swell every reconcile's future.
        Box::pin(self.commit(result, generation, |i| f(i, now))).await
    }

    /// Saves the change `result` came from, made on the copy of `generation`; on a conflict
    /// (the store's record, or a copy replaced meanwhile), re-reads and applies `again`.
    async fn commit<R>(
        &mut self,
        mut result: R,
        mut generation: u64,
        mut again: impl FnMut(&mut Incident) -> R,
    ) -> std::result::Result<R, (R, crate::Error)> {
        let mut tries = 0;
        loop {
            let saved = self
                .engine
                .persist(&self.cell, self.fence, Some(generation))
                .await;
            let err = match saved {
                Ok(()) => return Ok(result),
                Err(err) => err,
            };
            tries += 1;
            // A conflict on an incident never created (opened while the store could not
            // answer) is settled by the next tick's sync, not by a re-read.
            if err.kind() != ErrorKind::Conflict || tries >= CAS_TRIES || self.cell.version() == 0 {
                self.cell.set_unsaved(true);
                return Err((result, err));
            }
            if let Err(err) = self.engine.reread(&self.cell).await {
                self.cell.set_unsaved(true);
                return Err((result, err));
            }
            (result, generation) = {
                let mut incident = self.cell.lock().await;
                (again(&mut incident), self.cell.generation())
            };
        }
    }

    fn store_failed(&mut self, err: &crate::Error) {
        warn!(incident = %self.id, error = %err, "could not save the incident");
        self.save_error = Some(
            crate::Error::new(err.kind(), "store.update", err.to_string()).with_retry(err.retry()),
        );
        self.events.push(TickEvent::StoreFailed {
            incident: self.id.clone(),
            error: err.to_string(),
        });
    }

    async fn save_now(&mut self) {
        if let Err(err) = self.engine.persist(&self.cell, self.fence, None).await {
            self.store_failed(&err);
        }
    }

    /// The escalation that applies: the runbook's, else the engine's.
    pub(in crate::engine) fn escalation(&self) -> &'a Escalation {
        self.runbook
            .and_then(|r| r.escalation.as_ref())
            .unwrap_or(&self.engine.config.escalation)
    }

    /// Delivers a message about this incident to `contact`, under the call timeout.
    pub(in crate::engine) async fn deliver(
        &self,
        contact: &Contact,
        summary: String,
    ) -> Result<()> {
        let (resource, component, severity, thread) = self
            .read(|i| {
                (
                    i.resource().to_owned(),
                    i.runbook().to_string(),
                    i.severity(),
                    i.automation().chat_thread.clone(),
                )
            })
            .await;
        // A thread belongs to the incident's channel: elsewhere the mention starts its own.
        let same_channel = matches!(
            &contact.reach,
            Reach::Chat { channel, .. } if *channel == self.engine.config.chat_channel
        );
        let message = Message {
            key: self.id.as_str(),
            summary,
            source: &resource,
            component: &component,
            severity,
            thread: thread.as_deref().filter(|_| same_channel),
        };
        let call = self.engine.config.timeouts.call;
        call::timed(
            self.engine.clock.as_ref(),
            call,
            "notify.deliver",
            contact.reach.target(),
            self.engine.notifiers.deliver(contact, &message),
        )
        .await
    }

    /// The earliest moment something is due on this incident.
    pub(in crate::engine) fn next_due(&self, incident: &Incident) -> Option<Timestamp> {
        let now = self.engine.now();
        if !incident.is_open() {
            let temporary = incident.automation().temporary.iter();
            return temporary.map(|t| t.until).filter(|at| *at > now).min();
        }
        let automation = incident.automation();
        let mut due = Vec::new();
        if let Some(step) = &automation.step {
            match step.phase {
                StepPhase::AwaitingApproval { expires_at, .. } => due.push(expires_at),
                StepPhase::Applied { verify_at, .. } => due.push(verify_at),
                _ => {}
            }
        }
        due.extend(automation.retry.as_ref().map(|r| r.next_at));
        due.extend(automation.outbox.next_due());
        due.extend(automation.temporary.iter().map(|t| t.until));
        if incident.phases().acknowledged.is_none() {
            let detected = incident.detected_at();
            for level in &self.escalation().levels {
                if level.applies_to(incident.severity())
                    && !automation.escalated_to(&level.contact.role)
                {
                    due.push(time::add(detected, level.after));
                }
            }
            if !automation.sla_breached {
                due.push(time::add(
                    incident.response_deadline(),
                    Duration::from_millis(1),
                ));
            }
        }
        due.into_iter().filter(|at| *at > now).min()
    }
}
