//! The incident store per incident: a compare-and-swap save (`update` at the version read),
//! and a save that loses its race (a stale version, refused), on the in-memory store and on
//! SQLite (a file in WAL mode, `synchronous = FULL`: one fsync per save); plus the cost of the
//! create-if-absent that opens an incident.
#![allow(
    missing_docs,
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used
)]

// The benches' allocator (`cato_runbook_benches::GLOBAL`).
use cato_runbook_benches as _;
use std::hint::black_box;
use std::sync::Arc;

use cato_runbook_aws::sqlite::SqliteIncidentStore;
use cato_runbook_core::incident::NewIncident;
use cato_runbook_core::ports::{Fence, InMemoryIncidentStore, IncidentStore};
use cato_runbook_core::{Actor, Impact, Incident, IncidentId};
use criterion::{Criterion, criterion_group, criterion_main};

/// An incident with a timeline of 20 entries, about what one holds mid-incident.
fn incident(n: u64) -> Incident {
    let at = chrono::DateTime::UNIX_EPOCH;
    let mut incident = Incident::open(
        NewIncident {
            id: IncidentId::new(format!("INC-BENCH-{n:08}")),
            runbook: "shadow-self-down".into(),
            resource: format!("cato-shadow-self-{n}"),
            title: "Shadow Self endpoint down".into(),
            impact: Impact::outage(),
            severity: None,
        },
        at,
        Actor::Engine,
    );
    for i in 0..19 {
        incident.note(at, Actor::Engine, format!("note {i}"));
    }
    incident
}

fn stores() -> Vec<(
    &'static str,
    Arc<dyn IncidentStore>,
    Option<tempfile::TempDir>,
)> {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteIncidentStore::open(dir.path().join("bench.db")).unwrap();
    vec![
        ("in-memory", Arc::new(InMemoryIncidentStore::new()), None),
        ("sqlite", Arc::new(sqlite), Some(dir)),
    ]
}

fn store(c: &mut Criterion) {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().build() else {
        return;
    };
    let mut group = c.benchmark_group("store");
    for (name, store, _dir) in stores() {
        let subject = incident(0);
        rt.block_on(store.create(&subject, Fence(0))).unwrap();
        let mut version = 1;
        group.bench_function(format!("{name}/update"), |b| {
            b.iter(|| {
                version = rt
                    .block_on(store.update(black_box(&subject), version, Fence(0)))
                    .unwrap();
            });
        });
        group.bench_function(format!("{name}/update_conflict"), |b| {
            b.iter(|| {
                let stale = rt.block_on(store.update(black_box(&subject), 0, Fence(0)));
                assert!(stale.is_err());
            });
        });
        let mut n = 1;
        group.bench_function(format!("{name}/create"), |b| {
            b.iter(|| {
                rt.block_on(store.create(&incident(n), Fence(0))).unwrap();
                n += 1;
            });
        });
    }
    group.finish();
}

criterion_group!(benches, store);
criterion_main!(benches);
