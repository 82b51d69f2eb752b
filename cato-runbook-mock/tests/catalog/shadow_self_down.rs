//! Shadow Self Endpoint Down: SEV1; restart on 0 instances, then roll back, then people.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::catalog::circuit_breaker::BreakerState;
use cato_runbook_core::catalog::shadow_self_down::{self, Config};
use cato_runbook_core::catalog::{self, CatalogConfig, Providers, facts};
use cato_runbook_core::engine::{EngineConfig, Mode, Policy};
use cato_runbook_core::ports::Clock;
use cato_runbook_core::runbook::{ObserveContext, Risk, Runbook};
use cato_runbook_core::{ErrorKind, Result, Severity};
use cato_runbook_mock::config::{CrashCause, EndpointConfigSpec, EndpointSpec};
use cato_runbook_mock::world::PagerAction;
use cato_runbook_mock::{Op, World, WorldChange, WorldConfig};

use super::world_engine::{Rig, applied, entries, escalations, minutes, skipped};

const ID: &str = "shadow-self-down";
const ENDPOINT: &str = "cato-shadow-self";

fn runbook(config: Config) -> impl FnOnce(&Providers) -> Result<Vec<Runbook>> {
    move |p| Ok(vec![shadow_self_down::runbook(p, &config)?])
}

fn lose_instances(world: &World, at: Duration, cause: CrashCause) {
    world
        .schedule_in(
            at,
            WorldChange::EndpointLosesInstances {
                endpoint: ENDPOINT.into(),
                cause,
            },
        )
        .unwrap();
}

fn break_config(world: &World, config: &str, cause: CrashCause) {
    world
        .apply(WorldChange::ConfigBroken {
            config: config.into(),
            cause: Some(cause),
        })
        .unwrap();
}

fn updates(world: &World) -> Vec<String> {
    world
        .calls()
        .applied(Op::EndpointUpdateConfig)
        .iter()
        .map(|c| c.arg_str("config").unwrap().to_owned())
        .collect()
}

fn approvals(policy_mode: Mode) -> Policy {
    let mut policy = Policy::with_mode(policy_mode);
    policy.approval.risk_at_least = Some(Risk::High);
    policy
}

#[tokio::test(start_paused = true)]
async fn zero_instances_restart_on_the_current_config() {
    let world = World::default();
    lose_instances(&world, minutes(1), CrashCause::CrashLoop);
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(30)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(inc.severity(), Severity::Sev1);
    assert!(inc.impact().complete_outage());
    assert_eq!(inc.resource(), ENDPOINT);
    assert_eq!(inc.title(), "Shadow Self Endpoint Down");
    assert_eq!(applied(&inc), ["restart-endpoint"]);
    assert_eq!(updates(&world), ["cato-shadow-self-config"]);
    let call = world.calls().applied(Op::EndpointUpdateConfig).remove(0);
    assert_eq!(
        call.key.unwrap().as_str(),
        format!("{}:restart-endpoint", inc.id())
    );
    let planned = entries(&inc, "mitigation_planned", Some("restart-endpoint"));
    assert!(
        planned[0].contains(
            "cato-shadow-self fleet: InService, 0 instances in service → Updating, then a new fleet on cato-shadow-self-config"
        ),
        "{planned:?}"
    );
    assert!(planned[0].contains("risk high"), "{planned:?}");
    assert_eq!(
        inc.root_causes()[0].cause,
        "container crash loop",
        "{:?}",
        inc.root_causes()
    );
    assert!(inc.phases().resolved.is_some(), "{:#?}", inc.timeline());
    // Detected at T+1m30s, resolved before anyone else had to be called.
    assert!(escalations(&world, &inc).is_empty());
    let opened: Vec<_> = world
        .pager_events()
        .into_iter()
        .filter(|p| p.action == PagerAction::Opened)
        .collect();
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].target, "on-call");
}

