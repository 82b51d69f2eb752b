//! High Latency: SEV2; scale Shadow Self, then the orchestrator, then point at the likelier
//! cause.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::catalog::facts;
use cato_runbook_core::catalog::high_latency::{self, Config};
use cato_runbook_core::catalog::{CatalogConfig, Providers};
use cato_runbook_core::engine::{Mode, Policy};
use cato_runbook_core::ports::{Clock, ModelEndpoint};
use cato_runbook_core::runbook::{
    Detector, Finding, Observation, ObserveContext, Quantity, Runbook, StepContext, Symptom,
};
use cato_runbook_core::{ErrorKind, Impact, Result, Severity};
use cato_runbook_mock::config::{EndpointSpec, WorkloadSpec};
use cato_runbook_mock::world::PagerAction;
use cato_runbook_mock::{Op, World, WorldChange, WorldConfig};

use super::world_engine::{Rig, applied, entries, escalations, minutes, skipped};

const ID: &str = "high-latency";

fn runbook(config: Config) -> impl FnOnce(&Providers) -> Result<Vec<Runbook>> {
    move |p| Ok(vec![high_latency::runbook(p, &config)?])
}

/// A world whose Shadow Self runs `instances` and whose orchestrator runs `replicas` (with a
/// heavier per-request overhead when `busy_orchestrator`), and whose traffic rises to
/// `surge` requests a minute at T+1m.
fn world(instances: u32, replicas: u32, busy_orchestrator: bool, surge: f64) -> World {
    let world = World::new(WorldConfig {
        endpoints: vec![EndpointSpec {
            instances,
            ..EndpointSpec::default()
        }],
        workloads: vec![WorkloadSpec {
            replicas,
            overhead_ms: if busy_orchestrator { 50.0 } else { 30.0 },
            ..WorkloadSpec::default()
        }],
        ..WorldConfig::default()
    })
    .unwrap();
    world
        .schedule_in(
            minutes(1),
            WorldChange::RequestRate {
                requests_per_minute: surge,
            },
        )
        .unwrap();
    world
}

fn scaled(world: &World, op: Op, arg: &str) -> Vec<u64> {
    world
        .calls()
        .applied(op)
        .iter()
        .map(|c| c.arg_u64(arg).unwrap())
        .collect()
}

fn instances(world: &World) -> Vec<u64> {
    scaled(world, Op::EndpointSetInstanceCount, "count")
}

fn replicas(world: &World) -> Vec<u64> {
    scaled(world, Op::WorkloadsScale, "replicas")
}

#[tokio::test(start_paused = true)]
async fn shadow_self_is_scaled_one_step_toward_the_cap() {
    let world = world(8, 10, false, 2400.0);
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(30)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(inc.severity(), Severity::Sev2);
    assert_eq!(inc.resource(), "cato-orchestrator");
    assert_eq!(inc.title(), "High Latency");
    assert_eq!(applied(&inc), ["scale-shadow-self"]);
    assert_eq!(instances(&world), [16], "8 → 16, not straight to 50");
    assert!(replicas(&world).is_empty());
    let call = world
        .calls()
        .applied(Op::EndpointSetInstanceCount)
        .remove(0);
    assert_eq!(
        call.key.unwrap().as_str(),
        format!("{}:scale-shadow-self", inc.id())
    );
    let planned = entries(&inc, "mitigation_planned", Some("scale-shadow-self"));
    assert!(
        planned[0].contains("cato-shadow-self/primary desired instances: 8 → 16"),
        "{planned:?}"
    );
    assert!(planned[0].contains("risk medium"), "{planned:?}");
    assert_eq!(
        inc.root_causes()[0].cause,
        "insufficient capacity: Shadow Self endpoint"
    );
    assert!(inc.phases().resolved.is_some(), "{:#?}", inc.timeline());
    let paged = world
        .pager_events()
        .iter()
        .filter(|p| p.action == PagerAction::Opened && p.target == "on-call")
        .count();
    assert_eq!(paged, 1);
    assert_eq!(world.snapshot().endpoints[0].current_instances, 16);
}

