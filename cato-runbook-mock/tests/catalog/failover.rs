//! "Failover to healthy region" on a world with a second region: plan, apply, verify, revert,
//! and where it sits on Shadow Self Endpoint Down's ladder.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::catalog::strategies::{FailoverRegion, RegionEndpoint};
use cato_runbook_core::catalog::{self, CatalogConfig};
use cato_runbook_core::ports::{Clock, ModelEndpoint, TrafficControl};
use cato_runbook_core::runbook::{Landed, Mitigation, Risk, StepContext};
use cato_runbook_core::{ErrorKind, IdempotencyKey, Severity};
use cato_runbook_mock::config::{CrashCause, EndpointSpec};
use cato_runbook_mock::{CallRecord, Op, World, WorldChange, WorldConfig};

const ENDPOINT: &str = "cato-shadow-self";

/// us-east-1 serving all Shadow Self traffic, us-west-2 with `instances` serving none of it.
fn two_regions(instances: u32) -> World {
    let mut config = WorldConfig::default();
    config.endpoints.push(EndpointSpec {
        region: Some("us-west-2".into()),
        instances,
        ..EndpointSpec::default()
    });
    let split = [("us-east-1", 1.0), ("us-west-2", 0.0)];
    config.traffic.regions = split.map(|(r, w)| (r.to_owned(), w)).into();
    World::new(config).unwrap()
}

fn failover(world: &World) -> FailoverRegion {
    let home = Arc::new(world.model_endpoint());
    let west = Arc::new(world.model_endpoint_in("us-west-2"));
    let home = RegionEndpoint::new("us-east-1", home, ENDPOINT);
    let west = RegionEndpoint::new("us-west-2", west, ENDPOINT);
    FailoverRegion::new(Arc::new(world.traffic()), home, west)
}

fn ctx(step: &dyn Mitigation, world: &World) -> StepContext {
    StepContext::new(
        step,
        "INC-7".into(),
        "shadow-self-down".into(),
        ENDPOINT,
        Severity::Sev1,
        Arc::from(vec![]),
        world.now(),
    )
}

fn home_down(world: &World) {
    let change = WorldChange::EndpointLosesInstances {
        endpoint: ENDPOINT.into(),
        cause: CrashCause::Oom,
    };
    world.apply(change).unwrap();
}

/// The world's split of Shadow Self traffic: `us-east-1 1, us-west-2 0`.
fn weights(world: &World) -> String {
    let regions = world.snapshot().traffic.regions;
    let shares: Vec<_> = regions.iter().map(|(r, w)| format!("{r} {w}")).collect();
    shares.join(", ")
}

#[tokio::test(start_paused = true)]
async fn traffic_moves_to_the_serving_region_and_back_once_home_serves() {
    let world = two_regions(10);
    home_down(&world);
    let step = failover(&world);
    let c = ctx(&step, &world);
    let plan = step.plan(&c).await.unwrap();
    assert_eq!(
        plan.summary,
        "shift Shadow Self traffic us-east-1 100 % → us-west-2 100 %"
    );
    assert_eq!((plan.risk, plan.reversible), (Risk::High, true));
    assert!(plan.approval.is_some(), "asks by default");
    assert_eq!(plan.temporary_for(), Some(Duration::from_secs(24 * 3600)));
    let changes: Vec<_> = plan
        .changes
        .iter()
        .map(|c| (c.target.as_str(), c.before.as_str(), c.after.as_str()))
        .collect();
    assert_eq!(
        changes,
        [
            ("Shadow Self traffic in us-east-1", "100 %", "0 %"),
            ("Shadow Self traffic in us-west-2", "0 %", "100 %"),
        ]
    );
    let applied = world.calls().applied(Op::TrafficSetRegionWeights);
    assert!(applied.is_empty(), "planning changes nothing");

    step.apply(&c, &plan).await.unwrap();
    assert_eq!(weights(&world), "us-east-1 0, us-west-2 1");
    let endpoints = world.snapshot().endpoints;
    assert_eq!(endpoints[0].offered_rpm, 0.0, "us-east-1 gets no call");
    assert!(endpoints[1].offered_rpm > 0.0, "{endpoints:?}");
    assert_eq!(step.landed(&c, &plan).await.unwrap(), Landed::Yes);
    let verdict = step.verify(&c, &plan).await.unwrap();
    assert!(verdict.passed(), "{verdict:?}");

    // No failing back onto a home region that does not serve.
    let err = step.revert(&c, &plan).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Refused, "{err}");
    assert!(err.is_retryable(), "tried again later: {err}");
    let set = world.calls().applied(Op::TrafficSetRegionWeights);
    assert_eq!(set.len(), 1);

    let restart = IdempotencyKey::new("INC-7:restart-endpoint");
    world
        .model_endpoint()
        .update_config(ENDPOINT, "cato-shadow-self-config", &restart)
        .await
        .unwrap();
    world.clock().sleep(Duration::from_secs(10 * 60)).await;
    let line = step.revert(&c, &plan).await.unwrap();
    assert!(line.starts_with("failed back"), "{line}");
    assert_eq!(weights(&world), "us-east-1 1, us-west-2 0");
    let keys: Vec<_> = world
        .calls()
        .applied(Op::TrafficSetRegionWeights)
        .iter()
        .map(|c| c.key.clone().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            IdempotencyKey::new("INC-7:failover-region"),
            IdempotencyKey::new("INC-7:failover-region:revert"),
        ]
    );
    // us-west-2 was only read.
    let in_west = |c: &CallRecord| c.arg_str("region") == Some("us-west-2");
    let describes = world.calls().of(Op::EndpointDescribe);
    assert!(describes.iter().any(in_west));
    let updates = world.calls().applied(Op::EndpointUpdateConfig);
    assert!(!updates.iter().any(in_west));
}

