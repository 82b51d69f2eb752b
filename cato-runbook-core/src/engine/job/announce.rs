//! Telling people: the chat thread of a new incident, the on-call page, progress lines in the
//! thread, and the record of every delivery.

use super::Job;
use crate::call;
use crate::engine::contacts::Contact;
use crate::engine::report::TickEvent;
use crate::error::Result;
use crate::incident::NoticeKind;
use crate::ports::ChatMessage;
use crate::timeline::{Actor, EntryKind};

impl Job<'_> {
    /// Tells chat about a new incident (starting its thread) and pages the on-call engineer
    /// for a paging severity: each is saved in the outbox first, then delivered (see
    /// `outbox.rs`).
    pub(super) async fn announce(&mut self) {
        let (announced, paged, page_waits, severity, title, resource) = self
            .read(|i| {
                let a = i.automation();
                (
                    a.announced,
                    a.paged,
                    a.outbox.waits(NoticeKind::Page, None),
                    i.severity(),
                    i.title().to_owned(),
                    i.resource().to_owned(),
                )
            })
            .await;
        let headline = format!("{severity} {title} on {resource}");
        if !announced {
            let text = format!("{}: {headline}", self.id);
            self.queue(NoticeKind::Announce, None, text, |i| {
                i.automation_mut().announced = true;
            })
            .await;
        }
        if severity.pages() && !paged && !page_waits {
            let on_call = self.escalation().on_call.clone();
            self.queue(NoticeKind::Page, Some(on_call), headline, |_| {})
                .await;
        }
        if self
            .read(|i| !i.automation().outbox.notices.is_empty())
            .await
        {
            Box::pin(self.deliver_due()).await;
        }
    }

    /// Posts a progress line in the incident's chat thread; a failure goes on the timeline.
    /// While the announcement that starts the thread still waits in the outbox, the line is
    /// queued behind it instead, and goes into the thread, in order, once the thread starts.
    pub(in crate::engine) async fn say(&mut self, text: String) {
        let text = format!("{}: {text}", self.id);
        let (thread, behind) = self
            .read(|i| {
                let a = i.automation();
                (
                    a.chat_thread.clone(),
                    a.outbox.waits(NoticeKind::Announce, None),
                )
            })
            .await;
        if behind {
            self.queue(NoticeKind::Update, None, text, |_| {}).await;
            return;
        }
        let channel = self.engine.config.chat_channel.clone();
        let message = ChatMessage {
            channel: channel.clone(),
            text,
            thread,
            key: None,
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
        if let Err(err) = posted {
            self.edit(|i, now| {
                let kind = EntryKind::NotificationFailed {
                    channel: "chat".into(),
                    target: channel.clone(),
                };
                let _ = i.record(now, Actor::Engine, kind, err.to_string());
            })
            .await;
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