#[tokio::test(start_paused = true)]
async fn the_ladder_scales_shadow_self_then_the_orchestrator() {
    let world = world(8, 6, true, 2400.0);
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(40)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(applied(&inc), ["scale-shadow-self", "scale-orchestrator"]);
    assert_eq!(instances(&world), [16]);
    assert_eq!(replicas(&world), [12]);
    assert!(
        entries(&inc, "note", None)
            .iter()
            .any(|n| n == "symptom persists after scale-shadow-self was verified"),
        "{:#?}",
        inc.timeline()
    );
    assert!(inc.phases().resolved.is_some(), "{:#?}", inc.timeline());
}

#[tokio::test(start_paused = true)]
async fn a_fast_shadow_self_is_left_alone() {
    let world = world(10, 6, true, 2300.0);
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(20)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(
        skipped(&inc, "scale-shadow-self"),
        ["precondition does not hold on the findings"]
    );
    assert_eq!(applied(&inc), ["scale-orchestrator"]);
    assert_eq!(replicas(&world), [12]);
    let causes: Vec<_> = inc.root_causes().iter().map(|c| c.cause.as_str()).collect();
    assert_eq!(
        causes,
        ["insufficient capacity: orchestrator", "network latency"]
    );
    let components = inc
        .findings()
        .iter()
        .find(|f| f.source == "component-latencies")
        .unwrap();
    assert_eq!(
        components.facts[facts::SHADOW_SELF_SLOW.name()].as_bool(),
        Some(false)
    );
    assert!(inc.phases().resolved.is_some());
}

