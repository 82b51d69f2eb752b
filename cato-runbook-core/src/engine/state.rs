//! What the engine keeps in memory between ticks: the signal table and its incidents.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::incident::{DedupKey, Incident, IncidentId};
use crate::runbook::Detector;
use crate::runbook::SeverityRule;
use crate::severity::{Impact, Severity};
use crate::time::Timestamp;

/// An incident shared between its reconciles, the tick and the operator API.
///
/// Its lock is never held across a call to a provider or the store: the holder reads or edits
/// it and lets go; [`Inner::persist`](super::Inner::persist) then saves a snapshot. Saves of one
/// incident take turns (`saving`, the one lock held across a store call: only this incident's
/// next save waits for it), each writing a snapshot taken in its turn, so that a slower save
/// never overwrites a newer one. The cell knows the version of the store's record its copy
/// is based on: a save names it, and a save that finds another (someone wrote meanwhile) is
/// re-read and its change re-applied (see `Job::edit`).
///
/// Each incident has two lanes, each running one reconcile at a time: *watch* (severity,
/// announcement, escalation and the response-time SLA: notifications only) and *act*
/// (diagnosis, resolution, temporary steps, the ladder: the provider calls). A reconcile that
/// hangs holds its own lane and nothing else.
#[derive(Clone)]
pub(super) struct Cell(Arc<CellInner>);

struct CellInner {
    incident: tokio::sync::Mutex<Incident>,
    saving: tokio::sync::Mutex<()>,
    watching: AtomicBool,
    acting: AtomicBool,
    /// Whether the last save failed: the incident is kept (and saved again) until one succeeds.
    unsaved: AtomicBool,
    /// The version of the stored record the copy is based on.
    version: AtomicU64,
    /// Bumped each time the copy is replaced by the store's record: a change made on the
    /// copy before a replacement is applied again, not saved lost.
    generation: AtomicU64,
}

/// One of an incident's two lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lane {
    /// Severity, announcement, escalation, the SLA.
    Watch,
    /// Diagnosis, resolution, temporary steps, the ladder.
    Act,
}

/// A lane taken by a reconcile; given back when dropped (also when the reconcile is cancelled).
pub(super) struct Busy {
    cell: Cell,
    lane: Lane,
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.cell.flag(self.lane).store(false, Ordering::Release);
    }
}

impl Cell {
    /// The incident as stored at `version`.
    pub(super) fn new(incident: Incident, version: u64) -> Self {
        Cell(Arc::new(CellInner {
            incident: tokio::sync::Mutex::new(incident),
            saving: tokio::sync::Mutex::new(()),
            watching: AtomicBool::new(false),
            acting: AtomicBool::new(false),
            unsaved: AtomicBool::new(false),
            version: AtomicU64::new(version),
            generation: AtomicU64::new(0),
        }))
    }

    /// How many times the copy was replaced (read it under the incident's lock, with the
    /// change it guards).
    pub(super) fn generation(&self) -> u64 {
        self.0.generation.load(Ordering::Acquire)
    }

    /// The version of the stored record the copy is based on.
    pub(super) fn version(&self) -> u64 {
        self.0.version.load(Ordering::Acquire)
    }

    /// Records the version a save wrote.
    pub(super) fn set_version(&self, version: u64) {
        self.0.version.store(version, Ordering::Release);
    }

    /// Replaces the copy with the record as stored at `version` (another writer's), in the
    /// save turn held by the caller.
    pub(super) async fn replace(&self, incident: Incident, version: u64) {
        let mut copy = self.0.incident.lock().await;
        *copy = incident;
        self.0.generation.fetch_add(1, Ordering::AcqRel);
        self.set_version(version);
        self.set_unsaved(false);
    }

