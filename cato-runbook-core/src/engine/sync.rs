//! The leader's copy of the open incidents, and how it follows the store: loaded once per
//! term, then brought up to date at every tick, as a controller's informer resyncs — a person
//! acting on another replica (an approval, a resolution) writes the store, and the leader reads
//! the change at its next tick.

use super::Inner;
use super::report::TickEvent;
use super::state::{Cell, Tally};
use crate::call;
use crate::error::Result;
use crate::incident::IncidentId;
use crate::ports::Created;
use crate::timeline::Actor;

impl Inner {
    /// Loads the open incidents from the store, once. The store is read without the table's
    /// lock; a second caller that loaded meanwhile wins.
    pub(super) async fn ensure_loaded(&self) -> Result<()> {
        if self.table.lock().await.loaded {
            return Ok(());
        }
        let open = self
            .store_call("store.open", "incidents", self.store.open())
            .await?;
        let mut table = self.table.lock().await;
        if table.loaded {
            return Ok(());
        }
        self.init_keys(&mut table);
        let today = self.now().format("INC-%Y%m%d-").to_string();
        for stored in open {
            let incident = stored.value;
            let id = incident.id().clone();
            if let Some(&key) = self.key_index.get(incident.dedup_key()) {
                table.keys[key].incident = Some(id.clone());
            }
            // Today's ids go on from the greatest open one (create-if-absent skips taken ones).
            if let Some(seq) = id
                .as_str()
                .strip_prefix(&today)
                .and_then(|n| n.parse().ok())
            {
                table.seq = table.seq.max(seq);
            }
            match table.incidents.get(&id).cloned() {
                // Kept from an earlier term (a reconcile still running, a save not yet
                // written): its copy follows the store's record when that is newer.
                Some(cell) => {
                    if cell.version() != 0 && stored.version > cell.version() {
                        cell.replace(incident, stored.version).await;
                    }
                }
                None => {
                    table
                        .incidents
                        .insert(id, Cell::new(incident, stored.version));
                }
            }
        }
        // Incidents opened in memory while the store could not answer keep their keys (one
        // another replica opened on the same key meanwhile wins at the next sync).
        let kept: Vec<(IncidentId, Cell)> = table
            .incidents
            .iter()
            .map(|(id, cell)| (id.clone(), cell.clone()))
            .collect();
        for (id, cell) in kept {
            let incident = cell.lock().await;
            if !incident.is_open() {
                continue;
            }
            if let Some(&key) = self.key_index.get(incident.dedup_key())
                && table.keys[key].incident.is_none()
            {
                table.keys[key].incident = Some(id);
            }
        }
        table.loaded = true;
        Ok(())
    }

    /// Sets up the key table once (a later load keeps the streaks, and the incidents opened in
    /// memory while the store could not answer).
    pub(super) fn init_keys(&self, table: &mut super::state::Table) {
        if table.keys.len() != self.keys.len() {
            table.keys = vec![Default::default(); self.keys.len()];
            table.tallies = vec![Tally::default(); self.keys.len()];
        }
    }

    /// Brings every cell up to date with the store: a record written by someone else since
    /// the cell's copy (a greater version) replaces the copy, in the cell's save turn; an
    /// incident no longer open in the store is read on its own. A store that cannot answer
    /// leaves the copies as they are, loudly.
    pub(super) async fn sync_incidents(&self, events: &mut Vec<TickEvent>) {
        let open = self
            .store_call(
                "store.open_versions",
                "incidents",
                self.store.open_versions(),
            )
            .await;
        let open = match open {
            Ok(open) => open,
            Err(err) => {
                tracing::error!(error = %err, "the store cannot list the open incidents");
                super::telemetry::store_unavailable("open");
                events.push(TickEvent::StoreUnavailable {
                    what: "open".into(),
                    error: err.to_string(),
                });
                return;
            }
        };
        let cells: Vec<(crate::IncidentId, Cell)> = {
            let table = self.table.lock().await;
            table
                .incidents
                .iter()
                .map(|(id, cell)| (id.clone(), cell.clone()))
                .collect()
        };
        let mut versions: std::collections::HashMap<_, _> = open.into_iter().collect();
        for (id, cell) in cells {
            if cell.version() == 0 {
                self.create_or_merge(&id, &cell).await;
                continue;
            }
            let changed = match versions.remove(&id) {
                Some(version) => version > cell.version(),
                // Resolved elsewhere, or gone: read it.
                None => cell.lock().await.is_open(),
            };
            if !changed {
                continue;
            }
            let Some(newer) = self.read_one(&id).await else {
                continue;
            };
            let _turn = cell.save_turn().await;
            if newer.version > cell.version() {
                tracing::debug!(incident = %id, version = newer.version, "changed in the store by another writer");
                cell.replace(newer.value, newer.version).await;
            }
        }
        // Open in the store, unknown here (declared on another replica, or adopted late).
        for (id, _) in versions {
            let Some(stored) = self.read_one(&id).await else {
                continue;
            };
            let mut table = self.table.lock().await;
            if let Some(&key) = self.key_index.get(stored.value.dedup_key()) {
                table.keys[key].incident = Some(id.clone());
            }
            table
                .incidents
                .entry(id)
                .or_insert_with(|| Cell::new(stored.value, stored.version));
        }
    }

