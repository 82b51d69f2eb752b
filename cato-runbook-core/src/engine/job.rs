//! One open incident's share of a tick: its signal, announcement, diagnosis and resolution. The
//! ladder and the escalation live next door (`ladder.rs`, `escalation.rs`).
//!
//! The incident's lock is never held across a call to a provider: a job reads what it needs,
//! lets go, makes the call, then takes the lock again to record the outcome and save. So an
//! operator's acknowledgement never waits for a slow step.

use std::future::Future;
use std::time::Duration;

use tracing::warn;

use super::Inner;
use super::contacts::{Contact, Escalation, Message, Reach};
use super::report::TickEvent;
use super::runbook::Runbook;
use super::state::{Cell, Verdict};
use crate::error::{Error, Result};
use crate::incident::{IdempotencyKey, Incident, IncidentId, Status, StepPhase};
use crate::ports::{ChatMessage, Claim};
use crate::runbook::{DiagnoseContext, Finding};
use crate::time::{self, Timestamp};
use crate::timeline::{Actor, EntryKind};

/// What a job leaves for the tick report.
pub(super) struct Outcome {
    pub(super) events: Vec<TickEvent>,
    pub(super) next_due: Option<Timestamp>,
}

pub(super) struct Job<'a> {
    pub(super) engine: &'a Inner,
    pub(super) cell: Cell,
    pub(super) verdict: Verdict,
    pub(super) id: IncidentId,
    pub(super) runbook: Option<&'a Runbook>,
    pub(super) events: Vec<TickEvent>,
}

/// Runs `call` under `timeout`, turning a timeout into an error naming `operation`.
pub(super) async fn timed<T>(
    timeout: Duration,
    operation: &'static str,
    resource: &str,
    call: impl Future<Output = Result<T>>,
) -> Result<T> {
    match tokio::time::timeout(timeout, call).await {
        Ok(result) => result,
        Err(_) => Err(Error::timeout(operation, timeout).with_resource(resource.to_owned())),
    }
}

