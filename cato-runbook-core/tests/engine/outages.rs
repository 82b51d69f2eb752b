//! Store and lease outages are loud — a tick event, a metric, a log at error level — and
//! never quietly stop incidents from opening; without a lease no step runs.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::ErrorKind;
use cato_runbook_core::engine::{Mode, Policy, TickEvent};
use cato_runbook_core::ports::IncidentStore;
use cato_runbook_core::runbook::Runbook;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};

use crate::support::*;

/// Runs `test` on a paused current-thread runtime with `recorder` as this thread's metrics
/// recorder.
fn with_metrics(recorder: &DebuggingRecorder, test: impl std::future::Future<Output = ()>) {
    metrics::with_local_recorder(recorder, || {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap()
            .block_on(test);
    });
}

fn counter(recorder: &DebuggingRecorder, name: &str) -> u64 {
    recorder
        .snapshotter()
        .snapshot()
        .into_vec()
        .into_iter()
        .filter(|(key, ..)| key.key().name() == name)
        .map(|(.., value)| match value {
            DebugValue::Counter(n) => n,
            _ => 0,
        })
        .sum()
}

#[test]
fn a_lease_outage_is_loud_and_the_incident_still_opens_and_pages_but_no_step_runs() {
    let recorder = DebuggingRecorder::new();
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let step = FakeStep::new("restart", &log).arc();
    with_metrics(&recorder, async {
        let rb = Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
            .detector(detector.clone())
            .step(step.clone())
            .build()
            .unwrap();
        let mut setup = Setup::new(rb, Policy::with_mode(Mode::Auto));
        setup.lease = Some(Arc::new(FixedLease::down()));
        let h = setup.build();
        detector.outage();
        let mut loud = 0;
        for _ in 0..4 {
            let report = h.tick_after(Duration::from_secs(30)).await;
            loud += report
                .events
                .iter()
                .filter(|e| matches!(e, TickEvent::LeaseUnavailable { error } if error.contains("lease table unavailable")))
                .count();
        }
        assert_eq!(loud, 4, "every tick says so");
        assert_eq!(h.incidents().await.len(), 1, "the incident opened");
        assert_eq!(h.pager.targets(), ["on-call"], "and paged");
        assert!(
            calls(&log).is_empty(),
            "no step without a lease: {:?}",
            calls(&log)
        );
    });
    assert_eq!(
        counter(&recorder, "cato_runbook_lease_unavailable_total"),
        4
    );
}

#[test]
fn a_store_outage_counts_on_its_metric() {
    let recorder = DebuggingRecorder::new();
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    with_metrics(&recorder, async {
        let store = Arc::new(FlakyStore::default());
        let rb = Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
            .detector(detector.clone())
            .build()
            .unwrap();
        let mut setup = Setup::new(rb, Policy::with_mode(Mode::Auto));
        setup.other_store = Some(store.clone());
        let h = setup.build();
        store.fail.store(true, std::sync::atomic::Ordering::SeqCst);
        detector.outage();
        h.tick().await;
        h.tick().await;
        assert_eq!(h.engine.operator().open_incidents().await.unwrap().len(), 1);
    });
    assert!(counter(&recorder, "cato_runbook_store_unavailable_total") >= 1);
}

#[tokio::test(start_paused = true)]
async fn a_store_down_from_the_start_still_opens_and_pages_then_stores_the_incident() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let store = Arc::new(FlakyStore::default());
    store.fail.store(true, std::sync::atomic::Ordering::SeqCst);
    store
        .fail_reads
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let rb = Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
        .detector(detector.clone())
        .step(FakeStep::new("restart", &log).arc())
        .build()
        .unwrap();
    let mut setup = Setup::new(rb, Policy::with_mode(Mode::Auto));
    setup.other_store = Some(store.clone());
    let h = setup.build();
    detector.outage();
    let first = h.tick().await;
    assert!(
        first
            .events
            .iter()
            .any(|e| matches!(e, TickEvent::StoreUnavailable { what, .. } if what == "open"))
    );
    h.tick_after(Duration::from_secs(30)).await;
    assert_eq!(
        h.pager.targets(),
        ["on-call"],
        "paged while the store is down"
    );
    assert!(
        calls(&log).is_empty(),
        "no step: its intent cannot be saved, nor the term's fence"
    );
    assert!(store.inner.all().await.unwrap().is_empty());

    store.fail.store(false, std::sync::atomic::Ordering::SeqCst);
    store
        .fail_reads
        .store(false, std::sync::atomic::Ordering::SeqCst);
    for _ in 0..3 {
        h.tick_after(Duration::from_secs(30)).await;
    }
    let stored = store.inner.all().await.unwrap();
    assert_eq!(stored.len(), 1, "created once the store answers");
    assert!(stored[0].automation().paged);
    assert_eq!(h.pager.targets(), ["on-call"], "not paged twice");
}

