//! The post-incident deadline: the runbook's "blameless postmortem within 48 hours".
//!
//! At resolution the incident's postmortem is given its due date (resolution +
//! [`PostmortemDeadline::due_after`]). While none is attached, the leader posts a reminder in
//! the incident's own chat thread at [`PostmortemDeadline::remind_after`], and an overdue note
//! (thread and timeline; also to a contact, when [`PostmortemDeadline::notify_when_overdue`]
//! names one) once the deadline passes. Each is decided once: saved in the incident's outbox
//! under compare-and-swap and the leader's fence before it is sent, so neither a restart nor
//! another replica posts it again, and a post chat refused is retried until taken.
//!
//! # How resolved incidents are visited
//!
//! The store's sparse index of open incidents, which the leader reads at every tick, leaves
//! resolved ones out, and reading every incident at every tick would cost the table's whole
//! history. So the leader keeps a small watch list in memory: the resolved incidents still
//! without a postmortem, each with the moment it is next due (the reminder, the deadline, a
//! retry). It is loaded once per term ([`IncidentStore::awaiting_postmortem`]), joined by every
//! incident the leader sees resolve, and between those moments costs no store call at all; at
//! its moment an incident is read on its own (one `get`), so a close on another replica is
//! seen then. An incident leaves the list once closed, or once its overdue note is delivered.
//!
//! [`IncidentStore::awaiting_postmortem`]: crate::ports::IncidentStore::awaiting_postmortem

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Inner;
use super::job::Job;
use super::report::{TickEvent, TickReport};
use super::state::{Cell, Verdict};
use crate::error::{Error, Result};
use crate::incident::{Incident, IncidentId, Status};
use crate::ports::Fence;
use crate::time::{self, Timestamp};

/// When the postmortem is due, and who hears of it before and after.
///
/// ```
/// use cato_runbook_core::engine::PostmortemDeadline;
/// use std::time::Duration;
///
/// let deadline: PostmortemDeadline = serde_json::from_str(r#"{ "due_after": "72h" }"#)?;
/// assert_eq!(deadline.due_after, Duration::from_secs(72 * 3600));
/// assert_eq!(deadline.remind_after, Duration::from_secs(24 * 3600));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct PostmortemDeadline {
    /// How long after resolution the postmortem is due: above 0s, at most 90 days. Default 48 h.
    #[serde(with = "humantime_serde")]
    pub due_after: Duration,
    /// How long after resolution the incident's thread is reminded while no postmortem is
    /// attached; less than `due_after`. Default 24 h.
    #[serde(with = "humantime_serde")]
    pub remind_after: Duration,
    /// A role of the escalation contacts (`Engineering Lead`, the on-call engineer's role) also
    /// told when the postmortem is overdue, by its contact's reach; nobody by default.
    pub notify_when_overdue: Option<String>,
}

impl Default for PostmortemDeadline {
    fn default() -> Self {
        PostmortemDeadline {
            due_after: crate::incident::POSTMORTEM_DUE_AFTER,
            remind_after: Duration::from_secs(24 * 3600),
            notify_when_overdue: None,
        }
    }
}

/// The latest a postmortem may fall due: a quarter after the incident.
const MAX_DUE_AFTER: Duration = Duration::from_secs(90 * 24 * 3600);

impl PostmortemDeadline {
    /// Checks the settings against the escalation's contacts.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the key: a zero
    /// `due_after`, a `remind_after` not before it, a role no contact has.
    pub fn validate(&self, escalation: &super::Escalation) -> Result<()> {
        const OP: &str = "engine.config";
        if self.due_after.is_zero() {
            return Err(Error::invalid_input(
                OP,
                "engine.postmortem.due_after: must be more than 0",
            ));
        }
        if let Err(why) = crate::bounds::duration(self.due_after, Duration::ZERO, MAX_DUE_AFTER) {
            return Err(Error::invalid_input(
                OP,
                format!("engine.postmortem.due_after: {why}"),
            ));
        }
        if self.remind_after.is_zero() || self.remind_after >= self.due_after {
            return Err(Error::invalid_input(
                OP,
                "engine.postmortem.remind_after: must be more than 0 and less than due_after",
            ));
        }
        if let Some(role) = &self.notify_when_overdue
            && contact(escalation, role).is_none()
        {
            return Err(Error::invalid_input(
                OP,
                format!(
                    "engine.postmortem.notify_when_overdue: no escalation contact has the role {role:?}"
                ),
            ));
        }
        Ok(())
    }

    /// When the reminder and the deadline fall for `incident`, once resolved.
    pub(super) fn moments(&self, incident: &Incident) -> Option<(Timestamp, Timestamp)> {
        let resolved = incident.phases().resolved?;
        let due = incident
            .automation()
            .postmortem
            .due
            .unwrap_or_else(|| time::add(resolved, self.due_after));
        Some((time::add(resolved, self.remind_after), due))
    }

