//! Delivering the incident's outbox: every notice due is tried; one its provider accepts
//! leaves the outbox with its effect recorded (the thread, the page, the escalation), one that
//! fails stays, its failure on the timeline, and is tried again after a back-off on the clock
//! (the engine's retry policy, at most its longest delay apart) for as long as the incident is
//! open. A crash between a delivery and its record delivers it again: a duplicate page beats a
//! missed one. A notice whose delivery is unknown (`DeliveryUnknown`: a chat post or a mail
//! sent and never answered) is held instead: out of the outbox, on the timeline, not sent
//! again.

use super::Job;
use crate::call;
use crate::engine::report::TickEvent;
use crate::error::Result;
use crate::incident::{Notice, NoticeKind};
use crate::ports::{ChatMessage, Posted};
use crate::time::{self, HumanDuration};
use crate::timeline::{Actor, EntryKind};

impl Job<'_> {
    /// Queues a notice (saved before anything is sent); `mark` records the decision on the
    /// incident in the same change.
    pub(super) async fn queue(
        &mut self,
        kind: NoticeKind,
        contact: Option<crate::engine::Contact>,
        summary: String,
        mut mark: impl FnMut(&mut crate::Incident),
    ) {
        self.edit(|i, now| {
            mark(i);
            let contact = contact.clone();
            i.automation_mut()
                .outbox
                .queue(kind, contact, summary.clone(), now);
        })
        .await;
    }

    /// Tries every notice that is due.
    pub(super) async fn deliver_due(&mut self) {
        let now = self.engine.now();
        let due = self.read(|i| i.automation().outbox.due(now)).await;
        for notice in due {
            self.deliver_notice(notice).await;
        }
    }

    async fn deliver_notice(&mut self, notice: Notice) {
        let (channel, target) = match &notice.contact {
            Some(contact) => (
                contact.reach.channel().to_owned(),
                contact.reach.target().to_owned(),
            ),
            None => ("chat".to_owned(), self.engine.config.chat_channel.clone()),
        };
        let delivered: Result<Option<Posted>> = match &notice.contact {
            Some(contact) => self
                .deliver(contact, notice.summary.clone())
                .await
                .map(|()| None),
            None => {
                // The announcement starts the incident's thread; a later notice posts in it.
                let thread = match notice.kind {
                    NoticeKind::Announce => None,
                    _ => self.read(|i| i.automation().chat_thread.clone()).await,
                };
                let message = ChatMessage {
                    channel: target.clone(),
                    text: notice.summary.clone(),
                    thread,
                    key: Some(crate::IdempotencyKey::derive(
                        &self.id,
                        &format!("{}{}", crate::engine::names::NOTICE_KEY_PREFIX, notice.id),
                    )),
                };
                call::timed(
                    self.engine.clock.as_ref(),
                    self.engine.config.timeouts.call,
                    "chat.post",
                    &target,
                    self.engine.notifiers.chat.post(&message),
                )
                .await
                .map(Some)
            }
        };
        match delivered {
            Ok(posted) => {
                self.edit(|i, now| {
                    if i.automation_mut().outbox.take(notice.id).is_none() {
                        return; // Settled meanwhile (by another writer).
                    }
                    if notice.kind == NoticeKind::Update {
                        return; // A line in the thread, as the engine's own are: no entry.
                    }
                    let (kind, detail) = match (&notice.kind, &notice.contact) {
                        (NoticeKind::Announce, _) => {
                            i.automation_mut().chat_thread =
                                posted.as_ref().map(|p| p.thread.clone());
                            let kind = EntryKind::Notified {
                                channel: channel.clone(),
                                target: target.clone(),
                            };
                            (kind, "incident thread started".to_owned())
                        }
                        (NoticeKind::Escalate, Some(contact)) => (
                            EntryKind::Escalated {
                                role: contact.role.clone(),
                                contact: contact.reach.to_string(),
                            },
                            format!("{} told by {}", contact.role, contact.reach),
                        ),
                        (NoticeKind::Postmortem, contact) => {
                            let to = contact
                                .as_ref()
                                .map_or("the incident's thread", |c| c.role.as_str());
                            let kind = EntryKind::Notified {
                                channel: channel.clone(),
                                target: target.clone(),
                            };
                            (kind, format!("postmortem reminder posted to {to}"))
                        }
                        (_, contact) => {
                            if notice.kind == NoticeKind::Page {
                                i.automation_mut().paged = true;
                            }
                            let role = contact.as_ref().map_or("", |c| c.role.as_str());
                            let kind = EntryKind::Notified {
                                channel: channel.clone(),
                                target: target.clone(),
                            };
                            (kind, format!("{role} notified"))
                        }
                    };
                    let _ = i.record(now, Actor::Engine, kind, detail);
                })
                .await;
                if notice.kind == NoticeKind::Update {
                    return;
                }
                self.events.push(TickEvent::Notified {
                    incident: self.id.clone(),
                    channel,
                    target,
                });
            }
            Err(err) if err.kind() == crate::ErrorKind::DeliveryUnknown => {
                // It may have landed: sending it again could deliver it twice. It is held —
                // out of the outbox, on the timeline for the operators to check.
                crate::engine::telemetry::notification_failed(&channel);
                self.edit(|i, now| {
                    if i.automation_mut().outbox.take(notice.id).is_none() {
                        return;
                    }
                    let role = notice.contact.as_ref().map_or("chat", |c| c.role.as_str());
                    let kind = EntryKind::NotificationFailed {
                        channel: channel.clone(),
                        target: target.clone(),
                    };
                    let detail = format!(
                        "{role}: {err} (held, not sent again: check {channel} {target} for it)"
                    );
                    let _ = i.record(now, Actor::Engine, kind, detail);
                })
                .await;
            }
            Err(err) => {
                crate::engine::telemetry::notification_failed(&channel);
                let retry = &self.engine.config.retry;
                let throttled = err.retry() == crate::Retry::Throttled;
                self.edit(|i, now| {
                    let Some(waiting) = i
                        .automation_mut()
                        .outbox
                        .notices
                        .iter_mut()
                        .find(|n| n.id == notice.id)
                    else {
                        return;
                    };
                    waiting.attempts += 1;
                    let wait = retry.delay(waiting.attempts, throttled);
                    waiting.next_at = time::add(now, wait);
                    let attempts = waiting.attempts;
                    let role = notice.contact.as_ref().map_or("chat", |c| c.role.as_str());
                    let kind = EntryKind::NotificationFailed {
                        channel: channel.clone(),
                        target: target.clone(),
                    };
                    let act = if err.kind().needs_a_person() {
                        "a person must act; "
                    } else {
                        ""
                    };
                    let detail = format!(
                        "{role}: {err} (try {attempts}; {act}again in {})",
                        HumanDuration(wait)
                    );
                    let _ = i.record(now, Actor::Engine, kind, detail);
                })
                .await;
            }
        }
    }

    /// Drops what still waits once the incident is over (nobody is paged for a resolved
    /// incident); says so on the timeline.
    pub(in crate::engine) async fn drop_outbox(&mut self, why: &str) {
        let waiting = self.read(|i| i.automation().outbox.notices.len()).await;
        if waiting == 0 {
            return;
        }
        self.edit(|i, now| {
            i.automation_mut().outbox.notices.clear();
            i.note(
                now,
                Actor::Engine,
                format!("{waiting} undelivered notification(s) dropped: {why}"),
            );
        })
        .await;
    }
}
