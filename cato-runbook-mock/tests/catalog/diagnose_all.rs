//! Every runbook's diagnoses at once (`runbook::diagnose_all`): on paused time, with the same
//! latency on every call, the whole takes the longest chain of dependent calls, not the sum.

use std::time::Duration;

use cato_runbook_core::IncidentId;
use cato_runbook_core::catalog::{self, CatalogConfig};
use cato_runbook_core::runbook::{Diagnosed, Runbook, diagnose_all};
use cato_runbook_mock::{CallRecord, OpMatch, World};

/// What every call of the fakes waits before it answers.
const LATENCY: Duration = Duration::from_millis(20);

/// A world whose every call takes [`LATENCY`], and the catalog's runbooks `ids` on its ports.
fn slow_world(ids: &[&str]) -> (World, Vec<Runbook>) {
    let world = World::default();
    world.faults().on(OpMatch::Any).latency(LATENCY);
    let providers = world.ports("diagnose").providers(world.clock_handle());
    let runbooks = ids
        .iter()
        .map(|id| catalog::build(id, &providers, &CatalogConfig::default()).unwrap())
        .collect();
    (world, runbooks)
}

/// Diagnoses `runbooks` at once on their own resources; returns what they found and the
/// virtual time it took.
async fn diagnose(world: &World, runbooks: &[Runbook]) -> (Vec<Diagnosed>, Duration) {
    let resources: Vec<String> = runbooks
        .iter()
        .map(|r| r.detectors()[0].resource().to_owned())
        .collect();
    let targets: Vec<(&Runbook, &str)> = runbooks
        .iter()
        .zip(&resources)
        .map(|(r, res)| (r, res.as_str()))
        .collect();
    let clock = world.clock();
    let started = clock.elapsed();
    let found = diagnose_all(
        &clock,
        Duration::from_secs(60),
        &IncidentId::new("ASK-1"),
        &targets,
    )
    .await;
    (found, clock.elapsed() - started)
}

/// The longest chain of dependent calls in `calls`: every call waits [`LATENCY`], so a call
/// that starts `k` latencies after the first is the `k+1`-th of its chain.
fn longest_chain(calls: &[CallRecord]) -> u32 {
    let first = calls.iter().map(|c| c.at).min().unwrap();
    let latency = chrono::TimeDelta::from_std(LATENCY).unwrap();
    calls
        .iter()
        .map(|c| {
            u32::try_from((c.at - first).num_milliseconds() / latency.num_milliseconds()).unwrap()
                + 1
        })
        .max()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn six_runbooks_diagnosed_at_once_take_the_longest_chain_not_the_sum() {
    let ids: Vec<&str> = catalog::entries().iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), 6);

    let mut alone = Vec::new();
    for id in &ids {
        let (world, runbooks) = slow_world(&[id]);
        let (found, took) = diagnose(&world, &runbooks).await;
        assert!(
            found[0].failures.is_empty(),
            "{id}: {:?}",
            found[0].failures
        );
        assert!(!found[0].findings.is_empty(), "{id} found nothing");
        assert_eq!(took, LATENCY * longest_chain(&world.calls().all()), "{id}");
        alone.push(took);
    }

    let (world, runbooks) = slow_world(&ids);
    let (found, took) = diagnose(&world, &runbooks).await;
    let order: Vec<&str> = found.iter().map(|d| d.runbook.as_str()).collect();
    assert_eq!(order, ids, "one answer per runbook, in the catalog's order");
    for d in &found {
        assert!(d.failures.is_empty(), "{}: {:?}", d.runbook, d.failures);
    }

    let calls = world.calls().all();
    let chain = LATENCY * longest_chain(&calls);
    let sum = LATENCY * u32::try_from(calls.len()).unwrap();
    assert_eq!(took, chain, "the critical path");
    assert_eq!(Some(&took), alone.iter().max(), "the slowest runbook's");
    assert!(took < alone.iter().sum(), "{took:?} vs alone {alone:?}");
    assert!(took * 4 < sum, "{took:?} vs the sum of calls {sum:?}");
}

#[tokio::test(start_paused = true)]
async fn a_diagnosis_that_hangs_fails_alone_at_the_limit() {
    let (world, runbooks) = slow_world(&["shadow-self-down", "high-latency"]);
    world.faults().clear();
    world
        .faults()
        .on(OpMatch::port("endpoint").unwrap())
        .fault(cato_runbook_mock::Fault::Hang {});
    let (found, took) = diagnose(&world, &runbooks).await;
    assert_eq!(took, Duration::from_secs(60), "bounded by the limit");
    assert!(
        found.iter().any(|d| !d.failures.is_empty()),
        "a hung endpoint call fails its diagnosis: {found:?}"
    );
    assert!(
        found.iter().all(|d| !d.findings.is_empty()),
        "the other diagnoses' findings stand: {found:?}"
    );
}
