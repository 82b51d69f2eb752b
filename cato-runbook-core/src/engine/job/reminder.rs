//! A resolved incident's post-incident reminders (see `engine/reminders.rs`): decided once,
//! saved in the outbox before anything is sent, then delivered in the incident's thread.

use super::{Job, Outcome};
use crate::engine::contacts::Contact;
use crate::engine::reminders::{PostmortemDeadline, contact};
use crate::incident::{Incident, NoticeKind, Status};
use crate::time::{self, HumanDuration, Timestamp};
use crate::timeline::{Actor, EntryKind};

/// What is due on a resolved incident at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Due {
    Reminder,
    Overdue,
}

fn due_now(incident: &Incident, deadline: &PostmortemDeadline, now: Timestamp) -> Option<Due> {
    if incident.status() != Status::Resolved {
        return None;
    }
    let (remind_at, due) = deadline.moments(incident)?;
    let watch = &incident.automation().postmortem;
    if now >= due && !watch.overdue {
        Some(Due::Overdue)
    } else if now >= remind_at && !watch.reminded && !watch.overdue {
        Some(Due::Reminder)
    } else {
        None
    }
}

/// Decides what is due on `incident` (again, on a record re-read after a conflict: what another
/// writer decided already is not decided twice); returns whether it queued anything.
fn decide(
    incident: &mut Incident,
    deadline: &PostmortemDeadline,
    overdue_contact: Option<&Contact>,
    now: Timestamp,
) -> bool {
    let Some(what) = due_now(incident, deadline, now) else {
        return false;
    };
    let Some((_, due)) = deadline.moments(incident) else {
        return false;
    };
    let id = incident.id().clone();
    let shown = due.format("%Y-%m-%d %H:%M UTC");
    let automation = incident.automation_mut();
    automation.postmortem.due.get_or_insert(due);
    let (kind, text, detail) = match what {
        Due::Reminder => {
            automation.postmortem.reminded = true;
            let left = HumanDuration(time::elapsed(now, due));
            (
                EntryKind::PostmortemReminder,
                format!(
                    "{id}: reminder: no postmortem is attached yet; the blameless postmortem is due {shown} (in {left}). Attach it with `cato-runbook close {id} --postmortem URL`."
                ),
                format!("no postmortem attached; due {shown}"),
            )
        }
        Due::Overdue => {
            automation.postmortem.reminded = true;
            automation.postmortem.overdue = true;
            (
                EntryKind::PostmortemOverdue,
                format!(
                    "{id}: the postmortem is overdue: it was due {shown}, {} after resolution, and none is attached.",
                    HumanDuration(deadline.due_after)
                ),
                format!("due {shown}; none attached"),
            )
        }
    };
    automation
        .outbox
        .queue(NoticeKind::Postmortem, None, text.clone(), now);
    if what == Due::Overdue
        && let Some(contact) = overdue_contact
    {
        automation
            .outbox
            .queue(NoticeKind::Postmortem, Some(contact.clone()), text, now);
    }
    // Not a lifecycle entry: `record` takes it.
    let _ = incident.record(now, Actor::Engine, kind, detail);
    true
}

impl Job<'_> {
    /// Decides the reminder or the overdue note when its moment came (saved before anything
    /// is sent: a save the store refuses sends nothing), then delivers what waits.
    pub(in crate::engine) async fn remind_postmortem(mut self) -> Outcome {
        let deadline = &self.engine.config.postmortem;
        let overdue_contact = deadline
            .notify_when_overdue
            .as_deref()
            .and_then(|role| contact(self.escalation(), role));
        let now = self.engine.now();
        let decides = self.read(|i| due_now(i, deadline, now).is_some()).await;
        if decides {
            let decided = self
                .edit_saved(|i, now| decide(i, deadline, overdue_contact.as_ref(), now))
                .await;
            if let Err((_, err)) = decided {
                self.store_failed(&err);
                return self.done();
            }
        }
        if self
            .read(|i| !i.automation().outbox.notices.is_empty())
            .await
        {
            self.deliver_due().await;
        }
        self.done()
    }
}