    /// The next moment the leader looks at `incident` again; none once nothing is left to do.
    pub(super) fn next_look(&self, incident: &Incident) -> Option<Timestamp> {
        if incident.status() != Status::Resolved {
            return None;
        }
        let (remind_at, due) = self.moments(incident)?;
        let automation = incident.automation();
        let watch = &automation.postmortem;
        [
            automation.outbox.next_due(),
            (!watch.reminded && !watch.overdue).then_some(remind_at),
            (!watch.overdue).then_some(due),
        ]
        .into_iter()
        .flatten()
        .min()
    }
}

/// The contact of `role` among the escalation's.
pub(super) fn contact(escalation: &super::Escalation, role: &str) -> Option<super::Contact> {
    std::iter::once(&escalation.on_call)
        .chain(escalation.levels.iter().map(|level| &level.contact))
        .find(|c| c.role == role)
        .cloned()
}

/// The leader's watch list of resolved incidents awaiting their postmortem.
#[derive(Debug, Default)]
pub(super) struct Watch {
    /// The term it was loaded in: a new term loads it again.
    loaded: Option<Fence>,
    /// Each incident and the moment it is next looked at.
    next: BTreeMap<IncidentId, Timestamp>,
}

impl Inner {
    fn watch(&self) -> std::sync::MutexGuard<'_, Watch> {
        self.postmortems
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Forgets `id` (its postmortem is attached).
    pub(super) fn unwatch(&self, id: &IncidentId) {
        self.watch().next.remove(id);
    }

    /// The leader's share of the post-incident deadline in one tick: the watch list loaded
    /// once per term, joined by the incidents resolved in the table, and each incident whose
    /// moment came visited.
    pub(super) async fn watch_postmortems(&self, report: &mut TickReport) {
        let fence = self.own_fence();
        if self.watch().loaded != Some(fence) && !self.load_watch(fence, report).await {
            return;
        }
        let deadline = &self.config.postmortem;
        let mut held = BTreeSet::new();
        let mut resolved = Vec::new();
        {
            let table = self.table.lock().await;
            for (id, cell) in &table.incidents {
                held.insert(id.clone());
                let incident = cell.lock().await;
                if let Some(at) = deadline.next_look(&incident) {
                    resolved.push((id.clone(), at));
                }
            }
        }
        let now = self.now();
        let due: Vec<IncidentId> = {
            let mut watch = self.watch();
            for (id, at) in resolved {
                watch.next.entry(id).or_insert(at);
            }
            // The table's copy is being worked on: it is visited once it leaves the table.
            watch
                .next
                .iter()
                .filter(|(id, at)| **at <= now && !held.contains(*id))
                .map(|(id, _)| id.clone())
                .collect()
        };
        for id in due {
            let next = self.visit_postmortem(&id, report).await;
            let mut watch = self.watch();
            match next {
                Some(at) => watch.next.insert(id, at),
                None => watch.next.remove(&id),
            };
        }
    }

    /// Loads the watch list from the store; false when the store cannot answer (loaded at the
    /// next tick).
    async fn load_watch(&self, fence: Fence, report: &mut TickReport) -> bool {
        let awaiting = self
            .store_call(
                "store.awaiting_postmortem",
                "incidents",
                self.store.awaiting_postmortem(),
            )
            .await;
        match awaiting {
            Ok(awaiting) => {
                let deadline = &self.config.postmortem;
                let mut watch = self.watch();
                watch.next = awaiting
                    .iter()
                    .filter_map(|s| Some((s.value.id().clone(), deadline.next_look(&s.value)?)))
                    .collect();
                watch.loaded = Some(fence);
                true
            }
            Err(err) => {
                tracing::error!(error = %err, "the store cannot list the incidents awaiting their postmortem");
                super::telemetry::store_unavailable("postmortems");
                report.events.push(TickEvent::StoreUnavailable {
                    what: "postmortems".into(),
                    error: err.to_string(),
                });
                false
            }
        }
    }

    /// Reads `id` and lets its job decide and deliver what is due; returns when to look again
    /// (none: closed, or nothing left to do).
    async fn visit_postmortem(
        &self,
        id: &IncidentId,
        report: &mut TickReport,
    ) -> Option<Timestamp> {
        let stored = match self.get_stored(id).await {
            Ok(Some(stored)) => stored,
            Ok(None) => return None,
            // Read again at the next tick.
            Err(_) => return Some(self.now()),
        };
        if stored.value.status() != Status::Resolved {
            return None;
        }
        let cell = Cell::new(stored.value, stored.version);
        let job = Job::attach(self, cell.clone(), Verdict::Unwatched).await;
        report.events.extend(job.remind_postmortem().await.events);
        if cell.is_unsaved() {
            // The decision is not in the store: decided again, on a fresh read, next tick.
            return Some(self.now());
        }
        let incident = cell.snapshot().await;
        self.config.postmortem.next_look(&incident)
    }
}
