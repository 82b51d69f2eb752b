//! Detection: timeout errors are a symptom, detectors that cannot look say so, a healthy world
//! opens nothing; the config reads from TOML.

use std::time::Duration;

use cato_runbook_core::catalog::CatalogConfig;
use cato_runbook_core::catalog::high_latency::{self, Config};
use cato_runbook_core::ports::Clock;
use cato_runbook_core::runbook::ObserveContext;
use cato_runbook_core::{ErrorKind, Severity};
use cato_runbook_mock::{Op, World, WorldChange};

use super::{ID, runbook};
use crate::world_engine::{Rig, entries, minutes};

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
    let providers = ports.providers(world.clock_handle());
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
    let providers = ports.providers(quiet.clock_handle());
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
    let providers = ports.providers(world.clock_handle());
    assert!(high_latency::runbook(&providers, &bad).is_err());
}
