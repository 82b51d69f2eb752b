//! Replicas on one world: standbys cost the providers nothing, a standby takes over within
//! about one lease ttl of the leader stopping, and people act through any replica.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]

use std::time::Duration;

use cato_runbook_core::catalog::{self, CatalogConfig};
use cato_runbook_core::engine::{Engine, EngineConfig, Mode, Policy, TickEvent};
use cato_runbook_core::ports::Clock;
use cato_runbook_mock::config::CrashCause;
use cato_runbook_mock::{Op, World, WorldChange};

const TICK: Duration = Duration::from_secs(30);
const RUNBOOKS: [&str; 6] = [
    "shadow-self-down",
    "high-latency",
    "cache-miss-spike",
    "bedrock-throttling",
    "dynamodb-hot-partition",
    "budget-exceeded",
];

fn config() -> EngineConfig {
    let mut config = EngineConfig::default();
    config.tick_interval = TICK;
    config.lease_ttl = TICK * 3;
    config
}

fn replica(world: &World, name: &str, policy: Policy) -> Engine {
    let ports = world.ports(name);
    let providers = ports.providers(world.clock_handle());
    let runbooks = RUNBOOKS
        .iter()
        .map(|id| catalog::build(id, &providers, &CatalogConfig::default()).unwrap())
        .collect::<Vec<_>>();
    world
        .engine_builder(&ports)
        .runbooks(runbooks)
        .policy(policy)
        .config(config())
        .build()
        .unwrap()
}

/// Provider calls (the lease's and the store's left out) and lease calls over `ticks` ticks of
/// every engine, after a first tick that settles who leads.
async fn calls_per_tick(world: &World, engines: &[Engine], ticks: u32) -> (f64, f64) {
    for engine in engines {
        engine.tick().await.unwrap();
    }
    world.clock_handle().sleep(TICK).await;
    let before = world.calls().all().len();
    for _ in 0..ticks {
        for engine in engines {
            engine.tick().await.unwrap();
        }
        world.clock_handle().sleep(TICK).await;
    }
    let calls = world.calls().all().split_off(before);
    let own = ["lease", "incident_store"];
    let providers = calls.iter().filter(|c| !own.contains(&c.op.port())).count();
    let lease = calls.iter().filter(|c| c.op.port() == "lease").count();
    (
        providers as f64 / f64::from(ticks),
        lease as f64 / f64::from(ticks),
    )
}

#[tokio::test(start_paused = true)]
async fn fifty_replicas_cost_the_provider_calls_of_one() {
    let one = World::default();
    let alone = [replica(&one, "replica-0", Policy::default())];
    let (calls_one, lease_one) = calls_per_tick(&one, &alone, 5).await;

    let fifty = World::default();
    let engines: Vec<Engine> = (0..50)
        .map(|n| replica(&fifty, &format!("replica-{n}"), Policy::default()))
        .collect();
    let (calls_fifty, lease_fifty) = calls_per_tick(&fifty, &engines, 5).await;

    println!(
        "provider calls per tick: {calls_one} with 1 replica, {calls_fifty} with 50; lease calls {lease_one} and {lease_fifty}"
    );
    assert!(calls_one > 0.0);
    assert_eq!(calls_fifty, calls_one, "standbys run no detector");
    assert_eq!((lease_one, lease_fifty), (1.0, 50.0), "one renewal each");
}

#[tokio::test(start_paused = true)]
async fn a_standby_takes_over_within_one_lease_ttl_and_carries_the_incident_on() {
    let world = World::default();
    world
        .apply(WorldChange::EndpointLosesInstances {
            endpoint: "cato-shadow-self".into(),
            cause: CrashCause::CrashLoop,
        })
        .unwrap();
    let (a, b) = (
        replica(&world, "replica-a", Policy::with_mode(Mode::Auto)),
        replica(&world, "replica-b", Policy::with_mode(Mode::Auto)),
    );
    for _ in 0..4 {
        a.tick().await.unwrap();
        assert!(b.tick().await.unwrap().standby.is_some());
        world.clock_handle().sleep(TICK).await;
    }
    let opened = world.calls().of(Op::IncidentStoreCreate).len();
    assert_eq!(opened, 1);
    // The leader stops (a crash: it never releases its lease).
    a.crash();
    drop(a);
    let stopped = world.now();
    let mut took_over = None;
    for _ in 0..10 {
        let report = b.tick().await.unwrap();
        if report
            .events
            .iter()
            .any(|e| matches!(e, TickEvent::Leading { .. }))
        {
            took_over = Some(world.now());
            break;
        }
        world.clock_handle().sleep(TICK).await;
    }
    let took_over = took_over.expect("the standby took over");
    let failover = (took_over - stopped).to_std().unwrap();
    println!(
        "failover: {}s after the leader stopped (lease ttl 90s, tick 30s)",
        failover.as_secs()
    );
    assert!(
        failover <= TICK * 3 + TICK,
        "within a lease ttl and a tick: {failover:?}"
    );
    for _ in 0..4 {
        b.tick().await.unwrap();
        world.clock_handle().sleep(TICK).await;
    }
    assert_eq!(
        world.calls().of(Op::IncidentStoreCreate).len(),
        opened,
        "the same incident, not a second"
    );
}

#[tokio::test(start_paused = true)]
async fn an_approval_given_on_a_standby_is_applied_by_the_leader() {
    let world = World::default();
    world
        .apply(WorldChange::EndpointLosesInstances {
            endpoint: "cato-shadow-self".into(),
            cause: CrashCause::CrashLoop,
        })
        .unwrap();
    let mut policy = Policy::with_mode(Mode::Auto);
    policy.approval.risk_at_least = Some(cato_runbook_core::runbook::Risk::Low);
    let (a, b) = (
        replica(&world, "replica-a", policy.clone()),
        replica(&world, "replica-b", policy),
    );
    let mut pending = None;
    for _ in 0..6 {
        a.tick().await.unwrap();
        b.tick().await.unwrap();
        world.clock_handle().sleep(TICK).await;
        let open = b.operator().open_incidents().await.unwrap();
        pending = open.into_iter().find_map(|i| {
            let run = i.automation().step.clone()?;
            matches!(
                run.phase,
                cato_runbook_core::incident::StepPhase::AwaitingApproval { .. }
            )
            .then(|| (i.id().clone(), run.plan.step))
        });
        if pending.is_some() {
            break;
        }
    }
    let (id, step) = pending.expect("a step waits for approval");
    // On the standby: the approval goes to the store; the leader reads it at its next tick.
    b.operator().approve(&id, &step, "alice").await.unwrap();
    let before = world.calls().of(Op::EndpointUpdateConfig).len();
    a.tick().await.unwrap();
    let incident = a.operator().incident(&id).await.unwrap().unwrap();
    assert!(
        incident.timeline().first("approval_granted").is_some(),
        "the leader sees the approval"
    );
    assert_eq!(
        world.calls().of(Op::EndpointUpdateConfig).len(),
        before + 1,
        "and applies the step once"
    );
}
