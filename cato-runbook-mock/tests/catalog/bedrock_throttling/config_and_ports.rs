//! The config's defaults and TOML, and a missing port named when the runbook is built.

use cato_runbook_core::ErrorKind;
use cato_runbook_core::catalog::{self, CatalogConfig, Providers, bedrock_throttling};
use cato_runbook_core::ports::Clock;
use cato_runbook_mock::World;

use super::{ID, QUOTA, SHIFT, THRESHOLD, mins};

#[tokio::test(start_paused = true)]
async fn config_defaults_are_the_runbooks_and_read_from_toml() {
    let c = bedrock_throttling::Config::default();
    assert_eq!(c.quota.service, "bedrock");
    assert_eq!(c.quota.code, "L-XXXXXXXX");
    assert_eq!(c.quota.desired, 10_000.0);
    assert_eq!(c.log_group, "/cato/orchestrator");
    assert_eq!(c.log_pattern, "ThrottlingException");
    assert_eq!(c.traffic_shift.endpoint, "cato-shadow-self");
    let checks = c
        .first_five_minutes
        .or_watching(&bedrock_throttling::CLOUD_SERVICES);
    assert_eq!(checks.health.services, ["BEDROCK"]);

    let catalog: CatalogConfig = toml::from_str(
        r#"
        [bedrock-throttling]
        window = "10m"
        [bedrock-throttling.quota]
        code = "L-12345678"
        desired = 5000
        [bedrock-throttling.cache_threshold]
        ttl = "30m"
        "#,
    )
    .unwrap();
    let c = &catalog.bedrock_throttling;
    assert_eq!(c.window, mins(10));
    assert_eq!(c.quota.code, "L-12345678");
    assert_eq!(c.quota.service, "bedrock");
    assert_eq!(c.cache_threshold.ttl, mins(30));
    assert_eq!(c.cache_threshold.step, 0.05);
    assert!(toml::from_str::<CatalogConfig>("[bedrock-throttling]\nwindw = \"1m\"").is_err());

    let mut bad = CatalogConfig::default();
    bad.bedrock_throttling.traffic_shift.cap = 1.5;
    let world = World::default();
    let ports = world.ports("r");
    let err = catalog::build(ID, &ports.providers(world.clock_handle()), &bad).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("traffic_shift.cap"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_missing_port_is_named() {
    let world = World::default();
    let mut providers: Providers = world.ports("r").providers(world.clock_handle());
    providers.quotas = None;
    let err = catalog::build(ID, &providers, &CatalogConfig::default()).unwrap_err();
    assert!(err.message().contains("quotas"), "{err}");
    // The first-five-minutes ports are optional.
    let mut providers = world.ports("r").providers(world.clock_handle());
    providers.deployments = None;
    providers.health = None;
    let runbook = catalog::build(ID, &providers, &CatalogConfig::default()).unwrap();
    let names: Vec<_> = runbook.diagnoses().iter().map(|d| d.name()).collect();
    assert_eq!(
        names,
        [
            "bedrock-quota",
            "throttling-logs",
            "traffic-controls",
            "dashboard-signals"
        ]
    );
    let ladder: Vec<_> = runbook.ladder().iter().map(|s| s.name()).collect();
    assert_eq!(ladder, [QUOTA, THRESHOLD, SHIFT]);
    assert_eq!(world.clock_handle().now(), world.now());
}