#[tokio::test(start_paused = true)]
async fn a_broken_config_is_rolled_back_to_the_one_before_it() {
    let world = World::default();
    break_config(&world, "cato-shadow-self-config", CrashCause::Oom);
    lose_instances(&world, minutes(1), CrashCause::Oom);
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(40)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(
        applied(&inc),
        ["restart-endpoint", "rollback-endpoint-config"]
    );
    assert_eq!(
        updates(&world),
        ["cato-shadow-self-config", "cato-shadow-self-config-v1"]
    );
    let failed = entries(&inc, "verification_failed", Some("restart-endpoint"));
    assert!(failed[0].contains("no instance in service"), "{failed:?}");
    let planned = entries(&inc, "mitigation_planned", Some("rollback-endpoint-config"));
    assert!(
        planned[0].contains(
            "cato-shadow-self config: cato-shadow-self-config → cato-shadow-self-config-v1"
        ),
        "{planned:?}"
    );
    assert_eq!(
        inc.root_causes()[0].cause,
        "out of memory (model too large)"
    );
    assert!(inc.phases().resolved.is_some());
    assert_eq!(
        world.snapshot().endpoints[0].config,
        "cato-shadow-self-config-v1"
    );
}

#[tokio::test(start_paused = true)]
async fn when_rollback_fails_too_people_take_over_on_time() {
    let world = World::default();
    break_config(&world, "cato-shadow-self-config", CrashCause::GpuDriver);
    break_config(&world, "cato-shadow-self-config-v1", CrashCause::GpuDriver);
    lose_instances(&world, minutes(1), CrashCause::GpuDriver);
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(45)).await;

    let inc = rig.incident(ID).await;
    assert!(inc.is_open());
    assert_eq!(
        applied(&inc),
        ["restart-endpoint", "rollback-endpoint-config"]
    );
    assert_eq!(
        entries(&inc, "verification_failed", None).len(),
        2,
        "both steps failed"
    );
    assert_eq!(inc.root_causes()[0].cause, "GPU driver issue");
    let escalated = escalations(&world, &inc);
    let roles: Vec<_> = escalated.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(roles, ["Engineering Lead", "VP Engineering"]);
    // Detected at T+1m30s: the lead at 15 minutes; the VP when the ladder ran out, before 30.
    assert_eq!(escalated[0].1, minutes(16) + Duration::from_secs(30));
    assert!(escalated[1].1 <= minutes(31) + Duration::from_secs(30));
    assert_eq!(updates(&world).len(), 2);
}

#[tokio::test(start_paused = true)]
async fn serving_instances_skip_the_restart_and_roll_back() {
    let world = World::default();
    world
        .schedule_in(
            minutes(1),
            WorldChange::EndpointErrorRate {
                endpoint: ENDPOINT.into(),
                rate: 1.0,
            },
        )
        .unwrap();
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(30)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(inc.severity(), Severity::Sev1);
    assert_eq!(
        skipped(&inc, "restart-endpoint"),
        ["precondition does not hold on the findings"]
    );
    assert_eq!(applied(&inc), ["rollback-endpoint-config"]);
    assert_eq!(updates(&world), ["cato-shadow-self-config-v1"]);
    let opened = entries(&inc, "symptom_observed", None);
    assert!(opened[0].starts_with("5XX on"), "{opened:?}");
    assert!(inc.phases().resolved.is_some());
}

#[tokio::test(start_paused = true)]
async fn no_older_config_means_nothing_to_roll_back_to() {
    let world = World::new(WorldConfig {
        endpoints: vec![EndpointSpec {
            configs: vec![EndpointConfigSpec::default()],
            ..EndpointSpec::default()
        }],
        ..WorldConfig::default()
    })
    .unwrap();
    world
        .schedule_in(
            minutes(1),
            WorldChange::EndpointErrorRate {
                endpoint: ENDPOINT.into(),
                rate: 0.3,
            },
        )
        .unwrap();
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(10)).await;

    let inc = rig.incident(ID).await;
    // 30 % of calls fail: not an outage, but the runbook's table makes it SEV1.
    assert_eq!(inc.severity(), Severity::Sev1);
    assert!(!inc.impact().complete_outage());
    assert!(applied(&inc).is_empty());
    assert_eq!(skipped(&inc, "rollback-endpoint-config").len(), 1);
    assert_eq!(escalations(&world, &inc)[0].0, "Engineering Lead");
    assert!(updates(&world).is_empty());
}

