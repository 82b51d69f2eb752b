//! A notice its provider did not take. It stays in the outbox and is tried again, by the kind
//! of its error:
//!
//! - a passing fault (transient, throttled): after a back-off on the clock (the engine's retry
//!   policy, at most its longest delay apart), each failure on the timeline;
//! - a permanent one (a credential refused, a channel that does not exist): said once on the
//!   timeline and in the log, then tried again only every [`UNDELIVERABLE_RETRY`] (or the
//!   policy's longest delay, if longer) until a person fixes the cause; an on-call page so
//!   refused is said in the incident's thread, and escalation goes on;
//! - a delivery unknown (`DeliveryUnknown`: a chat post or a mail sent and never answered):
//!   held, out of the outbox and on the timeline, never sent again (it may have landed). The
//!   pager's acknowledgement, which the pager takes twice as once, is tried again instead.

use tracing::{debug, warn};

use super::Job;
use crate::error::{Error, ErrorKind, Retry};
use crate::incident::{Notice, NoticeKind, UNDELIVERABLE_RETRY};
use crate::time::{self, HumanDuration};
use crate::timeline::{Actor, EntryKind};

impl Job<'_> {
    /// Records the failed delivery of `notice` to `target` over `channel`, and when it is
    /// tried again.
    pub(super) async fn not_taken(
        &mut self,
        notice: Notice,
        err: &Error,
        channel: String,
        target: String,
    ) {
        crate::engine::telemetry::notification_failed(&channel);
        let what = what(&notice);
        let kind = EntryKind::NotificationFailed { channel, target };
        if err.kind() == ErrorKind::DeliveryUnknown && notice.kind != NoticeKind::Acknowledge {
            self.held(&notice, err, &what, kind).await;
        } else if err.is_retryable() {
            self.retried(&notice, err, &what, kind).await;
        } else {
            self.undeliverable(&notice, err, &what, kind).await;
        }
    }

    /// It may have landed: sending it again could deliver it twice. It is held — out of the
    /// outbox, on the timeline for the operators to check.
    async fn held(&mut self, notice: &Notice, err: &Error, what: &str, kind: EntryKind) {
        self.edit(|i, now| {
            if i.automation_mut().outbox.take(notice.id).is_none() {
                return;
            }
            let EntryKind::NotificationFailed { channel, target } = &kind else {
                return;
            };
            let detail =
                format!("{what}: {err} (held, not sent again: check {channel} {target} for it)");
            let _ = i.record(now, Actor::Engine, kind.clone(), detail);
        })
        .await;
    }

    /// A passing fault: tried again after the policy's back-off.
    async fn retried(&mut self, notice: &Notice, err: &Error, what: &str, kind: EntryKind) {
        let retry = &self.engine.config.retry;
        let throttled = err.retry() == Retry::Throttled;
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
            // It may be taken now: a later refusal for good is said again.
            waiting.undeliverable = None;
            let wait = retry.delay(waiting.attempts, throttled);
            waiting.next_at = time::add(now, wait);
            let attempts = waiting.attempts;
            let act = if err.kind().needs_a_person() {
                "a person must act; "
            } else {
                ""
            };
            let detail = format!(
                "{what}: {err} (try {attempts}; {act}again in {})",
                HumanDuration(wait)
            );
            let _ = i.record(now, Actor::Engine, kind.clone(), detail);
        })
        .await;
    }

    /// Refused for good: kept, tried again on the slow schedule, said once.
    async fn undeliverable(&mut self, notice: &Notice, err: &Error, what: &str, kind: EntryKind) {
        let wait = UNDELIVERABLE_RETRY.max(self.engine.config.retry.max_delay);
        let page_text = format!(
            "{}: the on-call page cannot be delivered ({err}); escalation goes on",
            self.id
        );
        let first = self
            .edit(|i, now| {
                let Some(waiting) = i
                    .automation_mut()
                    .outbox
                    .notices
                    .iter_mut()
                    .find(|n| n.id == notice.id)
                else {
                    return false;
                };
                waiting.attempts += 1;
                waiting.next_at = time::add(now, wait);
                let first = waiting.undeliverable.is_none();
                waiting.undeliverable = Some(err.to_string());
                if !first {
                    return false;
                }
                let detail = format!(
                    "{what}: cannot be delivered: {err} ({}; a person must act; tried again every {} while the incident is open)",
                    err.retry(),
                    HumanDuration(wait)
                );
                let _ = i.record(now, Actor::Engine, kind.clone(), detail);
                if notice.kind == NoticeKind::Page {
                    // The thread hears of it: people there can call the on-call engineer.
                    i.automation_mut().outbox.queue(
                        NoticeKind::Update,
                        None,
                        page_text.clone(),
                        now,
                    );
                }
                true
            })
            .await;
        if first {
            warn!(incident = %self.id, notice = what, error = %err, retry_in = %HumanDuration(wait), "a notification cannot be delivered");
        } else {
            debug!(incident = %self.id, notice = what, error = %err, "a notification still cannot be delivered");
        }
    }
}

/// What a notice is, for the timeline: the contact's role (`chat` for the incident channel),
/// and for the pager's acknowledgement, that it is one.
fn what(notice: &Notice) -> String {
    let role = notice.contact.as_ref().map_or("chat", |c| c.role.as_str());
    match notice.kind {
        NoticeKind::Acknowledge => format!("{role} (the page's acknowledgement)"),
        _ => role.to_owned(),
    }
}