    /// The incident, for a short read or edit.
    pub(super) async fn lock(&self) -> tokio::sync::MutexGuard<'_, Incident> {
        self.0.incident.lock().await
    }

    /// A copy of the incident as it is now.
    pub(super) async fn snapshot(&self) -> Incident {
        self.0.incident.lock().await.clone()
    }

    /// Waits for this incident's turn to save.
    pub(super) async fn save_turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.0.saving.lock().await
    }

    fn flag(&self, lane: Lane) -> &AtomicBool {
        match lane {
            Lane::Watch => &self.0.watching,
            Lane::Act => &self.0.acting,
        }
    }

    /// Takes `lane`, unless a reconcile still runs in it.
    pub(super) fn take(&self, lane: Lane) -> Option<Busy> {
        let taken = self
            .flag(lane)
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        taken.then(|| Busy {
            cell: self.clone(),
            lane,
        })
    }

    /// Records whether the last save failed.
    pub(super) fn set_unsaved(&self, unsaved: bool) {
        self.0.unsaved.store(unsaved, Ordering::Release);
    }

    /// Whether the last save failed.
    pub(super) fn is_unsaved(&self) -> bool {
        self.0.unsaved.load(Ordering::Acquire)
    }

    /// Whether a reconcile runs in `lane`.
    pub(super) fn is_busy(&self, lane: Lane) -> bool {
        self.flag(lane).load(Ordering::Acquire)
    }
}

/// The runbook id of "monitoring is blind" incidents.
pub(super) const BLIND_RUNBOOK: &str = "monitoring-blind";

/// The severity of a "monitoring is blind" incident: the configured one, raised to SEV2 (it
/// pages) when the runbook it cannot look for is a SEV1 runbook — not knowing whether Shadow
/// Self is down is worth waking someone, without claiming an outage nobody has seen.
pub(super) fn blind_severity(
    configured: Severity,
    blinds: Option<&crate::runbook::Runbook>,
) -> Severity {
    match blinds.map(|r| r.severity) {
        Some(SeverityRule::AtLeast(Severity::Sev1)) => configured.max(Severity::Sev2),
        _ => configured,
    }
}

/// One detector, wired to its signal key and its "blind" key.
pub(super) struct DetectorSlot {
    pub(super) runbook: usize,
    pub(super) detector: Arc<dyn Detector>,
    pub(super) key: usize,
    pub(super) blind: usize,
}

/// One dedup key: a runbook and a resource (or a detector, for "monitoring is blind").
pub(super) struct KeySlot {
    /// The runbook, or `None` for a "monitoring is blind" key.
    pub(super) runbook: Option<usize>,
    /// For a "monitoring is blind" key, the runbook it cannot look for.
    pub(super) blinds: Option<usize>,
    pub(super) resource: String,
    pub(super) dedup: DedupKey,
    pub(super) title: String,
    pub(super) open_after: u32,
    pub(super) resolve_after: u32,
}

/// A key's streaks and its open incident.
#[derive(Debug, Default, Clone)]
pub(super) struct KeyState {
    pub(super) bad: u32,
    /// When the current streak of bad observations began.
    pub(super) first_bad: Option<Timestamp>,
    pub(super) good: u32,
    pub(super) incident: Option<IncidentId>,
}

/// What a key's detectors said in one tick.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Tally {
    pub(super) worst: Option<Impact>,
    pub(super) unknown: bool,
    pub(super) seen: bool,
}

/// A key's verdict for one tick, as an incident's handler sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Verdict {
    /// A symptom, with the worst impact seen.
    Bad(Impact),
    /// Every detector answered healthy; `streak` good ticks in a row, `needed` to resolve.
    Good { streak: u32, needed: u32 },
    /// A detector could not tell.
    Unknown,
    /// No detector watches this incident's key (e.g. its runbook was removed).
    Unwatched,
}

/// The in-memory table the tick folds observations into.
#[derive(Default)]
pub(super) struct Table {
    pub(super) loaded: bool,
    pub(super) keys: Vec<KeyState>,
    pub(super) tallies: Vec<Tally>,
    pub(super) incidents: BTreeMap<IncidentId, Cell>,
    pub(super) seq: u32,
}
