//! Delivering the incident's outbox: every notice due is tried, in the order it was decided
//! on; one its provider accepts leaves the outbox with its effect recorded (the thread, the
//! page, the escalation), one that fails stays (see `undelivered.rs`) for as long as the
//! incident is open. A crash between a delivery and its record delivers it again: a duplicate
//! page beats a missed one.
//!
//! A notice waits behind the one it follows: a post in the incident's thread (a line of what
//! people did, an escalation to a contact in the incident's channel) behind the announcement
//! that starts the thread, and the pager's acknowledgement behind the page. Once the
//! announcement lands, what waited behind it goes into its thread, in order.

use super::Job;
use crate::call;
use crate::engine::contacts::Reach;
use crate::engine::report::TickEvent;
use crate::error::Result;
use crate::incident::{Notice, NoticeKind};
use crate::ports::{ChatMessage, Posted};
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

    /// Tries every notice that is due and waits behind none.
    pub(super) async fn deliver_due(&mut self) {
        let now = self.engine.now();
        let due = self.read(|i| i.automation().outbox.due(now)).await;
        for notice in due {
            // Read again for each: the announcement may have landed a moment ago.
            if self.waits_behind(&notice).await {
                continue;
            }
            self.deliver_notice(notice).await;
        }
    }

    /// Whether `notice` waits for another still in the outbox: a post in the incident's
    /// thread for the announcement, the pager's acknowledgement for the page.
    async fn waits_behind(&self, notice: &Notice) -> bool {
        let ahead = match notice.kind {
            NoticeKind::Announce | NoticeKind::Page => return false,
            NoticeKind::Acknowledge => NoticeKind::Page,
            _ if self.in_thread(notice) => NoticeKind::Announce,
            _ => return false,
        };
        self.read(|i| i.automation().outbox.waits(ahead, None))
            .await
    }

    /// Whether `notice` is posted in the incident's thread: a line with no contact, or a
    /// mention in the incident's channel.
    fn in_thread(&self, notice: &Notice) -> bool {
        match &notice.contact {
            None => true,
            Some(contact) => matches!(
                &contact.reach,
                Reach::Chat { channel, .. } if *channel == self.engine.config.chat_channel
            ),
        }
    }

    /// Sends `notice` to its provider.
    async fn send(&self, notice: &Notice, target: &str) -> Result<Option<Posted>> {
        let timeout = self.engine.config.timeouts.call;
        match (&notice.kind, &notice.contact) {
            (NoticeKind::Acknowledge, _) => {
                call::timed(
                    self.engine.clock.as_ref(),
                    timeout,
                    "pager.acknowledge",
                    target,
                    self.engine
                        .notifiers
                        .pager
                        .acknowledge(target, self.id.as_str()),
                )
                .await?;
                Ok(None)
            }
            (_, Some(contact)) => {
                self.deliver(contact, notice.summary.clone()).await?;
                Ok(None)
            }
            (_, None) => {
                // The announcement starts the incident's thread; a later notice posts in it.
                let thread = match notice.kind {
                    NoticeKind::Announce => None,
                    _ => self.read(|i| i.automation().chat_thread.clone()).await,
                };
                let message = ChatMessage {
                    channel: target.to_owned(),
                    text: notice.summary.clone(),
                    thread,
                    key: Some(crate::IdempotencyKey::derive(
                        &self.id,
                        &format!("{}{}", crate::engine::names::NOTICE_KEY_PREFIX, notice.id),
                    )),
                };
                call::timed(
                    self.engine.clock.as_ref(),
                    timeout,
                    "chat.post",
                    target,
                    self.engine.notifiers.chat.post(&message),
                )
                .await
                .map(Some)
            }
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
        match self.send(&notice, &target).await {
            Ok(posted) => self.delivered(&notice, posted, channel, target).await,
            Err(err) => self.not_taken(notice, &err, channel, target).await,
        }
    }

    /// Takes `notice` out of the outbox and records its effect.
    async fn delivered(
        &mut self,
        notice: &Notice,
        posted: Option<Posted>,
        channel: String,
        target: String,
    ) {
        self.edit(|i, now| {
            if i.automation_mut().outbox.take(notice.id).is_none() {
                return; // Settled meanwhile (by another writer).
            }
            let notified = EntryKind::Notified {
                channel: channel.clone(),
                target: target.clone(),
            };
            let (kind, detail) = match (&notice.kind, &notice.contact) {
                // A line in the thread, as the engine's own are: no entry.
                (NoticeKind::Update, _) => return,
                // Said only when it had failed: its failures are on the timeline.
                (NoticeKind::Acknowledge, _) if notice.attempts == 0 => return,
                (NoticeKind::Acknowledge, _) => (
                    notified,
                    format!("page acknowledged on try {}", notice.attempts + 1),
                ),
                (NoticeKind::Announce, _) => {
                    i.automation_mut().chat_thread = posted.as_ref().map(|p| p.thread.clone());
                    (notified, "incident thread started".to_owned())
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
                    (notified, format!("postmortem reminder posted to {to}"))
                }
                (_, contact) => {
                    if notice.kind == NoticeKind::Page {
                        i.automation_mut().paged = true;
                    }
                    let role = contact.as_ref().map_or("", |c| c.role.as_str());
                    (notified, format!("{role} notified"))
                }
            };
            let _ = i.record(now, Actor::Engine, kind, detail);
        })
        .await;
        if matches!(notice.kind, NoticeKind::Update | NoticeKind::Acknowledge) {
            return;
        }
        self.events.push(TickEvent::Notified {
            incident: self.id.clone(),
            channel,
            target,
        });
    }

    /// Drops what still waits once the incident is over (nobody is paged for a resolved
    /// incident, and the page's resolution settles its acknowledgement); says so on the
    /// timeline.
    pub(in crate::engine) async fn drop_outbox(&mut self, why: &str) {
        let (waiting, told) = self
            .read(|i| {
                let notices = &i.automation().outbox.notices;
                let acks = notices.iter().filter(|n| n.kind == NoticeKind::Acknowledge);
                (notices.len(), notices.len() - acks.count())
            })
            .await;
        if waiting == 0 {
            return;
        }
        self.edit(|i, now| {
            i.automation_mut().outbox.notices.clear();
            if told > 0 {
                i.note(
                    now,
                    Actor::Engine,
                    format!("{told} undelivered notification(s) dropped: {why}"),
                );
            }
        })
        .await;
    }
}
