//! The deterministic simulation of replicas: 5 engines over one store and one lease, under
//! 1,000 seeded schedules of crashes, pauses, partitions and writes racing the leader's. A failing seed prints its report;
//! replay it alone with `CATO_SIM_SEED=<seed>`. `CATO_SIM_SEEDS=<n>` runs more (or fewer).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cato_runbook_core::catalog::CatalogConfig;
use cato_runbook_mock::config::CrashCause;
use cato_runbook_mock::sim::{SimReport, Simulation, Violation};
use cato_runbook_mock::{World, WorldChange};

const REPLICAS: usize = 5;
const SEEDS: u64 = 1000;

/// One schedule: the Shadow Self endpoint loses its instances (SEV1: a page, a restart).
fn schedule(seed: u64) -> SimReport {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    runtime.block_on(async {
        let world = World::default();
        world
            .apply(WorldChange::EndpointLosesInstances {
                endpoint: "cato-shadow-self".into(),
                cause: CrashCause::CrashLoop,
            })
            .unwrap();
        Simulation::on(&world, seed)
            .catalog(&["shadow-self-down"], &CatalogConfig::default())
            .replicas(REPLICAS)
            .expect_incident("shadow-self-down")
            .run()
            .await
            .unwrap()
    })
}

fn seeds() -> Vec<u64> {
    if let Some(seed) = std::env::var("CATO_SIM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return vec![seed];
    }
    let count = std::env::var("CATO_SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEEDS);
    (0..count).collect()
}

#[test]
fn five_replicas_keep_every_invariant_under_a_thousand_schedules() {
    let seeds = seeds();
    let halves: Vec<Vec<u64>> = vec![
        seeds.iter().copied().filter(|s| s % 2 == 0).collect(),
        seeds.iter().copied().filter(|s| s % 2 == 1).collect(),
    ];
    let reports: Vec<SimReport> = std::thread::scope(|scope| {
        let handles: Vec<_> = halves
            .into_iter()
            .map(|half| scope.spawn(move || half.into_iter().map(schedule).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let failed: Vec<&SimReport> = reports
        .iter()
        .filter(|r| !r.violations.is_empty())
        .collect();
    for report in &failed {
        eprintln!(
            "{report}\n  replay: CATO_SIM_SEED={} cargo test -p cato-runbook-mock --test simulation",
            report.seed
        );
    }
    assert!(
        failed.is_empty(),
        "{} of {} schedules broke an invariant",
        failed.len(),
        reports.len()
    );
    // The schedules did what they are for.
    let total = |f: fn(&SimReport) -> u32| reports.iter().map(f).sum::<u32>();
    if reports.len() >= 100 {
        assert!(
            total(|r| r.crashes) > 100,
            "crashes: {}",
            total(|r| r.crashes)
        );
        assert!(total(|r| r.partitions) > 100);
        assert!(total(|r| r.pauses) > 50);
        assert!(
            total(|r| r.conflicts) > reports.len() as u32,
            "writes racing the leader's: more than one per schedule"
        );
        assert!(
            total(|r| r.terms) > reports.len() as u32,
            "failovers happened"
        );
    }
}

#[test]
fn a_seed_replays_the_same_schedule() {
    let (a, b) = (schedule(42), schedule(42));
    assert_eq!(
        (
            a.crashes,
            a.pauses,
            a.partitions,
            a.conflicts,
            a.terms,
            a.step_calls
        ),
        (
            b.crashes,
            b.pauses,
            b.partitions,
            b.conflicts,
            b.terms,
            b.step_calls
        )
    );
    assert!(a.step_calls > 0, "the restart ran: {a}");
}

#[tokio::test(start_paused = true)]
async fn a_change_repeated_under_one_key_is_caught_even_when_the_fake_deduplicates_it() {
    use cato_runbook_core::IdempotencyKey;
    use cato_runbook_core::ports::ModelEndpoint;
    let world = World::default();
    let endpoint = world.model_endpoint();
    let key = IdempotencyKey::new("INC-1:scale-endpoint");
    for _ in 0..2 {
        endpoint
            .set_instance_count("cato-shadow-self", "primary", 4, &key)
            .await
            .unwrap();
    }
    let report = Simulation::on(&world, 1)
        .catalog(&["shadow-self-down"], &CatalogConfig::default())
        .replicas(2)
        .steps(1, 0)
        .run()
        .await
        .unwrap();
    assert!(
        report
            .violations
            .iter()
            .any(|v| matches!(v, Violation::AppliedTwice { times: 2, .. })),
        "{report}"
    );
}

#[tokio::test(start_paused = true)]
async fn replicas_that_each_think_they_are_alone_still_act_once_through_compare_and_swap() {
    // No shared lease: every replica leads. Create-if-absent gives them one incident, and the
    // step's write-ahead intent, under compare-and-swap, lets one of them apply it.
    let world = World::default();
    world
        .apply(WorldChange::EndpointLosesInstances {
            endpoint: "cato-shadow-self".into(),
            cause: CrashCause::CrashLoop,
        })
        .unwrap();
    let report = Simulation::on(&world, 1)
        .catalog(&["shadow-self-down"], &CatalogConfig::default())
        .replicas(3)
        .without_shared_lease()
        .chaos(cato_runbook_mock::sim::Chaos {
            crash: 0.0,
            restart: 0.0,
            pause: 0.0,
            partition: 0.0,
            conflict: 0.0,
        })
        .steps(10, 0)
        .run()
        .await
        .unwrap();
    assert!(report.violations.is_empty(), "{report}");
    assert_eq!(report.step_calls, 1, "{report}");
}
