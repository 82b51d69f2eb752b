//! Crashes and other writers: a step found *applying* is settled by reading the resource; the
//! outbox delivers a page until the pager takes it; a save that finds the record changed
//! re-reads it and re-applies its change.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::engine::{Mode, Policy};
use cato_runbook_core::incident::StepPhase;
use cato_runbook_core::ports::{
    Created, Fence, Guardrails, InMemoryIncidentStore, IncidentStore, Stored,
};
use cato_runbook_core::runbook::Runbook;
use cato_runbook_core::{Actor, Incident, IncidentId, Result};

use crate::support::*;

fn runbook(detector: &Arc<FakeDetector>, step: &Arc<FakeStep>) -> Runbook {
    Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
        .detector(detector.clone())
        .step(step.clone())
        .build()
        .unwrap()
}

/// Runs an engine until its step was applied, then leaves the stored incident as a crash
/// between the call and its record would: the step *applying*. Returns the store.
async fn crashed_while_applying(
    detector: &Arc<FakeDetector>,
    step: &Arc<FakeStep>,
) -> Arc<InMemoryIncidentStore> {
    let h = Setup::new(runbook(detector, step), Policy::with_mode(Mode::Auto)).build();
    detector.outage();
    h.tick().await;
    h.tick().await;
    assert!(calls(&step.log).contains(&"apply:restart".to_owned()));
    let stored = h.store.open().await.unwrap().remove(0);
    let mut incident = stored.value;
    let run = incident.automation_mut().step.as_mut().unwrap();
    run.phase = StepPhase::Applying {
        at: h.now(),
        fence: Fence(0),
    };
    h.store
        .update(&incident, stored.version, Fence(0))
        .await
        .unwrap();
    step.log.lock().unwrap().clear();
    h.store.clone()
}

fn restarted(
    store: &Arc<InMemoryIncidentStore>,
    detector: &Arc<FakeDetector>,
    step: &Arc<FakeStep>,
) -> Harness {
    let mut setup = Setup::new(runbook(detector, step), Policy::with_mode(Mode::Auto));
    setup.store = store.clone();
    setup.build()
}

#[tokio::test(start_paused = true)]
async fn a_step_found_applying_whose_change_cannot_be_read_is_verified_not_applied_again() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let step = FakeStep::new("restart", &log).arc();
    let store = crashed_while_applying(&detector, &step).await;
    let h = restarted(&store, &detector, &step);
    h.tick().await;
    assert!(
        calls(&log).is_empty(),
        "not read while the call may still be on its way"
    );
    h.tick_after(mins(5)).await;
    assert_eq!(calls(&log), ["landed:restart"], "read, not applied again");
    let incident = h.only().await;
    let unknown = details(&incident, "mitigation_unknown");
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert!(
        unknown[0].contains("was being applied (by fence 0)"),
        "{unknown:?}"
    );
    h.tick_after(mins(5)).await;
    assert_eq!(calls(&log)[1], "verify:restart", "the verification decides");
}

#[tokio::test(start_paused = true)]
async fn a_step_found_applying_whose_change_is_in_place_is_recorded_applied() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let step = FakeStep::new("restart", &log).reads_back().arc();
    let store = crashed_while_applying(&detector, &step).await;
    let h = restarted(&store, &detector, &step);
    h.tick_after(mins(5)).await;
    assert_eq!(calls(&log), ["landed:restart"]);
    let incident = h.only().await;
    let applied = details(&incident, "mitigation_applied");
    assert_eq!(
        applied.len(),
        2,
        "the first apply and the recovery: {applied:?}"
    );
    assert!(
        applied[1].ends_with("the change is in place"),
        "{applied:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_step_found_applying_whose_change_did_not_land_is_applied_again_with_the_same_plan() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let step = FakeStep::new("restart", &log).reads_back().arc();
    let store = crashed_while_applying(&detector, &step).await;
    *step.applied.lock().unwrap() = false; // the call never reached the endpoint
    let keys_before = step.keys.lock().unwrap().clone();
    let h = restarted(&store, &detector, &step);
    h.tick_after(mins(5)).await;
    assert_eq!(calls(&log), ["landed:restart", "apply:restart"]);
    let keys = step.keys.lock().unwrap().clone();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[1], keys_before[0], "the same idempotency key");
    assert!(
        calls(&log).iter().all(|c| c != "plan:restart"),
        "never planned again"
    );
}