#[tokio::test(start_paused = true)]
async fn log_evidence_ranks_the_root_causes() {
    let world = World::default();
    lose_instances(&world, minutes(1), CrashCause::GpuDriver);
    world
        .schedule_in(
            minutes(1),
            WorldChange::Log {
                group: "/aws/sagemaker/Endpoints/cato-shadow-self".into(),
                stream: "primary/i-0000000000000002".into(),
                message: "ERROR Back-off restarting failed container (CrashLoopBackOff)".into(),
            },
        )
        .unwrap();
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(3)).await;

    let inc = rig.incident(ID).await;
    let causes: Vec<_> = inc
        .root_causes()
        .iter()
        .map(|c| (c.cause.as_str(), c.confidence))
        .collect();
    assert_eq!(causes[0].0, "GPU driver issue", "{causes:?}");
    assert_eq!(causes[1].0, "container crash loop", "{causes:?}");
    assert!(causes[0].1 > causes[1].1);
    assert_eq!(causes.len(), 2, "no OOM line: no OOM cause");
    let finding = inc
        .findings()
        .iter()
        .find(|f| f.source == "error-logs")
        .unwrap();
    assert_eq!(
        finding.facts[facts::CRASH_LOOP_EVENTS.name()].as_i64(),
        Some(1)
    );
    assert_eq!(finding.facts[facts::OOM_EVENTS.name()].as_i64(), Some(0));
    assert!(
        finding
            .evidence
            .iter()
            .any(|l| l.contains("CrashLoopBackOff"))
    );
}

#[tokio::test(start_paused = true)]
async fn an_approved_restart_is_applied() {
    let world = World::default();
    lose_instances(&world, minutes(1), CrashCause::CrashLoop);
    let rig = Rig::replica(
        &world,
        "replica-1",
        approvals(Mode::Auto),
        runbook(Config::default()),
    );
    rig.run_until(minutes(3)).await;
    let inc = rig.incident(ID).await;
    assert_eq!(
        entries(&inc, "approval_requested", Some("restart-endpoint")).len(),
        1
    );
    assert!(updates(&world).is_empty(), "nothing before approval");
    rig.engine
        .operator()
        .approve(inc.id(), "restart-endpoint", "alice")
        .await
        .unwrap();
    rig.run_until(minutes(30)).await;
    let inc = rig.incident(ID).await;
    assert_eq!(applied(&inc), ["restart-endpoint"]);
    assert_eq!(updates(&world), ["cato-shadow-self-config"]);
    assert!(inc.phases().resolved.is_some());
}

#[tokio::test(start_paused = true)]
async fn a_denied_restart_moves_on_to_the_rollback() {
    let world = World::default();
    lose_instances(&world, minutes(1), CrashCause::CrashLoop);
    let rig = Rig::replica(
        &world,
        "replica-1",
        approvals(Mode::Auto),
        runbook(Config::default()),
    );
    rig.run_until(minutes(3)).await;
    let id = rig.incident(ID).await.id().clone();
    let operator = rig.engine.operator();
    operator
        .deny(
            &id,
            "restart-endpoint",
            "alice",
            "the config changed an hour ago",
        )
        .await
        .unwrap();
    rig.run_until(minutes(4)).await;
    let inc = rig.incident(ID).await;
    assert_eq!(
        entries(&inc, "approval_requested", Some("rollback-endpoint-config")).len(),
        1
    );
    operator
        .approve(&id, "rollback-endpoint-config", "alice")
        .await
        .unwrap();
    rig.run_until(minutes(30)).await;
    let inc = rig.incident(ID).await;
    assert_eq!(applied(&inc), ["rollback-endpoint-config"]);
    assert_eq!(updates(&world), ["cato-shadow-self-config-v1"]);
    assert!(inc.phases().resolved.is_some());
}

