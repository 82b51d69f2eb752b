//! Telling people: the chat thread of a new incident, the on-call page, and the record of every
//! delivery.

use super::Job;
use crate::call;
use crate::engine::contacts::Contact;
use crate::engine::report::TickEvent;
use crate::error::Result;
use crate::ports::ChatMessage;
use crate::timeline::{Actor, EntryKind};

impl Job<'_> {
    /// Tells chat about a new incident (starting its thread) and pages the on-call engineer
    /// for a paging severity.
    pub(super) async fn announce(&mut self) {
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
        if !announced {
            let channel = self.engine.config.chat_channel.clone();
            let message = ChatMessage {
                channel: channel.clone(),
                text: format!("{}: {headline}", self.id),
                thread: None,
            };
            let call = self.engine.config.timeouts.call;
            let posted = call::timed(
                self.engine.clock.as_ref(),
                call,
                "chat.post",
                &channel,
                self.engine.notifiers.chat.post(&message),
            )
            .await;
            let ok = posted.is_ok();
            self.edit(|i, now| {
                i.automation_mut().announced = true;
                let (kind, detail) = match &posted {
                    Ok(posted) => {
                        i.automation_mut().chat_thread = Some(posted.thread.clone());
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
        if severity.pages() && !paged {
            let on_call = self.escalation().on_call.clone();
            let delivered = self.deliver(&on_call, headline).await;
            self.record_delivery(&on_call, delivered, false).await;
            self.edit(|i, _| i.automation_mut().paged = true).await;
        }
    }

    /// Records the delivery to `contact` as a notification or an escalation.
    pub(in crate::engine) async fn record_delivery(
        &mut self,
        contact: &Contact,
        delivered: Result<()>,
        escalation: bool,
    ) {
        let channel = contact.reach.channel().to_owned();
        let target = contact.reach.target().to_owned();
        let ok = delivered.is_ok();
        self.edit(|i, now| {
            let (kind, detail) = match &delivered {
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
}
