//! The domain model's hot paths: assessing severity, appending to a timeline, and saving an
//! incident (serialising it).
#![allow(missing_docs)]

// The benches' allocator (`cato_runbook_benches::GLOBAL`).
use cato_runbook_benches as _;
use std::hint::black_box;
use std::time::Duration;

use cato_runbook_core::incident::NewIncident;
use cato_runbook_core::{Actor, EntryKind, Impact, Incident, Severity};
use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};

fn model(c: &mut Criterion) {
    let impacts: Vec<Impact> = (0..=100)
        .map(|p| Impact::degraded(f64::from(p) / 100.0))
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    c.bench_function("severity_assess_101_impacts", |b| {
        b.iter(|| {
            for impact in &impacts {
                black_box(Severity::assess(black_box(impact)));
            }
        })
    });

    let t0 = Utc
        .with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
        .single()
        .unwrap_or_default();
    let open = || {
        Incident::open(
            NewIncident {
                id: "INC-1".into(),
                runbook: "high-latency".into(),
                resource: "cato-shadow-self".into(),
                title: "High latency".into(),
                impact: Impact::outage(),
                severity: None,
            },
            t0,
            Actor::Engine,
        )
    };
    c.bench_function("incident_100_notes", |b| {
        b.iter(|| {
            let mut inc = open();
            for i in 0..100u64 {
                inc.note(t0 + Duration::from_secs(i), Actor::Engine, "tick");
            }
            black_box(inc)
        })
    });

    let mut inc = open();
    for i in 0..100u64 {
        let _ = inc.record(
            t0 + Duration::from_secs(i),
            Actor::Engine,
            EntryKind::MitigationSkipped {
                step: "scale".into(),
                reason: "cooldown".into(),
            },
            "",
        );
    }
    c.bench_function("incident_serialise_100_entries", |b| {
        b.iter(|| black_box(serde_json::to_vec(black_box(&inc)).map(|v| v.len())))
    });
}

criterion_group!(benches, model);
criterion_main!(benches);
