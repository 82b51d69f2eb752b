//! What people do: list, acknowledge, approve or deny, note, resolve, call in the AWS TAM (halt
//! and resume: `kill_switch`). The CLI and the host service call these.

use std::fmt;
use std::sync::Arc;

use serde_json::json;

use super::Inner;
use super::job::Job;
use super::state::{Cell, Verdict};
use crate::error::{Error, ErrorKind, Result};
use crate::incident::{Incident, IncidentId, NoticeKind, Status, StepPhase};
use crate::timeline::{Actor, EntryKind};

/// The operator's handle on an [`Engine`](super::Engine): cheap to clone, safe to use while the
/// engine ticks. An action on an incident waits for no provider call in flight: it takes effect
/// at once, and the engine acts on it at its next tick (what it tells chat and the pager goes
/// through the incident's outbox).
#[derive(Clone)]
pub struct Operator {
    pub(super) inner: Arc<Inner>,
}

impl fmt::Debug for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Operator")
            .field("halted", &self.is_halted())
            .finish_non_exhaustive()
    }
}

impl Operator {
    pub(super) fn new(inner: Arc<Inner>) -> Self {
        Operator { inner }
    }

    /// Every open incident, oldest id first.
    ///
    /// # Errors
    ///
    /// When the store cannot be read (before the engine's first tick).
    pub async fn open_incidents(&self) -> Result<Vec<Incident>> {
        if !self.inner.leads() {
            // A standby's copy is not kept: the store's is the truth.
            let open = self.inner.store.open().await?;
            return Ok(open.into_iter().map(|stored| stored.value).collect());
        }
        self.inner.ensure_loaded().await?;
        let cells: Vec<Cell> = self
            .inner
            .table
            .lock()
            .await
            .incidents
            .values()
            .cloned()
            .collect();
        let mut open = Vec::with_capacity(cells.len());
        for cell in cells {
            let incident = cell.lock().await;
            if incident.is_open() {
                open.push(incident.clone());
            }
        }
        Ok(open)
    }