impl<'a> Job<'a> {
    /// A job on the incident in `cell`.
    pub(super) async fn attach(engine: &'a Inner, cell: Cell, verdict: Verdict) -> Self {
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
        }
    }

    pub(super) async fn run(mut self) -> Outcome {
        let open = self.read(Incident::is_open).await;
        if open {
            self.observe().await;
            self.announce().await;
            self.diagnose().await;
            if !self.try_resolve().await {
                self.ladder().await;
                self.escalate().await;
            }
        }
        let next_due = self.read(|i| self.next_due(i)).await;
        Outcome {
            events: self.events,
            next_due,
        }
    }

    /// Reads the incident.
    pub(super) async fn read<R>(&self, f: impl FnOnce(&Incident) -> R) -> R {
        let incident = self.cell.lock().await;
        f(&incident)
    }

    /// Changes the incident at the clock's time and saves it.
    pub(super) async fn edit<R>(&mut self, f: impl FnOnce(&mut Incident, Timestamp) -> R) -> R {
        let mut incident = self.cell.lock().await;
        let result = f(&mut incident, self.engine.now());
        if let Err(err) = self.engine.save(&incident).await {
            warn!(incident = %self.id, error = %err, "could not save the incident");
            self.events.push(TickEvent::StoreFailed {
                incident: self.id.clone(),
                error: err.to_string(),
            });
        }
        result
    }

    /// The escalation that applies: the runbook's, else the engine's.
    pub(super) fn escalation(&self) -> &'a Escalation {
        self.runbook
            .and_then(|r| r.escalation.as_ref())
            .unwrap_or(&self.engine.config.escalation)
    }

    /// Claims `what` on this incident for this replica.
    pub(super) async fn claim(&self, what: &str) -> Result<bool> {
        let key = IdempotencyKey::derive(&self.id, what);
        Ok(self.engine.claim(&key).await? == Claim::Granted)
    }

    /// Delivers a message about this incident to `contact`, under the call timeout.
    pub(super) async fn deliver(&self, contact: &Contact, summary: String) -> Result<()> {
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
        timed(
            call,
            "notify.deliver",
            contact.reach.target(),
            self.engine.notifiers.deliver(contact, &message),
        )
        .await
    }

    /// Posts a progress line in the incident's chat thread; a failure goes on the timeline.
    pub(super) async fn say(&mut self, text: String) {
        let thread = self.read(|i| i.automation().chat_thread.clone()).await;
        let channel = self.engine.config.chat_channel.clone();
        let message = ChatMessage {
            channel: channel.clone(),
            text: format!("{}: {text}", self.id),
            thread,
        };
        let call = self.engine.config.timeouts.call;
        let posted = timed(
            call,
            "chat.post",
            &channel,
            self.engine.notifiers.chat.post(&message),
        )
        .await;
        if let Err(err) = posted {
            self.edit(|i, now| {
                let kind = EntryKind::NotificationFailed {
                    channel: "chat".into(),
                    target: channel,
                };
                let _ = i.record(now, Actor::Engine, kind, err.to_string());
            })
            .await;
        }
    }

    /// Applies the tick's verdict: a worse impact raises the severity; symptoms after a
    /// verified step are counted.
    async fn observe(&mut self) {
        match self.verdict {
            Verdict::Bad(impact) => {
                let raised = self
                    .edit(|i, now| {
                        if matches!(
                            i.automation().step.as_ref().map(|s| &s.phase),
                            Some(StepPhase::Verified { .. })
                        ) {
                            i.automation_mut().bad_after_verified += 1;
                        }
                        let from = i.severity();
                        i.worsen(impact, now, Actor::Engine)
                            .then(|| (from, i.severity()))
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

    /// Tells chat about a new incident (starting its thread) and pages the on-call engineer
    /// for a paging severity.
    async fn announce(&mut self) {
        let (announced, paged, severity, title, resource) = self
            .read(|i| {
                (
                    i.automation().announced,
                    i.automation().paged,
                    i.severity(),
                    i.title().to_owned(),
                    i.resource().to_owned(),
                )
            })
            .await;
        let headline = format!("{severity} {title} on {resource}");
        if !announced && self.claim("announce").await.unwrap_or(false) {
            let channel = self.engine.config.chat_channel.clone();
            let message = ChatMessage {
                channel: channel.clone(),
                text: format!("{}: {headline}", self.id),
                thread: None,
            };
            let call = self.engine.config.timeouts.call;
            let posted = timed(
                call,
                "chat.post",
                &channel,
                self.engine.notifiers.chat.post(&message),
            )
            .await;
            let ok = posted.is_ok();
            self.edit(|i, now| {
                i.automation_mut().announced = true;
                let (kind, detail) = match posted {
                    Ok(posted) => {
                        i.automation_mut().chat_thread = Some(posted.thread);
                        let kind = EntryKind::Notified {
                            channel: "chat".into(),
                            target: channel.clone(),
                        };
                        (kind, "incident thread started".to_owned())
                    }
                    Err(err) => {
                        let kind = EntryKind::NotificationFailed {
                            channel: "chat".into(),
                            target: channel.clone(),
                        };
                        (kind, err.to_string())
                    }
                };
                let _ = i.record(now, Actor::Engine, kind, detail);
            })
            .await;
            if ok {
                self.events.push(TickEvent::Notified {
                    incident: self.id.clone(),
                    channel: "chat".into(),
                    target: channel,
                });
            }
        }
        if severity.pages() && !paged && self.claim("page").await.unwrap_or(false) {
            let on_call = self.escalation().on_call.clone();
            let delivered = self.deliver(&on_call, headline).await;
            self.record_delivery(&on_call, delivered, false).await;
            self.edit(|i, _| i.automation_mut().paged = true).await;
        }
    }

    /// Records the delivery to `contact` as a notification or an escalation.
    pub(super) async fn record_delivery(
        &mut self,
        contact: &Contact,
        delivered: Result<()>,
        escalation: bool,
    ) {
        let channel = contact.reach.channel().to_owned();
        let target = contact.reach.target().to_owned();
        let ok = delivered.is_ok();
        self.edit(|i, now| {
            let (kind, detail) = match delivered {
                Ok(()) if escalation => (
                    EntryKind::Escalated {
                        role: contact.role.clone(),
                        contact: contact.reach.to_string(),
                    },
                    format!("{} told by {}", contact.role, contact.reach),
                ),
                Ok(()) => (
                    EntryKind::Notified {
                        channel: channel.clone(),
                        target: target.clone(),
                    },
                    format!("{} notified", contact.role),
                ),
                Err(err) => (
                    EntryKind::NotificationFailed {
                        channel: channel.clone(),
                        target: target.clone(),
                    },
                    format!("{}: {err}", contact.role),
                ),
            };
            let _ = i.record(now, Actor::Engine, kind, detail);
        })
        .await;
        if ok {
            self.events.push(TickEvent::Notified {
                incident: self.id.clone(),
                channel,
                target,
            });
        }
    }

    /// Runs the runbook's diagnoses concurrently, once per incident (and again after a failed
    /// verification), recording findings and ranked root causes.
    pub(super) async fn diagnose(&mut self) {
        let Some(runbook) = self.runbook else { return };
        let (diagnosed, ctx) = self
            .read(|i| {
                let ctx = DiagnoseContext::new(
                    i.id().clone(),
                    i.runbook().clone(),
                    i.resource(),
                    i.detected_at(),
                    self.engine.now(),
                );
                (i.automation().diagnosed, ctx)
            })
            .await;
        if diagnosed {
            return;
        }
        if runbook.diagnoses.is_empty() {
            self.edit(|i, _| i.automation_mut().diagnosed = true).await;
            return;
        }
        let timeout = self.engine.config.timeouts.diagnosis;
        let reports = futures::future::join_all(runbook.diagnoses.iter().map(|d| {
            timed(
                timeout,
                "diagnosis.diagnose",
                &ctx.resource,
                d.diagnose(&ctx),
            )
        }))
        .await;
        let mut findings = Vec::new();
        let mut causes = Vec::new();
        for (diagnosis, report) in runbook.diagnoses.iter().zip(reports) {
            match report {
                Ok(report) => {
                    findings.extend(report.findings);
                    causes.extend(report.root_causes);
                }
                Err(err) => findings.push(
                    Finding::new(diagnosis.name(), format!("diagnosis failed: {err}"))
                        .with_fact("diagnosis_failed", true),
                ),
            }
        }
        let count = findings.len();
        let top = self
            .edit(|i, now| {
                for finding in findings {
                    i.add_finding(now, finding);
                }
                if !causes.is_empty() {
                    i.set_root_causes(now, causes);
                }
                i.automation_mut().diagnosed = true;
                i.root_causes()
                    .first()
                    .map(|c| format!("{} ({:.0} %)", c.cause, c.confidence * 100.0))
            })
            .await;
        self.events.push(TickEvent::Diagnosed {
            incident: self.id.clone(),
            findings: count,
        });
        let line = match top {
            Some(cause) => format!("{count} findings; likeliest root cause: {cause}"),
            None => format!("{count} findings"),
        };
        self.say(line).await;
    }

    /// Resolves the incident once its key stayed good for the healthy window, unless a step
    /// still waits for its verification.
    async fn try_resolve(&mut self) -> bool {
        let Verdict::Good { streak, needed } = self.verdict else {
            return false;
        };
        if streak < needed {
            return false;
        }
        let awaiting = self
            .read(|i| {
                matches!(
                    i.automation().step.as_ref().map(|s| &s.phase),
                    Some(StepPhase::Applied { .. })
                )
            })
            .await;
        if awaiting {
            return false;
        }
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
                i.transition(Status::Resolved, now, Actor::Engine).is_ok()
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

    /// Resolves the page, gives up the incident's claim and says so in chat.
    pub(super) async fn after_resolution(&mut self) {
        let (paged, dedup) = self
            .read(|i| (i.automation().paged, i.dedup_key().clone()))
            .await;
        let call = self.engine.config.timeouts.call;
        let key = IdempotencyKey::new(format!("open:{dedup}"));
        let released = timed(
            call,
            "coordination.release",
            key.as_str(),
            self.engine.coordination.release(&key),
        )
        .await;
        if let Err(err) = released {
            warn!(incident = %self.id, error = %err, "could not release the claim");
        }
        if paged {
            let target = self.escalation().on_call.reach.target().to_owned();
            let resolved = timed(
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

    /// The earliest moment something is due on this incident.
    fn next_due(&self, incident: &Incident) -> Option<Timestamp> {
        if !incident.is_open() {
            return None;
        }
        let now = self.engine.now();
        let automation = incident.automation();
        let mut due = Vec::new();
        if let Some(step) = &automation.step {
            match step.phase {
                StepPhase::AwaitingApproval { expires_at, .. } => due.push(expires_at),
                StepPhase::Applied { verify_at, .. } => due.push(verify_at),
                _ => {}
            }
        }
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
