//! Three engines over one DynamoDB table on moto — the incident store and the leader lease —
//! with the Shadow Self endpoint down (the endpoint and the notifiers are the world's fakes,
//! whose call record counts every attempt). The leader is killed mid-incident, right after it
//! restarted the endpoint; a standby takes over once the lease lapses, carries the same
//! incident on, and the endpoint is restarted exactly once.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_aws::dynamodb::{DynamoDbIncidentStore, DynamoDbLease};
use cato_runbook_core::catalog::{self, CatalogConfig};
use cato_runbook_core::engine::{Engine, EngineConfig, Mode, Policy, TickEvent, TickReport};
use cato_runbook_core::ports::{Clock, IncidentStore};
use cato_runbook_mock::config::CrashCause;
use cato_runbook_mock::{Op, World, WorldChange};

use super::manual_clock::ManualClock;
use super::store::table;
use crate::aws_support::Aws;

const TICK: Duration = Duration::from_secs(30);

fn engine(
    world: &World,
    aws: &Aws,
    table: &str,
    clock: &Arc<ManualClock>,
    replica: &str,
) -> Engine {
    let clock: Arc<dyn Clock> = clock.clone();
    let mut ports = world.ports(replica);
    let store: Arc<dyn IncidentStore> =
        Arc::new(DynamoDbIncidentStore::from_client(aws.dynamodb(), table));
    ports.store = store.clone();
    ports.incidents = store;
    ports.lease = Arc::new(DynamoDbLease::from_client(
        aws.dynamodb(),
        table,
        replica,
        clock.clone(),
    ));
    let providers = ports.providers(clock.clone());
    let runbook =
        catalog::build("shadow-self-down", &providers, &CatalogConfig::default()).unwrap();
    let mut config = EngineConfig::default();
    config.tick_interval = TICK;
    config.lease_ttl = TICK * 3;
    world
        .engine_builder(&ports)
        .clock(clock)
        .runbook(runbook)
        .policy(Policy::with_mode(Mode::Auto))
        .config(config)
        .build()
        .unwrap()
}

fn leads(report: &TickReport) -> bool {
    report.standby.is_none()
}

fn restarts(world: &World) -> usize {
    world
        .calls()
        .of(Op::EndpointUpdateConfig)
        .iter()
        .filter(|c| c.applied() || c.outcome == cato_runbook_mock::calls::CallOutcome::Deduplicated)
        .filter(|c| {
            c.key
                .as_ref()
                .is_some_and(|k| k.as_str().ends_with(":restart-endpoint"))
        })
        .count()
}

#[tokio::test]
async fn three_engines_on_dynamodb_restart_the_endpoint_once_across_a_leader_killed_mid_incident() {
    let Some(aws) = Aws::start().await else {
        return;
    };
    let table = table(&aws, "cato-replicas").await;
    let world = World::default();
    world
        .apply(WorldChange::EndpointLosesInstances {
            endpoint: "cato-shadow-self".into(),
            cause: CrashCause::CrashLoop,
        })
        .unwrap();
    let clock = Arc::new(ManualClock::default());
    let mut engines: Vec<Option<Engine>> = ["replica-a", "replica-b", "replica-c"]
        .iter()
        .map(|r| Some(engine(&world, &aws, &table, &clock, r)))
        .collect();

    let mut killed = None;
    let mut fences: Vec<u64> = Vec::new();
    for _ in 0..30 {
        let ticking = engines
            .iter()
            .map(|e| async move {
                match e {
                    Some(engine) => Some(engine.tick().await.unwrap()),
                    None => None,
                }
            })
            .collect::<Vec<_>>();
        let reports = futures::future::join_all(ticking).await;
        let leaders: Vec<usize> = reports
            .iter()
            .enumerate()
            .filter(|(_, r)| r.as_ref().is_some_and(leads))
            .map(|(n, _)| n)
            .collect();
        assert!(leaders.len() <= 1, "one leader at a time: {leaders:?}");
        for report in reports.iter().flatten() {
            for event in &report.events {
                if let TickEvent::Leading { fence } = *event {
                    fences.push(fence);
                }
            }
        }
        if killed.is_none() && restarts(&world) == 1 {
            let leader = leaders[0];
            let engine = engines[leader].take().unwrap();
            engine.crash();
            killed = Some(leader);
        }
        clock.advance(TICK);
    }

    let killed = killed.expect("the leader restarted the endpoint and was killed");
    assert!(fences.len() >= 2, "a standby took over: fences {fences:?}");
    assert!(
        fences.windows(2).all(|w| w[1] > w[0]),
        "fences grow: {fences:?}"
    );
    assert_eq!(restarts(&world), 1, "the endpoint was restarted once");
    let store = DynamoDbIncidentStore::from_client(aws.dynamodb(), &table);
    let all = store.all().await.unwrap();
    assert_eq!(all.len(), 1, "one incident for the symptom: {all:?}");
    let incident = &all[0];
    let after_failover = incident
        .timeline()
        .iter()
        .filter(|e| e.kind.label().starts_with("verification_"))
        .count();
    assert!(
        after_failover >= 1,
        "the new leader verified the restart replica {killed} made: {:?}",
        incident
            .timeline()
            .iter()
            .map(|e| e.kind.label())
            .collect::<Vec<_>>()
    );
    assert!(
        !world.calls().of(Op::PagerTrigger).is_empty(),
        "the SEV1 was paged"
    );
}