#[tokio::test(start_paused = true)]
async fn an_undelivered_page_waits_in_the_outbox_and_is_retried_until_the_pager_takes_it() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let step = FakeStep::new("restart", &log).arc();
    let h = Setup::new(runbook(&detector, &step), Policy::with_mode(Mode::Auto)).build();
    h.pager.fail.store(true, Ordering::SeqCst);
    detector.outage();
    h.tick().await;
    h.tick().await;
    for _ in 0..4 {
        h.tick_after(Duration::from_secs(30)).await;
    }
    let incident = h.only().await;
    let failed = details(&incident, "notification_failed");
    assert!(failed.len() >= 3, "tried again and again: {failed:?}");
    assert!(failed[0].contains("(try 1; again in"), "{failed:?}");
    assert!(!incident.automation().paged);
    assert_eq!(incident.automation().outbox.notices.len(), 1);

    h.pager.fail.store(false, Ordering::SeqCst);
    h.tick_after(mins(2)).await;
    let incident = h.only().await;
    assert!(incident.automation().paged, "delivered at last");
    assert!(incident.automation().outbox.notices.is_empty());
    assert_eq!(h.pager.targets(), ["on-call"]);
}

#[tokio::test(start_paused = true)]
async fn a_notice_whose_delivery_is_unknown_is_held_not_posted_twice() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let step = FakeStep::new("restart", &log).arc();
    let h = Setup::new(runbook(&detector, &step), Policy::with_mode(Mode::Auto)).build();
    h.chat.lose_answer.store(true, Ordering::SeqCst);
    detector.outage();
    h.tick().await;
    h.tick().await;
    for _ in 0..4 {
        h.tick_after(Duration::from_secs(30)).await;
    }
    let first = h.chat.texts().first().cloned().unwrap();
    let times = h.chat.texts().iter().filter(|t| **t == first).count();
    assert_eq!(times, 1, "posted once: {:?}", h.chat.texts());
    let incident = h.only().await;
    let failed = details(&incident, "notification_failed");
    assert!(
        failed.iter().any(|f| f.contains("held, not sent again")),
        "{failed:?}"
    );
    assert!(
        incident
            .automation()
            .outbox
            .notices
            .iter()
            .all(|n| n.summary != first),
        "not waiting to be sent again"
    );
}

/// A store where another writer (a person on another replica) changes the incident right
/// before each of the engine's first `races` updates, so that each of them finds a newer
/// version.
#[derive(Debug, Default)]
struct RacedStore {
    inner: InMemoryIncidentStore,
    races: std::sync::atomic::AtomicUsize,
    armed: AtomicBool,
}

impl std::fmt::Display for RacedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("raced store")
    }
}

#[async_trait]
impl IncidentStore for RacedStore {
    async fn create(&self, incident: &Incident, fence: Fence) -> Result<Created> {
        self.inner.create(incident, fence).await
    }
    async fn update(&self, incident: &Incident, version: u64, fence: Fence) -> Result<u64> {
        if self.armed.load(Ordering::SeqCst) && self.races.load(Ordering::SeqCst) > 0 {
            self.races.fetch_sub(1, Ordering::SeqCst);
            if let Some(stored) = self.inner.get(incident.id()).await? {
                let mut theirs = stored.value;
                theirs.note(
                    theirs.detected_at(),
                    Actor::person("bob"),
                    "seen from replica b",
                );
                self.inner.update(&theirs, stored.version, fence).await?;
            }
        }
        self.inner.update(incident, version, fence).await
    }
    async fn get(&self, id: &IncidentId) -> Result<Option<Stored<Incident>>> {
        self.inner.get(id).await
    }
    async fn open(&self) -> Result<Vec<Stored<Incident>>> {
        self.inner.open().await
    }
    async fn all(&self) -> Result<Vec<Incident>> {
        self.inner.all().await
    }
    async fn guardrails(&self) -> Result<Stored<Guardrails>> {
        self.inner.guardrails().await
    }
    async fn save_guardrails(&self, g: &Guardrails, version: u64, fence: Fence) -> Result<u64> {
        self.inner.save_guardrails(g, version, fence).await
    }
}

#[tokio::test(start_paused = true)]
async fn a_save_that_finds_the_record_changed_re_reads_it_and_keeps_both_changes() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let step = FakeStep::new("restart", &log).arc();
    let store = Arc::new(RacedStore::default());
    let mut setup = Setup::new(runbook(&detector, &step), Policy::with_mode(Mode::Auto));
    setup.other_store = Some(store.clone());
    let h = setup.build();
    detector.outage();
    h.tick().await;
    store.races.store(3, Ordering::SeqCst);
    store.armed.store(true, Ordering::SeqCst);
    h.tick().await;
    let incident = store.all().await.unwrap().remove(0);
    let bob = incident
        .timeline()
        .iter()
        .filter(|e| e.detail == "seen from replica b")
        .count();
    assert_eq!(bob, 3, "every foreign change kept");
    assert!(
        incident.timeline().first("mitigation_applied").is_some(),
        "and the engine's own, re-applied on top"
    );
    assert_eq!(
        calls(&log),
        ["plan:restart", "apply:restart"],
        "applied once"
    );
}
