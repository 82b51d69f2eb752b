//! The first-five-minutes checks on the fakes, alone and in a runbook.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::catalog::first_five_minutes::{
    self, CloudHealthEvents, Config, DashboardSignals, RecentDeployments,
};
use cato_runbook_core::catalog::{CatalogConfig, Providers, facts};
use cato_runbook_core::ports::Clock;
use cato_runbook_core::runbook::{DiagnoseContext, Diagnosis, DiagnosisReport};
use cato_runbook_core::{ErrorKind, Timestamp};
use cato_runbook_mock::config::{DeploymentSpec, HealthEventSpec};
use cato_runbook_mock::{World, WorldChange, WorldConfig};

use crate::engine_on_world::*;

fn mins(n: u64) -> Duration {
    Duration::from_secs(60 * n)
}

fn ctx(detected_at: Timestamp, now: Timestamp) -> DiagnoseContext {
    DiagnoseContext::new(
        "INC-1".into(),
        "bedrock-throttling".into(),
        "bedrock",
        detected_at,
        now,
    )
}

async fn run(d: &dyn Diagnosis, world: &World) -> DiagnosisReport {
    d.diagnose(&ctx(world.now(), world.now())).await.unwrap()
}

fn deployed(service: &str, version: &str, ago: u64) -> DeploymentSpec {
    DeploymentSpec {
        service: service.into(),
        version: version.into(),
        ago: mins(ago),
        author: Some("bob".into()),
        description: "semantic cache keys include the locale".into(),
        source: None,
    }
}