#[tokio::test(start_paused = true)]
async fn a_step_runs_under_its_leaders_fence_and_the_store_keeps_it() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let step = FakeStep::new("restart", &log).arc();
    let rb = Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
        .detector(detector.clone())
        .step(step.clone())
        .build()
        .unwrap();
    let mut setup = Setup::new(rb, Policy::with_mode(Mode::Auto));
    setup.lease = Some(Arc::new(FixedLease::leads_at(7)));
    let h = setup.build();
    detector.outage();
    h.tick().await;
    h.tick().await;
    assert_eq!(
        *step.fences.lock().unwrap(),
        [7],
        "the step is told its leader's fence"
    );
    // The store took fence 7: a write with an older one is refused.
    let stored = h.store.open().await.unwrap().remove(0);
    let refused = h
        .store
        .update(
            &stored.value,
            stored.version,
            cato_runbook_core::ports::Fence(6),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Fenced, "{refused}");
}

#[tokio::test(start_paused = true)]
async fn an_incident_opened_in_memory_is_merged_into_the_one_another_replica_opened() {
    use cato_runbook_core::incident::NewIncident;
    use cato_runbook_core::ports::{Fence, IncidentStore};
    use cato_runbook_core::{Actor, Impact, Incident, IncidentId};

    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let store = Arc::new(FlakyStore::default());
    let rb = Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
        .detector(detector.clone())
        .build()
        .unwrap();
    let mut setup = Setup::new(rb, Policy::with_mode(Mode::Auto));
    setup.other_store = Some(store.clone());
    let h = setup.build();
    // This replica cannot write: its incident opens in memory, and pages.
    store.fail.store(true, std::sync::atomic::Ordering::SeqCst);
    detector.outage();
    h.tick().await;
    h.tick_after(Duration::from_secs(30)).await;
    let ours = h.engine.operator().open_incidents().await.unwrap();
    assert_eq!(ours.len(), 1);
    let our_id = ours[0].id().clone();
    assert!(
        our_id.as_str().ends_with("-alone"),
        "an id of its own: {our_id}"
    );
    assert_eq!(h.pager.targets(), ["on-call"]);
    // Meanwhile another replica opened the incident on the same key.
    let theirs = Incident::open(
        NewIncident {
            id: IncidentId::new("INC-20260301-0001"),
            runbook: "shadow-self-down".into(),
            resource: "cato-shadow-self".into(),
            title: "Shadow Self endpoint down".into(),
            impact: Impact::outage(),
            severity: None,
        },
        h.now(),
        Actor::Engine,
    );
    store.inner.create(&theirs, Fence(0)).await.unwrap();

    store.fail.store(false, std::sync::atomic::Ordering::SeqCst);
    h.tick_after(Duration::from_secs(30)).await;
    let open = store.inner.open().await.unwrap();
    assert_eq!(open.len(), 1, "one incident on the key");
    let kept = &open[0].value;
    assert_eq!(kept.id(), theirs.id());
    assert!(
        kept.timeline().iter().any(|e| e
            .detail
            .starts_with(&format!("{our_id} was opened on this key"))),
        "the merge is on the timeline"
    );
    let operator_view = h.engine.operator().open_incidents().await.unwrap();
    assert_eq!(
        operator_view
            .iter()
            .map(|i| i.id().clone())
            .collect::<Vec<_>>(),
        [theirs.id().clone()],
        "this replica follows the incident that stays"
    );
    assert_eq!(
        *h.pager.resolves.lock().unwrap(),
        [("on-call".to_owned(), our_id.to_string())],
        "the merged incident's page is resolved"
    );
}
