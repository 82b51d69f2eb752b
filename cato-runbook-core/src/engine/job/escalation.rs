//! Escalation timers and the response-time SLA.

use super::Job;
use crate::engine::contacts::Contact;
use crate::engine::report::TickEvent;
use crate::incident::NoticeKind;
use crate::time::{self, HumanDuration};
use crate::timeline::{Actor, EntryKind};

impl Job<'_> {
    /// Escalates an unacknowledged incident to every level that is due, and records a breach
    /// of the severity's response time.
    pub(super) async fn escalate(&mut self) {
        let now = self.engine.now();
        let (acknowledged, severity, title, detected, escalated, breached, overdue) = self
            .read(|i| {
                (
                    i.phases().acknowledged.is_some(),
                    i.severity(),
                    i.title().to_owned(),
                    i.detected_at(),
                    i.automation().escalated.clone(),
                    i.automation().sla_breached,
                    i.response_overdue(now),
                )
            })
            .await;
        if !acknowledged {
            let due: Vec<_> = self
                .escalation()
                .levels
                .iter()
                .filter(|level| {
                    level.applies_to(severity)
                        && !escalated.contains(&level.contact.role)
                        && now >= time::add(detected, level.after)
                })
                .map(|level| (level.contact.clone(), level.after))
                .collect();
            for (contact, after) in due {
                let summary = format!(
                    "{severity} {title} ({}): not acknowledged after {}",
                    self.id,
                    HumanDuration(after)
                );
                self.escalate_to(&contact, summary).await;
            }
        }
        if !breached && overdue {
            let detail = format!(
                "no acknowledgement within {} ({severity})",
                HumanDuration(severity.response_time())
            );
            self.edit(|i, now| {
                let _ = i.record(now, Actor::Engine, EntryKind::SlaBreached, detail.clone());
                i.automation_mut().sla_breached = true;
            })
            .await;
            self.events.push(TickEvent::SlaBreached {
                incident: self.id.clone(),
            });
            self.say(format!(
                "response time of {severity} ({}) breached",
                HumanDuration(severity.response_time())
            ))
            .await;
        }
    }

    /// Tells `contact` (once per role): the escalation is decided on and saved in the
    /// outbox, then delivered; its `escalated` entry lands on the timeline once delivered.
    pub(super) async fn escalate_to(&mut self, contact: &Contact, summary: String) {
        let role = contact.role.clone();
        let fresh = self.read(|i| !i.automation().escalated_to(&role)).await;
        if !fresh {
            return;
        }
        self.queue(NoticeKind::Escalate, Some(contact.clone()), summary, |i| {
            let automation = i.automation_mut();
            if !automation.escalated_to(&role) {
                automation.escalated.push(role.clone());
            }
        })
        .await;
        self.deliver_due().await;
    }
}