#[tokio::test(start_paused = true)]
async fn unanswered_approvals_lapse_and_people_take_over() {
    let world = World::default();
    lose_instances(&world, minutes(1), CrashCause::CrashLoop);
    let rig = Rig::replica(
        &world,
        "replica-1",
        approvals(Mode::Auto),
        runbook(Config::default()),
    );
    rig.run_until(minutes(70)).await;
    let inc = rig.incident(ID).await;
    assert_eq!(
        entries(&inc, "approval_expired", Some("restart-endpoint")).len(),
        1
    );
    assert_eq!(
        entries(&inc, "approval_expired", Some("rollback-endpoint-config")).len(),
        1
    );
    assert!(applied(&inc).is_empty());
    assert!(updates(&world).is_empty());
    assert!(inc.is_open());
}

#[tokio::test(start_paused = true)]
async fn dry_run_plans_and_changes_nothing() {
    let world = World::default();
    lose_instances(&world, minutes(1), CrashCause::CrashLoop);
    let rig = Rig::replica(
        &world,
        "replica-1",
        Policy::default(),
        runbook(Config::default()),
    );
    rig.run_until(minutes(20)).await;
    let inc = rig.incident(ID).await;
    assert_eq!(skipped(&inc, "restart-endpoint"), ["dry-run"]);
    assert!(world.calls().of(Op::EndpointUpdateConfig).is_empty());
}

#[tokio::test(start_paused = true)]
async fn two_replicas_restart_once() {
    let world = World::default();
    lose_instances(&world, minutes(1), CrashCause::CrashLoop);
    let policy = Policy::with_mode(Mode::Auto);
    // The replica that opens an incident holds its claim for the claim's time to live (5 min);
    // once it lapses, the other replica finds the open incident in the store and takes it over
    // instead of opening a second one.
    let config = EngineConfig::default();
    let a = Rig::replica_with(
        &world,
        "replica-a",
        policy.clone(),
        config.clone(),
        runbook(Config::default()),
    );
    let b = Rig::replica_with(
        &world,
        "replica-b",
        policy,
        config,
        runbook(Config::default()),
    );
    let clock = world.clock();
    while clock.now() < world.at(minutes(30)) {
        a.engine.tick().await.unwrap();
        b.engine.tick().await.unwrap();
        clock.sleep(Duration::from_secs(30)).await;
    }
    assert_eq!(updates(&world), ["cato-shadow-self-config"]);
    let incidents = a.incidents(ID).await;
    assert_eq!(incidents.len(), 1, "one incident across replicas");
    assert_eq!(applied(&incidents[0]), ["restart-endpoint"]);
}