#[tokio::test(start_paused = true)]
async fn a_deployment_shortly_before_detection_is_a_root_cause() {
    let config = WorldConfig {
        deployments: vec![
            deployed("cato-orchestrator", "v1.0.0", 2 * 24 * 60),
            deployed("cato-curiosity", "v0.9.1", 40),
            deployed("cato-orchestrator", "v2.3.0", 10),
        ],
        ..WorldConfig::default()
    };
    let world = World::new(config).unwrap();
    let check =
        RecentDeployments::new(Arc::new(world.deployments()), Config::default().deployments);
    let report = run(&check, &world).await;
    let causes: Vec<_> = report
        .root_causes
        .iter()
        .map(|c| c.cause.as_str())
        .collect();
    assert_eq!(
        causes,
        [
            "recent deployment cato-curiosity v0.9.1",
            "recent deployment cato-orchestrator v2.3.0"
        ]
    );
    // Closer to detection, likelier: 0.7 × (1 − ½ × 10/60).
    let latest = &report.root_causes[1];
    assert!((latest.confidence - 0.7 * (1.0 - 0.5 * 10.0 / 60.0)).abs() < 1e-9);
    assert!(latest.confidence > report.root_causes[0].confidence);
    assert!(
        latest.evidence[0]
            .contains("by bob: semantic cache keys include the locale (10 min before detection)")
    );
    let finding = &report.findings[0];
    assert_eq!(
        finding.facts[facts::DEPLOYMENTS_RECENT.name()].as_i64(),
        Some(2)
    );
    assert_eq!(
        finding.facts[facts::DEPLOYMENTS_SUSPECT_VERSION.name()].as_str(),
        Some("v2.3.0")
    );
    assert_eq!(
        finding.facts[facts::DEPLOYMENTS_SUSPECT_MINUTES_BEFORE.name()].as_i64(),
        Some(10)
    );
    assert!(
        finding
            .summary
            .contains("cato-orchestrator v2.3.0 landed 10 min before detection")
    );

    // Only the services that matter.
    let mut only = Config::default().deployments;
    only.services = vec!["CATO-ORCHESTRATOR".into()];
    let report = run(
        &RecentDeployments::new(Arc::new(world.deployments()), only),
        &world,
    )
    .await;
    assert_eq!(report.root_causes.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn deployments_long_before_or_after_detection_are_not_suspects() {
    let world = World::default(); // v1.0.0 two days ago
    let check =
        RecentDeployments::new(Arc::new(world.deployments()), Config::default().deployments);
    let detected = world.now();
    world.clock().sleep(mins(1)).await;
    world
        .apply(WorldChange::Deploy {
            service: "cato-orchestrator".into(),
            version: "v2.0.1".into(),
            author: None,
            description: "hotfix".into(),
            source: None,
        })
        .unwrap();
    let report = check.diagnose(&ctx(detected, world.now())).await.unwrap();
    assert!(report.root_causes.is_empty());
    assert_eq!(
        report.findings[0].facts[facts::DEPLOYMENTS_SUSPECTS.name()].as_i64(),
        Some(0)
    );
    assert!(
        report.findings[0]
            .summary
            .contains("none shortly before detection")
    );
}

#[tokio::test(start_paused = true)]
async fn an_open_health_event_of_a_service_that_matters_is_a_root_cause() {
    let config = WorldConfig {
        health_events: vec![
            HealthEventSpec {
                service: "BEDROCK".into(),
                region: "us-east-1".into(),
                ago: mins(20),
                open: true,
                description: "Increased throttling for Anthropic models".into(),
            },
            HealthEventSpec {
                service: "BEDROCK".into(),
                region: "us-east-1".into(),
                ago: mins(300),
                open: false,
                description: "Elevated latency".into(),
            },
            HealthEventSpec {
                service: "SAGEMAKER".into(),
                open: true,
                description: "Endpoint creation delays".into(),
                ..HealthEventSpec::default()
            },
        ],
        ..WorldConfig::default()
    };
    let world = World::new(config).unwrap();
    let checks = Config::watching(&["bedrock"]);
    let check = CloudHealthEvents::new(Arc::new(world.cloud_health()), checks.health);
    let report = run(&check, &world).await;
    assert_eq!(report.root_causes.len(), 1);
    assert_eq!(
        report.root_causes[0].cause,
        "cloud health event BEDROCK us-east-1: Increased throttling for Anthropic models"
    );
    assert_eq!(report.root_causes[0].confidence, 0.5);
    let f = &report.findings[0];
    assert_eq!(f.facts[facts::HEALTH_OPEN_EVENTS.name()].as_i64(), Some(1));
    assert_eq!(f.facts[facts::HEALTH_EVENTS.name()].as_i64(), Some(2));

    let every = Config::watching(&["*"]);
    let report = run(
        &CloudHealthEvents::new(Arc::new(world.cloud_health()), every.health),
        &world,
    )
    .await;
    assert_eq!(report.root_causes.len(), 2);
}

#[tokio::test(start_paused = true)]
async fn the_dashboard_shows_every_signal_and_flags_the_obvious() {
    let world = World::default();
    let check = DashboardSignals::new(Arc::new(world.metrics()), Config::default().dashboard);
    let report = run(&check, &world).await;
    let f = &report.findings[0];
    assert_eq!(f.summary, "dashboard, last 15m: nothing obvious");
    let hit_rate = f.facts[facts::DASHBOARD_CACHE_HIT_RATE.name()]
        .as_f64()
        .unwrap();
    assert!((hit_rate - 0.85).abs() < 1e-6);
    assert_eq!(
        f.facts[facts::DASHBOARD_BEDROCK_THROTTLE_RATE.name()].as_f64(),
        Some(0.0)
    );
    assert_eq!(
        f.facts[facts::DASHBOARD_SHADOW_SELF_ERROR_RATE.name()].as_f64(),
        Some(0.0)
    );
    assert!(
        f.facts[facts::DASHBOARD_REQUEST_P99_MS.name()]
            .as_f64()
            .unwrap()
            > 0.0
    );
    assert_eq!(f.evidence.len(), 6);
    // One query, whatever the number of series.
    assert_eq!(world.calls().count(cato_runbook_mock::Op::MetricsQuery), 1);

    world
        .apply(WorldChange::BedrockThrottling { share: 0.4 })
        .unwrap();
    world
        .apply(WorldChange::CacheHitRatio {
            cache: "cato-cache".into(),
            ratio: 0.5,
        })
        .unwrap();
    world.clock().sleep(mins(10)).await;
    let report = run(&check, &world).await;
    let f = &report.findings[0];
    assert!(f.summary.contains("Bedrock throttle rate"), "{}", f.summary);
    assert!(f.summary.contains("cache hit rate"), "{}", f.summary);
    // The misses also overload Shadow Self and slow every request down.
    assert!(f.summary.contains("Shadow Self 5XX rate"), "{}", f.summary);
    assert_eq!(
        f.facts[facts::DASHBOARD_OBVIOUS_ISSUES.name()].as_i64(),
        Some(4),
        "{}",
        f.summary
    );
}

#[tokio::test(start_paused = true)]
async fn only_configured_ports_and_enabled_checks_are_added() {
    let world = World::default();
    let ports = world.ports("r");
    let all = ports.providers(world.clock_handle());
    let names = |p: &Providers, c: &Config| -> Vec<String> {
        first_five_minutes::diagnoses(p, c)
            .unwrap()
            .iter()
            .map(|d| d.name().to_owned())
            .collect()
    };
    assert_eq!(
        names(&all, &Config::default()),
        [
            "dashboard-signals",
            "recent-deployments",
            "cloud-health-events"
        ]
    );
    let mut some = all.clone();
    some.health = None;
    some.metrics = None;
    assert_eq!(names(&some, &Config::default()), ["recent-deployments"]);
    let mut off = Config::default();
    off.deployments.enabled = false;
    assert_eq!(
        names(&all, &off),
        ["dashboard-signals", "cloud-health-events"]
    );
    let mut bad = Config::default();
    bad.dashboard.window = Duration::from_secs(90);
    let err = first_five_minutes::diagnoses(&all, &bad).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let mut bad = Config::default();
    bad.health.confidence = 1.5;
    assert!(first_five_minutes::diagnoses(&all, &bad).is_err());
}

#[tokio::test(start_paused = true)]
async fn a_runbook_ranks_a_deployment_just_before_detection_first() {
    let w = OnWorld::new(
        WorldConfig::default(),
        &["bedrock-throttling"],
        &CatalogConfig::default(),
    );
    // The deployment lowers the hit rate; Bedrock cannot take the extra calls.
    w.world
        .schedule(
            w.world.at(mins(1)),
            WorldChange::Deploy {
                service: "cato-orchestrator".into(),
                version: "v2.3.0".into(),
                author: Some("bob".into()),
                description: "semantic cache keys include the locale".into(),
                source: None,
            },
        )
        .unwrap();
    w.world
        .schedule(
            w.world.at(mins(1)),
            WorldChange::CacheHitRatio {
                cache: "cato-cache".into(),
                ratio: 0.75,
            },
        )
        .unwrap();
    w.run_until(mins(6)).await;
    let incident = w.open("bedrock-throttling").await;
    let causes: Vec<_> = incident
        .root_causes()
        .iter()
        .map(|c| c.cause.as_str())
        .collect();
    assert_eq!(
        causes,
        [
            "recent deployment cato-orchestrator v2.3.0",
            "Bedrock quota too low for demand (L-XXXXXXXX)"
        ],
        "{}",
        shown(&incident)
    );
}

#[tokio::test(start_paused = true)]
async fn every_runbook_runs_the_first_five_minutes() {
    let world = World::default();
    let ports = world.ports("test");
    let p: Providers = ports.providers(world.clock_handle());
    for entry in cato_runbook_core::catalog::entries() {
        let runbook = (entry.build)(&p, &CatalogConfig::default()).unwrap();
        let names: Vec<_> = runbook
            .diagnoses()
            .iter()
            .map(|d| d.name().to_owned())
            .collect();
        for check in [
            "recent-deployments",
            "cloud-health-events",
            "dashboard-signals",
        ] {
            assert!(
                names.iter().any(|n| n == check),
                "{}: no {check} in {names:?}",
                entry.id
            );
        }
    }
    // A runbook can turn a check off.
    let mut config = CatalogConfig::default();
    config.budget_exceeded.first_five_minutes.dashboard.enabled = false;
    let runbook = cato_runbook_core::catalog::build("budget-exceeded", &p, &config).unwrap();
    assert!(
        runbook
            .diagnoses()
            .iter()
            .all(|d| d.name() != "dashboard-signals")
    );
}

mod sources;