#[tokio::test(start_paused = true)]
async fn a_policy_cap_refuses_the_orchestrator_scale_up() {
    let world = world(10, 6, true, 2300.0);
    let mut policy = Policy::with_mode(Mode::Auto);
    policy.caps.max_replicas = Some(10);
    let rig = Rig::replica(&world, "replica-1", policy, runbook(Config::default()));
    rig.run_until(minutes(20)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(
        skipped(&inc, "scale-orchestrator"),
        ["cap: 12 replicas > max 10"]
    );
    assert!(applied(&inc).is_empty());
    assert!(world.calls().of(Op::WorkloadsScale).is_empty());
    assert_eq!(escalations(&world, &inc)[0].0, "Engineering Lead");
    assert!(inc.is_open());
}

#[tokio::test(start_paused = true)]
async fn the_runbooks_own_cap_stops_at_its_maximum() {
    let world = world(10, 6, true, 2300.0);
    let mut config = Config::default();
    config.orchestrator.max_replicas = 6;
    let rig = Rig::auto(&world, runbook(config));
    rig.run_until(minutes(10)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(
        skipped(&inc, "scale-orchestrator"),
        ["precondition does not hold on the findings"]
    );
    assert!(world.calls().of(Op::WorkloadsScale).is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_step_toward_the_cap_never_passes_it() {
    let world = world(30, 10, false, 2000.0);
    let ports = world.ports("replica-1");
    let providers = cato_runbook_mock::gameday::providers(&world, &ports);
    let rb = high_latency::runbook(&providers, &Config::default()).unwrap();
    let scale = rb.ladder()[0].clone();
    let ctx = StepContext::new(
        scale.as_ref(),
        "INC-1".into(),
        ID.into(),
        "cato-orchestrator",
        Severity::Sev2,
        Arc::from(vec![]),
        world.now(),
    );
    let plan = scale.plan(&ctx).await.unwrap();
    assert_eq!(plan.quantities, [Quantity::Instances(50)]);
    assert_eq!(
        (
            plan.changes[0].before.as_str(),
            plan.changes[0].after.as_str()
        ),
        ("30", "50")
    );
    assert!(
        world.calls().of(Op::EndpointSetInstanceCount).is_empty(),
        "a plan changes nothing"
    );

    let at_cap = [Finding::new("capacity", "").with(facts::ENDPOINT_DESIRED_INSTANCES, 50)];
    assert!(!scale.precondition(cato_runbook_core::runbook::Findings(&at_cap)));
    let key = cato_runbook_core::IdempotencyKey::new("test:scale");
    world
        .model_endpoint()
        .set_instance_count("cato-shadow-self", "primary", 50, &key)
        .await
        .unwrap();
    world.clock().sleep(minutes(10)).await;
    let err = scale.plan(&ctx).await.unwrap_err();
    assert!(err.message().contains("already has 50 instances"), "{err}");
}

/// A stand-in for the cache-miss-spike runbook: its incident opens at T+1m.
#[derive(Debug)]
struct CacheMisses(World);

#[async_trait]
impl Detector for CacheMisses {
    fn name(&self) -> &str {
        "hit-rate"
    }
    fn resource(&self) -> &str {
        "cato-cache"
    }
    async fn observe(&self, _ctx: &ObserveContext) -> Result<Observation> {
        Ok(if self.0.now() >= self.0.at(minutes(1)) {
            Observation::Symptom(Symptom::new("hit rate 50 % < 70 %", Impact::degraded(0.3)?))
        } else {
            Observation::Healthy
        })
    }
}

fn with_cache_incident(
    config: Config,
    world: &World,
) -> impl FnOnce(&Providers) -> Result<Vec<Runbook>> {
    let world = world.clone();
    move |p| {
        let cache = Runbook::builder("cache-miss-spike", "Cache Miss Spike")
            .detector(Arc::new(CacheMisses(world)))
            .open_after(1)
            .build()?;
        Ok(vec![cache, high_latency::runbook(p, &config)?])
    }
}

fn cache_drop(world: &World) {
    world
        .schedule_in(
            minutes(1),
            WorldChange::CacheHitRatio {
                cache: "cato-cache".into(),
                ratio: 0.5,
            },
        )
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_open_cache_miss_incident_is_the_likelier_cause() {
    let world = World::default();
    cache_drop(&world);
    let rig = Rig::auto(&world, with_cache_incident(Config::default(), &world));
    rig.run_until(minutes(10)).await;

    let cache = rig.incident("cache-miss-spike").await;
    let inc = rig.incident(ID).await;
    let top = &inc.root_causes()[0];
    assert_eq!(top.cause, "cache miss spike");
    assert!(top.confidence >= 0.85, "{top:?}");
    assert!(
        top.evidence.iter().any(|e| e.contains(cache.id().as_str())),
        "{top:?}"
    );
    let components = inc
        .findings()
        .iter()
        .find(|f| f.source == "component-latencies")
        .unwrap();
    assert_eq!(
        components.facts[facts::RELATED_INCIDENT.name()].as_str(),
        Some(cache.id().as_str())
    );
    assert_eq!(
        components.facts[facts::CACHE_HIT_RATE_LOW.name()].as_bool(),
        Some(true)
    );
    assert_eq!(skipped(&inc, "scale-shadow-self").len(), 1);
    assert_eq!(skipped(&inc, "scale-orchestrator").len(), 1);
    assert_eq!(applied(&inc), ["link-likelier-cause"]);
    let linked = entries(&inc, "mitigation_applied", Some("link-likelier-cause"));
    assert!(
        linked[0].contains(&format!(
            "{} (cache-miss-spike: Cache Miss Spike)",
            cache.id()
        )),
        "{linked:?}"
    );
    assert!(world.calls().of(Op::EndpointSetInstanceCount).is_empty());
    assert!(world.calls().of(Op::WorkloadsScale).is_empty());
}

#[tokio::test(start_paused = true)]
async fn scaling_goes_ahead_when_told_not_to_defer() {
    let world = World::default();
    cache_drop(&world);
    let mut config = Config::default();
    config.related.defer_scaling = false;
    let rig = Rig::auto(&world, with_cache_incident(config, &world));
    rig.run_until(minutes(5)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(inc.root_causes()[0].cause, "cache miss spike");
    assert_eq!(applied(&inc), ["scale-shadow-self"]);
    assert_eq!(instances(&world), [20]);
}

#[tokio::test(start_paused = true)]
async fn a_low_hit_rate_without_an_incident_is_named_for_people() {
    let world = World::default();
    cache_drop(&world);
    let mut config = Config::default();
    config.shadow_self.max_instances = 10;
    config.orchestrator.max_replicas = 10;
    let rig = Rig::auto(&world, runbook(config));
    rig.run_until(minutes(5)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(applied(&inc), ["link-likelier-cause"]);
    let linked = entries(&inc, "mitigation_applied", Some("link-likelier-cause"));
    assert!(
        linked[0].contains("cache hit rate 50 % < 70 %: investigate cache issues"),
        "{linked:?}"
    );
}

fn priced() -> Config {
    let mut config = Config::default();
    config.shadow_self.instance_hourly_usd = Some(1.5);
    config
}

#[tokio::test(start_paused = true)]
async fn a_costly_scale_up_waits_for_approval() {
    let world = world(8, 10, false, 2400.0);
    let rig = Rig::auto(&world, runbook(priced()));
    rig.run_until(minutes(4)).await;
    let inc = rig.incident(ID).await;
    let asked = entries(&inc, "approval_requested", Some("scale-shadow-self"));
    // 8 more instances at $1.50 an hour: about $8,760 a month, above the policy's $1,000.
    assert!(
        asked[0].contains("about $8760/month is above $1000"),
        "{asked:?}"
    );
    assert!(instances(&world).is_empty());
    rig.engine
        .operator()
        .approve(inc.id(), "scale-shadow-self", "alice")
        .await
        .unwrap();
    rig.run_until(minutes(30)).await;
    let inc = rig.incident(ID).await;
    assert_eq!(applied(&inc), ["scale-shadow-self"]);
    assert_eq!(instances(&world), [16]);
    assert!(inc.phases().resolved.is_some());
}

#[tokio::test(start_paused = true)]
async fn a_denied_scale_up_moves_on_and_a_lapsed_one_too() {
    let world = world(8, 10, false, 2400.0);
    let rig = Rig::auto(&world, runbook(priced()));
    rig.run_until(minutes(4)).await;
    let inc = rig.incident(ID).await;
    rig.engine
        .operator()
        .deny(inc.id(), "scale-shadow-self", "alice", "not at that price")
        .await
        .unwrap();
    rig.run_until(minutes(6)).await;
    let inc = rig.incident(ID).await;
    assert_eq!(applied(&inc), ["scale-orchestrator"]);
    assert!(instances(&world).is_empty());

    let world = self::world(8, 10, false, 2400.0);
    let rig = Rig::auto(&world, runbook(priced()));
    rig.run_until(minutes(40)).await;
    let inc = rig.incident(ID).await;
    assert_eq!(
        entries(&inc, "approval_expired", Some("scale-shadow-self")).len(),
        1
    );
    assert!(instances(&world).is_empty());
    assert_eq!(applied(&inc), ["scale-orchestrator"]);
}

#[tokio::test(start_paused = true)]
async fn a_scale_up_that_cannot_be_verified_is_scaled_back() {
    let world = world(8, 10, false, 2400.0);
    // Detected at T+2m30s, verified 12 minutes later: SageMaker does not answer then, nor on
    // the two retries after 30 s and 60 s more.
    world
        .faults()
        .on(Op::EndpointDescribe)
        .between(world.at(minutes(14)), world.at(minutes(17)))
        .transient();
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(18)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(
        entries(&inc, "step_retried", Some("scale-shadow-self")).len(),
        2,
        "two more tries of the verification, then it counts as failed"
    );
    assert_eq!(
        entries(&inc, "mitigation_reverted", Some("scale-shadow-self")),
        ["desired instances back to 8"]
    );
    assert_eq!(instances(&world), [16, 8]);
    let calls = world.calls().applied(Op::EndpointSetInstanceCount);
    assert_eq!(
        calls[1].key.as_ref().unwrap().as_str(),
        format!("{}:scale-shadow-self:revert", inc.id())
    );
    assert_eq!(applied(&inc), ["scale-shadow-self", "scale-orchestrator"]);
}

#[tokio::test(start_paused = true)]
async fn a_refused_scale_up_is_recorded_and_the_ladder_moves_on() {
    let world = World::new(WorldConfig {
        endpoints: vec![EndpointSpec {
            instances: 8,
            max_instances: 12,
            ..EndpointSpec::default()
        }],
        ..WorldConfig::default()
    })
    .unwrap();
    world
        .schedule_in(
            minutes(1),
            WorldChange::RequestRate {
                requests_per_minute: 2400.0,
            },
        )
        .unwrap();
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(4)).await;

    let inc = rig.incident(ID).await;
    let failed = entries(&inc, "mitigation_failed", Some("scale-shadow-self"));
    assert!(failed[0].contains("instance limit"), "{failed:?}");
    assert_eq!(applied(&inc), ["scale-orchestrator"]);
}

#[tokio::test(start_paused = true)]
async fn timeout_errors_are_a_symptom() {
    let world = World::default();
    for n in 0..12 {
        world
            .schedule_in(
                minutes(1) + Duration::from_secs(n),
                WorldChange::Log {
                    group: "/cato/orchestrator".into(),
                    stream: "cato-orchestrator-0".into(),
                    message: format!("ERROR Timeout: request {n} took longer than 30 s"),
                },
            )
            .unwrap();
    }
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(3)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(inc.severity(), Severity::Sev2);
    let observed = entries(&inc, "symptom_observed", None);
    assert_eq!(
        observed,
        ["over 10 timeout errors in /cato/orchestrator in the last 5m"]
    );
}

#[tokio::test(start_paused = true)]
async fn detectors_that_cannot_look_say_so() {
    let world = World::default();
    world
        .faults()
        .on(Op::MetricsQuery)
        .permanent(ErrorKind::Unavailable);
    world
        .faults()
        .on(Op::LogsFilter)
        .permanent(ErrorKind::Unavailable);
    let ports = world.ports("replica-1");
    let providers = cato_runbook_mock::gameday::providers(&world, &ports);
    let rb = high_latency::runbook(&providers, &Config::default()).unwrap();
    let ctx = ObserveContext::new(world.now());
    for detector in rb.detectors() {
        assert!(detector.observe(&ctx).await.is_err(), "{}", detector.name());
    }

    // No traffic: no request latency at all is unknown, not fine.
    let quiet = World::default();
    quiet
        .apply(WorldChange::RequestRate {
            requests_per_minute: 0.0,
        })
        .unwrap();
    quiet.clock().sleep(minutes(10)).await;
    let ports = quiet.ports("replica-1");
    let providers = cato_runbook_mock::gameday::providers(&quiet, &ports);
    let rb = high_latency::runbook(&providers, &Config::default()).unwrap();
    let err = rb.detectors()[0]
        .observe(&ObserveContext::new(quiet.now()))
        .await
        .unwrap_err();
    assert!(err.message().contains("no RequestLatency data"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_healthy_world_opens_nothing_and_the_config_reads_from_toml() {
    let world = World::default();
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(30)).await;
    assert!(rig.incidents(ID).await.is_empty());

    let config: CatalogConfig = toml::from_str(
        "[high-latency]\np99_threshold = \"1500ms\"\n[high-latency.shadow_self]\nmax_instances = 20\n[high-latency.related]\ndefer_scaling = false\n",
    )
    .unwrap();
    assert_eq!(
        config.high_latency.p99_threshold,
        Duration::from_millis(1500)
    );
    assert_eq!(config.high_latency.shadow_self.max_instances, 20);
    assert!(!config.high_latency.related.defer_scaling);
    let mut bad = Config::default();
    bad.shadow_self.scale_factor = 1.0;
    let ports = world.ports("replica-1");
    let providers = cato_runbook_mock::gameday::providers(&world, &ports);
    assert!(high_latency::runbook(&providers, &bad).is_err());
}