    /// The store's record of `id`; none when the store cannot answer (the next tick reads
    /// again).
    async fn read_one(
        &self,
        id: &crate::IncidentId,
    ) -> Option<crate::ports::Stored<crate::Incident>> {
        self.get_stored(id).await.ok().flatten()
    }

    /// An incident opened in memory while the store could not answer: created now, or, when
    /// another incident opened on its key meanwhile, merged into that one (a note records
    /// what this replica told people), so that a key never keeps two open incidents.
    async fn create_or_merge(&self, id: &crate::IncidentId, cell: &Cell) {
        let incident = cell.snapshot().await;
        let created = self
            .store_call(
                "store.create",
                id.as_str(),
                self.store.create(&incident, self.own_fence()),
            )
            .await;
        let theirs = match created {
            Ok(Created::Created) => {
                cell.set_version(1);
                cell.set_unsaved(false);
                return;
            }
            Ok(Created::Exists(theirs)) => theirs,
            Err(err) => {
                tracing::error!(incident = %id, error = %err, "the incident opened in memory is not stored yet");
                return;
            }
        };
        let told: Vec<String> = incident
            .timeline()
            .with_label("notified")
            .map(|e| e.detail.clone())
            .collect();
        let note = format!(
            "{id} was opened on this key by {} while the store could not answer, and merged here; it had: {}",
            self.lease.replica(),
            if told.is_empty() {
                "told nobody".to_owned()
            } else {
                told.join("; ")
            }
        );
        let waiting = incident.automation().outbox.notices.clone();
        let now = self.now();
        // Under compare-and-swap: the note, and the notices still waiting (a page the other
        // incident has not sent yet), land on the incident that stays.
        let mut stored = *theirs;
        let (merged, version) = loop {
            let mut merged = stored.value.clone();
            merged.note(now, Actor::Engine, note.clone());
            for notice in &waiting {
                let automation = merged.automation_mut();
                let sent = match notice.kind {
                    crate::incident::NoticeKind::Announce => automation.announced,
                    crate::incident::NoticeKind::Page => automation.paged,
                    // Only a resolved incident has these, and it is never merged.
                    crate::incident::NoticeKind::Postmortem => true,
                    // What people did on the merged incident was said in its own thread.
                    crate::incident::NoticeKind::Update => true,
                    // The other incident's page carries its own key: a person acknowledges
                    // the incident that stays, which acknowledges its page.
                    crate::incident::NoticeKind::Acknowledge => true,
                    crate::incident::NoticeKind::Escalate => notice
                        .contact
                        .as_ref()
                        .is_some_and(|c| automation.escalated_to(&c.role)),
                };
                let role = notice.contact.as_ref().map(|c| c.role.as_str());
                if !sent && !automation.outbox.waits(notice.kind, role) {
                    automation.outbox.queue(
                        notice.kind,
                        notice.contact.clone(),
                        notice.summary.clone(),
                        now,
                    );
                }
            }
            let updated = self
                .store_call(
                    "store.update",
                    merged.id().as_str(),
                    self.store.update(&merged, stored.version, self.own_fence()),
                )
                .await;
            match updated {
                Ok(version) => break (merged, version),
                Err(err) if err.kind() == crate::ErrorKind::Conflict => {
                    match self.read_one(merged.id()).await {
                        Some(again) if again.value.is_open() => stored = again,
                        _ => return, // Resolved meanwhile: the next sync creates ours.
                    }
                }
                Err(err) => {
                    tracing::error!(incident = %id, into = %merged.id(), error = %err, "the merge is not stored yet; tried again at the next tick");
                    return;
                }
            }
        };
        if incident.automation().paged {
            // The page went out under this incident's id: it is settled on the one that stays.
            let target = self.config.escalation.on_call.reach.target().to_owned();
            let resolved = call::timed(
                self.clock.as_ref(),
                self.config.timeouts.call,
                "pager.resolve",
                &target,
                self.notifiers.pager.resolve(&target, id.as_str()),
            )
            .await;
            if let Err(err) = resolved {
                tracing::warn!(incident = %id, error = %err, "could not resolve the merged incident's page");
            }
        }
        tracing::warn!(incident = %id, into = %merged.id(), "merged into the incident open on the same key");
        let mut table = self.table.lock().await;
        table.incidents.remove(id);
        let into = merged.id().clone();
        if let Some(&key) = self.key_index.get(merged.dedup_key()) {
            table.keys[key].incident = Some(into.clone());
        }
        table
            .incidents
            .entry(into)
            .or_insert_with(|| Cell::new(merged, version));
    }
}