#[tokio::test(start_paused = true)]
async fn an_open_breaker_on_a_healthy_endpoint_is_handed_to_people() {
    let world = World::default();
    let mut config = Config::default();
    config.circuit_breaker.sliding_window_size = 20;
    config.circuit_breaker.minimum_number_of_calls = 10;
    let breaker = config.attach_breaker(world.clock_handle()).unwrap();
    let rig = Rig::auto(&world, runbook(config));
    // The host's calls fail from T+1m to T+6m (a network fault between it and the endpoint).
    let host = breaker.clone();
    let calls = move |w: &World| {
        let broken = w.now() >= w.at(minutes(1)) && w.now() < w.at(minutes(6));
        for _ in 0..20 {
            if let Ok(permit) = host.try_acquire() {
                if broken {
                    permit.failure()
                } else {
                    permit.success()
                }
            }
        }
    };
    rig.run_until_with(minutes(3), calls.clone()).await;
    assert_ne!(breaker.state(), BreakerState::Closed);
    let inc = rig.incident(ID).await;
    assert_eq!(inc.severity(), Severity::Sev1);
    let observed = entries(&inc, "symptom_observed", None);
    assert_eq!(
        observed.len(),
        1,
        "only the breaker sees trouble: {observed:?}"
    );
    assert!(
        observed[0].starts_with("circuit breaker cato-shadow-self OPEN since"),
        "{observed:?}"
    );
    // The endpoint serves: no restart, and no reason to replace its model.
    assert_eq!(skipped(&inc, "restart-endpoint").len(), 1);
    assert_eq!(skipped(&inc, "rollback-endpoint-config").len(), 1);
    assert_eq!(escalations(&world, &inc)[0].0, "Engineering Lead");
    let status = inc
        .findings()
        .iter()
        .find(|f| f.source == "endpoint-status")
        .unwrap();
    assert_eq!(
        status.facts[facts::ENDPOINT_FAILING.name()].as_bool(),
        Some(false)
    );
    let state = inc
        .findings()
        .iter()
        .find(|f| f.source == "circuit-breaker")
        .unwrap();
    assert_eq!(
        state.facts[facts::BREAKER_STATE.name()].as_str(),
        Some("OPEN")
    );

    rig.run_until_with(minutes(12), calls).await;
    assert_eq!(breaker.state(), BreakerState::Closed);
    let inc = rig.incident(ID).await;
    assert!(inc.phases().resolved.is_some(), "{:#?}", inc.timeline());
    assert!(updates(&world).is_empty());
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
        .on(Op::EndpointDescribe)
        .permanent(ErrorKind::Unavailable);
    let ports = world.ports("replica-1");
    let providers = cato_runbook_mock::gameday::providers(&world, &ports);
    let rb = shadow_self_down::runbook(&providers, &Config::default()).unwrap();
    let ctx = ObserveContext::new(world.now());
    for detector in rb.detectors() {
        assert!(
            detector.observe(&ctx).await.is_err(),
            "{} must not report healthy",
            detector.name()
        );
    }
}

#[tokio::test(start_paused = true)]
async fn the_catalog_builds_it_and_names_missing_ports() {
    let world = World::default();
    let ports = world.ports("replica-1");
    let mut providers = cato_runbook_mock::gameday::providers(&world, &ports);
    let ids: Vec<_> = catalog::entries().iter().map(|e| e.id).collect();
    assert_eq!(&ids[..2], ["shadow-self-down", "high-latency"]);
    let rb = catalog::build(ID, &providers, &CatalogConfig::default()).unwrap();
    let ladder: Vec<_> = rb.ladder().iter().map(|s| s.name()).collect();
    assert_eq!(ladder, ["restart-endpoint", "rollback-endpoint-config"]);
    assert_eq!(
        rb.detectors().len(),
        3,
        "no breaker shared: no breaker detector"
    );
    let mut bad = Config::default();
    bad.window = Duration::from_secs(90);
    let err = shadow_self_down::runbook(&providers, &bad).unwrap_err();
    assert!(err.message().contains("whole number of minutes"), "{err}");
    providers.logs = None;
    let err = catalog::build(ID, &providers, &CatalogConfig::default()).unwrap_err();
    assert!(err.message().contains("logs"), "{err}");

    let config: CatalogConfig = toml::from_str(
        "[shadow-self-down]\nerror_rate_threshold_percent = 10\n[shadow-self-down.circuit_breaker]\nwait_duration_in_open_state = \"30s\"\n",
    )
    .unwrap();
    assert_eq!(config.shadow_self_down.error_rate_threshold_percent, 10.0);
    assert!(toml::from_str::<CatalogConfig>("[shadow-self-down]\ncolour = 1\n").is_err());
    let empty = Providers::new(Arc::new(world.clock()));
    assert!(shadow_self_down::runbook(&empty, &Config::default()).is_err());
}
