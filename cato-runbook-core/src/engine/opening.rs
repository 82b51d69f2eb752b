//! Opening an incident on a dedup key: create-if-absent in the store, or adopting the one open
//! on it; in memory when the store cannot answer.

use super::Inner;
use super::report::{TickEvent, TickReport};
use super::state::Cell;
use crate::error::{ErrorKind, Result};
use crate::incident::{Incident, IncidentId, NewIncident};
use crate::ports::Created;
use crate::runbook::Observation;
use crate::severity::Impact;
use crate::time::Timestamp;
use crate::timeline::{Actor, EntryKind};

/// How many taken ids opening an incident skips before it gives up.
const ID_TRIES: usize = 1000;

impl Inner {
    /// Opens an incident on `key` by create-if-absent, or adopts the one already open on it
    /// (another replica's, or an earlier term's).
    pub(super) async fn open(
        &self,
        key: usize,
        impact: Impact,
        first_seen: Timestamp,
        results: &[Result<Observation>],
        now: Timestamp,
        report: &mut TickReport,
    ) -> Option<Cell> {
        let slot = &self.keys[key];
        let (runbook_id, severity) = match slot.runbook {
            Some(index) => {
                let runbook = &self.runbooks[index];
                (runbook.id.clone(), runbook.severity.severity(&impact))
            }
            None => (
                super::state::BLIND_RUNBOOK.into(),
                super::state::blind_severity(
                    self.config.blind_severity,
                    slot.blinds.map(|i| &self.runbooks[i]),
                ),
            ),
        };
        let build = |id: IncidentId| {
            let mut incident = Incident::open(
                NewIncident {
                    id,
                    runbook: runbook_id.clone(),
                    resource: slot.resource.clone(),
                    title: slot.title.clone(),
                    impact,
                    severity: Some(severity),
                },
                now,
                Actor::Engine,
            );
            for (detector, result) in self.detectors.iter().zip(results) {
                let summary = match result {
                    Ok(Observation::Symptom(s)) if detector.key == key => s.summary.clone(),
                    Err(err) if detector.blind == key => err.to_string(),
                    _ => continue,
                };
                let actor = Actor::Detector(detector.detector.name().to_owned());
                // Only lifecycle entries are refused by `record`; this one is not.
                let _ = incident.record(first_seen, actor, EntryKind::SymptomObserved, summary);
            }
            incident
        };
        // Create-if-absent: an incident another replica (or an earlier term) opened on this key
        // is adopted, never duplicated; an id the store holds already is skipped.
        for _ in 0..ID_TRIES {
            let id = self.next_id(now).await;
            let incident = build(id.clone());
            let created = self
                .store_call(
                    "store.create",
                    id.as_str(),
                    self.store.create(&incident, self.own_fence()),
                )
                .await;
            match created {
                Ok(Created::Created) => {
                    report.events.push(TickEvent::Opened {
                        incident: id,
                        severity: incident.severity(),
                    });
                    return Some(Cell::new(incident, 1));
                }
                Ok(Created::Exists(stored)) => {
                    tracing::debug!(key = %slot.dedup, incident = %stored.value.id(), "adopting the open incident on this key");
                    return Some(Cell::new(stored.value, stored.version));
                }
                Err(err) if err.kind() == ErrorKind::Conflict => continue,
                Err(err) if err.kind() == ErrorKind::Fenced => {
                    // Another replica leads: it opens the incident.
                    self.depose(&err);
                    return None;
                }
                Err(err) => {
                    // Fail open: the incident opens in memory (people hear of it) and is
                    // created when the store answers again; an incident another replica opened
                    // on the key meanwhile wins then.
                    // An id of this replica's own: the store could not say which are taken.
                    let id = IncidentId::new(format!("{id}-{}", self.lease.replica()));
                    let incident = build(id.clone());
                    tracing::error!(key = %slot.dedup, incident = %id, error = %err, "the store cannot answer; the incident opens in memory until it does");
                    super::telemetry::store_unavailable("create");
                    report.events.push(TickEvent::StoreUnavailable {
                        what: slot.dedup.to_string(),
                        error: err.to_string(),
                    });
                    report.events.push(TickEvent::StoreFailed {
                        incident: id.clone(),
                        error: err.to_string(),
                    });
                    report.events.push(TickEvent::Opened {
                        incident: id,
                        severity: incident.severity(),
                    });
                    let cell = Cell::new(incident, 0);
                    cell.set_unsaved(true);
                    return Some(cell);
                }
            }
        }
        tracing::error!(key = %slot.dedup, "no free incident id found");
        None
    }

    /// The next id of the day, `INC-YYYYMMDD-NNNN`, not in the table.
    pub(super) async fn next_id(&self, now: Timestamp) -> IncidentId {
        let mut table = self.table.lock().await;
        loop {
            table.seq += 1;
            let id = IncidentId::new(format!("INC-{}-{:04}", now.format("%Y%m%d"), table.seq));
            if !table.incidents.contains_key(&id) {
                return id;
            }
        }
    }
}
