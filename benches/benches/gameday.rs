//! A whole game day on the fakes, in virtual time: how long a 40-minute incident takes to run
//! as a test.
#![allow(missing_docs)]

// The benches' allocator (`cato_runbook_benches::GLOBAL`).
use cato_runbook_benches as _;
use std::hint::black_box;
use std::path::Path;

use cato_runbook_mock::gameday::{GameDay, RunbookRegistry, Scenario};
use criterion::{Criterion, criterion_group, criterion_main};

fn scenario(name: &str) -> Option<Scenario> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(format!("{name}.toml"));
    Scenario::load(path).ok()
}

fn gameday(c: &mut Criterion) {
    let runner = GameDay::new(RunbookRegistry::catalog(Default::default()));
    let mut group = c.benchmark_group("gameday");
    group.sample_size(20);
    for name in [
        "shadow-self-down--restart-works",
        "shadow-self-down--ladder-exhausted",
        "interaction--cache-miss-spike-under-latency",
    ] {
        let Some(scenario) = scenario(name) else {
            continue;
        };
        group.bench_function(name, |b| {
            b.iter(|| black_box(runner.run_blocking(&scenario, Some(7)).map(|r| r.passed)))
        });
    }
    group.finish();
}

criterion_group!(benches, gameday);
criterion_main!(benches);