#[tokio::test(start_paused = true)]
async fn no_failover_to_a_region_that_does_not_serve() {
    let world = two_regions(0);
    home_down(&world);
    let step = failover(&world);
    let err = step.plan(&ctx(&step, &world)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Refused, "{err}");
    assert!(err.message().contains("us-west-2"), "{err}");
    assert!(world.calls().of(Op::TrafficSetRegionWeights).is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_revert_leaves_a_split_someone_changed_since() {
    let world = two_regions(10);
    let step = failover(&world);
    let c = ctx(&step, &world);
    let plan = step.plan(&c).await.unwrap();
    step.apply(&c, &plan).await.unwrap();
    let halves = [("us-east-1", 0.5), ("us-west-2", 0.5)];
    let halves = halves.map(|(r, w)| (r.to_owned(), w)).into();
    let someone = IdempotencyKey::new("someone");
    world
        .traffic()
        .set_region_weights(&halves, &someone)
        .await
        .unwrap();
    let line = step.revert(&c, &plan).await.unwrap();
    assert!(line.contains("left as it is"), "{line}");
    assert_eq!(weights(&world), "us-east-1 0.5, us-west-2 0.5");
    let set = world.calls().applied(Op::TrafficSetRegionWeights);
    assert_eq!(set.len(), 2, "the failover and someone's");
}

#[tokio::test(start_paused = true)]
async fn the_ladder_fails_over_between_restart_and_rollback_when_configured() {
    let world = two_regions(10);
    let providers = world.ports("test").providers(world.clock_handle());
    let ladder = |config: &CatalogConfig| -> Vec<String> {
        let runbook = catalog::build("shadow-self-down", &providers, config).unwrap();
        let names = runbook.ladder().iter().map(|s| s.name().to_owned());
        names.collect()
    };
    let mut config = CatalogConfig::default();
    assert_eq!(
        ladder(&config),
        ["restart-endpoint", "rollback-endpoint-config"],
        "off by default"
    );
    config.failover.region = Some("us-west-2".into());
    assert_eq!(
        ladder(&config),
        [
            "restart-endpoint",
            "failover-region",
            "rollback-endpoint-config",
        ]
    );

    // A region without an endpoint port is an error naming it.
    config.failover.region = Some("eu-west-1".into());
    let err = catalog::build("shadow-self-down", &providers, &config).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("eu-west-1"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn every_entry_lists_the_steps_its_ladder_can_have() {
    // What `policy.step_cooldowns` may name when `cato.toml` is loaded is each entry's
    // `steps`: built with every optional rung on, and off, the ladders name those and no other.
    let world = two_regions(10);
    let providers = world.ports("test").providers(world.clock_handle());
    let mut all_on = CatalogConfig::default();
    all_on.failover.region = Some("us-west-2".into());
    all_on.bedrock_throttling.emergency_mode_last = true;
    let mut all_off = CatalogConfig::default();
    all_off.high_latency.rollback.enabled = false;
    for entry in catalog::entries() {
        let mut seen = std::collections::BTreeSet::new();
        for config in [&all_on, &all_off] {
            let runbook = (entry.build)(&providers, config).unwrap();
            for step in runbook.ladder() {
                assert!(
                    entry.steps.contains(&step.name()),
                    "{}: {} is not in its entry's steps",
                    entry.id,
                    step.name()
                );
                seen.insert(step.name().to_owned());
            }
        }
        let listed: std::collections::BTreeSet<_> =
            entry.steps.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(seen, listed, "{}: a listed step no ladder has", entry.id);
    }
}
