//! The catalog builds it, names its missing ports and reads its config from TOML.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::catalog::shadow_self_down::{self, Config};
use cato_runbook_core::catalog::{self, CatalogConfig, Providers};
use cato_runbook_mock::World;

use super::ID;

#[tokio::test(start_paused = true)]
async fn the_catalog_builds_it_and_names_missing_ports() {
    let world = World::default();
    let ports = world.ports("replica-1");
    let mut providers = ports.providers(world.clock_handle());
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
