//! The notification outbox an incident carries: a page, an announcement or an escalation is
//! first saved here, then delivered, and stays until its provider accepts it — retried with
//! back-off on the clock, by whichever replica leads, across crashes.

use serde::{Deserialize, Serialize};

use crate::engine::Contact;
use crate::time::Timestamp;

/// What a notice is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// The opening message in the incident channel (it starts the thread).
    Announce,
    /// The on-call page.
    Page,
    /// An escalation to a contact.
    Escalate,
    /// A post-incident reminder: in the incident's thread (no contact), or to a contact when
    /// the postmortem is overdue.
    Postmortem,
    /// A line in the incident's thread saying what a person did (an acknowledgement, an
    /// approval, a denial): posted by the next tick, not by the person's call.
    Update,
    /// The pager's acknowledgement of the on-call page once a person acknowledged the
    /// incident, so that the page stops ringing: sent by the next tick, after the page if it
    /// still waits.
    Acknowledge,
}

/// A notification decided on and not yet accepted by its provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    /// Its number on the incident.
    pub id: u32,
    /// What it is for.
    pub kind: NoticeKind,
    /// Who it goes to (none for the announcement: the incident channel).
    pub contact: Option<Contact>,
    /// The message.
    pub summary: String,
    /// When it was decided on.
    pub queued_at: Timestamp,
    /// Deliveries tried so far.
    pub attempts: u32,
    /// When the next try is due.
    pub next_at: Timestamp,
    /// Why its provider refuses it for good (a permanent error: a credential refused, a
    /// channel that does not exist), once a try failed so: said once on the timeline, and
    /// tried again only every [`UNDELIVERABLE_RETRY`] (or the retry policy's longest delay,
    /// if longer) until it is taken or the incident is over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undeliverable: Option<String>,
}

/// How long a notice its provider refuses for good waits between tries: a person must fix the
/// cause (a credential, a channel), and the provider is not asked again meanwhile.
pub const UNDELIVERABLE_RETRY: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// The outbox: notices in the order they were decided on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Outbox {
    /// Waiting notices.
    pub notices: Vec<Notice>,
    /// The number the next notice takes.
    pub next_id: u32,
}

impl Outbox {
    /// Queues a notice due at once; returns its number.
    pub fn queue(
        &mut self,
        kind: NoticeKind,
        contact: Option<Contact>,
        summary: String,
        now: Timestamp,
    ) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        self.notices.push(Notice {
            id,
            kind,
            contact,
            summary,
            queued_at: now,
            attempts: 0,
            next_at: now,
            undeliverable: None,
        });
        id
    }

    /// Whether a notice of `kind` (to `role`, for an escalation) waits.
    pub fn waits(&self, kind: NoticeKind, role: Option<&str>) -> bool {
        self.notices.iter().any(|n| {
            n.kind == kind
                && role.is_none_or(|role| n.contact.as_ref().is_some_and(|c| c.role == role))
        })
    }

    /// The notices due at `now`.
    pub fn due(&self, now: Timestamp) -> Vec<Notice> {
        self.notices
            .iter()
            .filter(|n| n.next_at <= now)
            .cloned()
            .collect()
    }

    /// Takes notice `id` out (delivered, or dropped).
    pub fn take(&mut self, id: u32) -> Option<Notice> {
        let index = self.notices.iter().position(|n| n.id == id)?;
        Some(self.notices.remove(index))
    }

    /// The earliest next try.
    pub fn next_due(&self) -> Option<Timestamp> {
        self.notices.iter().map(|n| n.next_at).min()
    }
}