    /// One incident, open or not.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn incident(&self, id: &IncidentId) -> Result<Option<Incident>> {
        if self.inner.leads()
            && self.inner.ensure_loaded().await.is_ok()
            && let Some(cell) = self.inner.table.lock().await.incidents.get(id).cloned()
        {
            // The leader's copy, open or not: it is the newest (a save may still be due).
            return Ok(Some(cell.lock().await.clone()));
        }
        // Not kept here (a standby keeps no copy): the store's record, read once.
        Ok(self.inner.store.get(id).await?.map(|stored| stored.value))
    }

    /// Acknowledges an incident: escalation stops, and the on-call page's acknowledgement is
    /// queued in the incident's outbox (the next tick sends it, retried until the pager takes
    /// it: no pager call is made here). Returns `false` if it already was.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`] for an unknown id, [`ErrorKind::IllegalTransition`] for an
    /// incident that is no longer open.
    pub async fn acknowledge(&self, id: &IncidentId, by: &str) -> Result<bool> {
        let mut job = self.job(id, "operator.acknowledge").await?;
        let on_call = job.escalation().on_call.clone();
        let acknowledged = job
            .edit(|i, now| {
                let acknowledged = i.acknowledge(now, Actor::person(by))?;
                if acknowledged {
                    let outbox = &mut i.automation_mut().outbox;
                    let page = outbox.waits(NoticeKind::Page, None);
                    // Escalation stops: what still waits to go out goes nowhere.
                    outbox.notices.retain(|n| n.kind != NoticeKind::Escalate);
                    // The page stops ringing: its acknowledgement is saved with the action and
                    // sent by the next tick (after the page, if that still waits), retried
                    // until the pager takes it.
                    if (page || i.automation().paged)
                        && !i.automation().outbox.waits(NoticeKind::Acknowledge, None)
                    {
                        i.automation_mut().outbox.queue(
                            NoticeKind::Acknowledge,
                            Some(on_call.clone()),
                            format!("{id}: acknowledged by {by}"),
                            now,
                        );
                    }
                    tell(i, now, format!("acknowledged by {by}"));
                }
                Ok::<bool, Error>(acknowledged)
            })
            .await?;
        self.saved(&mut job)?;
        self.recorded(Some(&job), "acknowledge", json!({ "by": by }))
            .await;
        Ok(acknowledged)
    }

    /// Approves the step waiting on `id`; the engine applies it at its next tick, if the
    /// guardrails still allow it.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Conflict`] if `step` is not waiting for approval, [`ErrorKind::Refused`] if
    /// the request lapsed.
    pub async fn approve(&self, id: &IncidentId, step: &str, by: &str) -> Result<()> {
        let mut job = self.job(id, "operator.approve").await?;
        job.edit(|i, now| {
            let expires_at = pending(i, step, "operator.approve")?;
            if now >= expires_at {
                return Err(Error::new(
                    ErrorKind::Refused,
                    "operator.approve",
                    format!("the approval request for {step} lapsed"),
                )
                .with_resource(i.id().to_string()));
            }
            let kind = EntryKind::ApprovalGranted {
                step: step.to_owned(),
            };
            i.record(now, Actor::person(by), kind, "")?;
            if let Some(run) = i.automation_mut().step.as_mut() {
                run.phase = StepPhase::Approved {
                    by: by.to_owned(),
                    at: now,
                };
            }
            tell(i, now, format!("{step} approved by {by}"));
            Ok(())
        })
        .await?;
        self.saved(&mut job)?;
        let args = json!({ "step": step, "by": by });
        self.recorded(Some(&job), "approve", args).await;
        Ok(())
    }

    /// Denies the step waiting on `id`; the engine moves to the next rung.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Conflict`] if `step` is not waiting for approval.
    pub async fn deny(&self, id: &IncidentId, step: &str, by: &str, reason: &str) -> Result<()> {
        let mut job = self.job(id, "operator.deny").await?;
        job.edit(|i, now| {
            pending(i, step, "operator.deny")?;
            let kind = EntryKind::ApprovalDenied {
                step: step.to_owned(),
            };
            i.record(now, Actor::person(by), kind, reason)?;
            let automation = i.automation_mut();
            if let Some(run) = automation.step.take() {
                automation.rung = run.rung + 1;
            }
            tell(i, now, format!("{step} denied by {by}: {reason}"));
            Ok(())
        })
        .await?;
        self.saved(&mut job)?;
        let args = json!({ "step": step, "by": by, "reason": reason });
        self.recorded(Some(&job), "deny", args).await;
        Ok(())
    }

    /// Adds a note to an incident's timeline.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`] for an unknown id or an incident no longer open.
    pub async fn note(&self, id: &IncidentId, by: &str, text: &str) -> Result<()> {
        let mut job = self.job(id, "operator.note").await?;
        job.edit(|i, now| i.note(now, Actor::person(by), text))
            .await;
        self.saved(&mut job)?;
        let args = json!({ "by": by, "text": text });
        self.recorded(Some(&job), "note", args).await;
        Ok(())
    }

    /// Resolves an incident by hand.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`] for an unknown id, [`ErrorKind::IllegalTransition`] for an
    /// incident already resolved, a transient [`ErrorKind::Conflict`] while automation is in
    /// the middle of a step's call on it (a second later the step's outcome is recorded, and
    /// the resolution can undo it).
    pub async fn resolve(&self, id: &IncidentId, by: &str, reason: &str) -> Result<()> {
        const OP: &str = "operator.resolve";
        let mut job = self.job(id, OP).await?;
        // Resolving reverts temporary steps: never beside a step's call in flight — here, or,
        // seen from a standby, on the leader (the step is recorded as applying).
        let applying = job
            .read(|i| {
                matches!(
                    i.automation().step.as_ref().map(|s| &s.phase),
                    Some(StepPhase::Applying { .. })
                )
            })
            .await;
        let acting = job.cell.take(super::state::Lane::Act);
        let (Some(_acting), false) = (acting, applying) else {
            return Err(Error::new(
                ErrorKind::Conflict,
                OP,
                format!("a step's call on {id} is in flight; try again when it is recorded"),
            )
            .with_retry(crate::error::Retry::Transient)
            .with_resource(id.to_string()));
        };
        let due_after = self.inner.config.postmortem.due_after;
        job.edit(|i, now| {
            i.transition(Status::Resolved, now, Actor::person(by))?;
            i.automation_mut().postmortem.due = Some(crate::time::add(now, due_after));
            i.note(now, Actor::person(by), reason);
            i.automation_mut().step = None;
            Ok::<(), Error>(())
        })
        .await?;
        self.saved(&mut job)?;
        job.after_resolution().await;
        let args = json!({ "by": by, "reason": reason });
        self.recorded(Some(&job), "resolve", args).await;
        Ok(())
    }

    /// Calls in the AWS TAM on an incident, by the configured contact.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`] for an unknown id; the notifier's error if the contact could not
    /// be reached (also recorded on the timeline).
    pub async fn escalate_to_aws_tam(&self, id: &IncidentId, by: &str, reason: &str) -> Result<()> {
        let mut job = self.job(id, "operator.escalate").await?;
        let tam = job.escalation().aws_tam.clone();
        let summary = format!("{id}: {by} asks for the {}: {reason}", tam.role);
        let delivered = job.deliver(&tam, summary).await;
        let error = delivered.as_ref().err().map(|e| {
            Error::new(e.kind(), "operator.escalate", e.to_string()).with_resource(id.to_string())
        });
        job.record_delivery(&tam, delivered, true).await;
        let role = tam.role.clone();
        job.edit(|i, _| {
            if !i.automation().escalated_to(&role) {
                i.automation_mut().escalated.push(role.clone());
            }
        })
        .await;
        if let Some(error) = error {
            return Err(error);
        }
        let args = json!({ "by": by, "reason": reason });
        self.recorded(Some(&job), "escalate_to_aws_tam", args).await;
        Ok(())
    }

    /// The leader's cell of an open incident; on a standby, a cell of the store's record
    /// (its changes go to the store under compare-and-swap, and the leader reads them at its
    /// next tick).
    async fn cell(&self, id: &IncidentId) -> Option<Cell> {
        if !self.inner.leads() {
            let stored = self.inner.store.get(id).await.ok()??;
            return stored
                .value
                .is_open()
                .then(|| Cell::new(stored.value, stored.version));
        }
        self.inner.ensure_loaded().await.ok()?;
        let cell = self.inner.table.lock().await.incidents.get(id).cloned()?;
        // A resolved incident the leader still keeps (a revert to finish) takes no action.
        let open = cell.lock().await.is_open();
        open.then_some(cell)
    }

    /// On a standby the copy is not kept: a change the store did not take is the caller's
    /// error, never a silent success. (The leader keeps it and saves it with the next change.)
    pub(super) fn saved(&self, job: &mut Job<'_>) -> Result<()> {
        match job.save_error.take() {
            Some(err) if !self.inner.leads() => Err(err),
            _ => Ok(()),
        }
    }

    pub(super) async fn job(&self, id: &IncidentId, operation: &'static str) -> Result<Job<'_>> {
        let Some(cell) = self.cell(id).await else {
            return Err(match self.inner.store.get(id).await {
                Ok(Some(_)) => Error::new(
                    ErrorKind::IllegalTransition,
                    operation,
                    format!("{id} is no longer open"),
                )
                .with_resource(id.to_string()),
                _ => Error::not_found(operation, id.to_string()),
            });
        };
        let mut job = Job::attach(&self.inner, cell, Verdict::Unwatched).await;
        // A person's write carries the current holder's fence, under compare-and-swap.
        job.fence = self.inner.write_fence();
        Ok(job)
    }
}

/// Queues a line for the incident's thread in its outbox, in the same change as the action it
/// tells of: the next tick posts it (under an idempotency key, bounded by the call timeout), so
/// a chat that does not answer never holds up a person's call or the tick after it.
fn tell(incident: &mut Incident, now: crate::Timestamp, text: String) {
    let text = format!("{}: {text}", incident.id());
    incident
        .automation_mut()
        .outbox
        .queue(NoticeKind::Update, None, text, now);
}

/// The expiry of the approval request for `step`, or a conflict.
fn pending(incident: &Incident, step: &str, operation: &'static str) -> Result<crate::Timestamp> {
    match incident.automation().step.as_ref() {
        Some(run) if run.plan.step == step => match run.phase {
            StepPhase::AwaitingApproval { expires_at, .. } => Ok(expires_at),
            _ => Err(conflict(incident, step, operation)),
        },
        _ => Err(conflict(incident, step, operation)),
    }
}

fn conflict(incident: &Incident, step: &str, operation: &'static str) -> Error {
    Error::new(
        ErrorKind::Conflict,
        operation,
        format!("no approval is pending for {step}"),
    )
    .with_resource(incident.id().to_string())
}
