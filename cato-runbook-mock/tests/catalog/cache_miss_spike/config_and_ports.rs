//! The config's defaults and TOML, and the ports the catalog entry names.

use std::time::Duration;

use cato_runbook_core::catalog::{self, CatalogConfig, PortName, Providers};
use cato_runbook_core::ports::SystemClock;
use cato_runbook_mock::World;

use super::ID;

#[test]
fn config_defaults_to_the_runbook_and_reads_toml() {
    let c = CatalogConfig::default().cache_miss_spike;
    assert_eq!(c.cache, "cato-cache");
    assert_eq!(c.hit_rate_below, 0.70);
    assert_eq!(c.node_type, "cache.r7g.2xlarge");
    assert_eq!(c.invalidations_namespace, "Custom/Cato");
    assert_eq!(c.invalidations_metric, "CacheInvalidations");

    let c: CatalogConfig = toml::from_str(
        r#"
        [cache-miss-spike]
        hit_rate_below = 0.8
        node_type = "cache.r7g.4xlarge"
        node_type_verify_after = "45m"
        "#,
    )
    .unwrap();
    assert_eq!(c.cache_miss_spike.hit_rate_below, 0.8);
    assert_eq!(c.cache_miss_spike.node_type, "cache.r7g.4xlarge");
    assert_eq!(
        c.cache_miss_spike.node_type_verify_after,
        Duration::from_secs(45 * 60)
    );
    assert_eq!(c.cache_miss_spike.min_lookups, 100);
    assert!(toml::from_str::<CatalogConfig>("[cache-miss-spike]\nhit_rate = 0.8").is_err());

    let mut bad = CatalogConfig::default();
    bad.cache_miss_spike.hit_rate_below = 1.5;
    let world = World::default();
    let ports = world.ports("r");
    let err = catalog::build(ID, &ports.providers(world.clock_handle()), &bad).unwrap_err();
    assert!(err.message().contains("hit_rate_below"), "{err}");
}

#[test]
fn entry_names_its_ports() {
    let entry = catalog::entry(ID).unwrap();
    assert_eq!(entry.title, "Cache Miss Spike");
    assert!(entry.needs.contains(&PortName::CacheStats));
    let providers = Providers::new(std::sync::Arc::new(SystemClock));
    let err = catalog::build(ID, &providers, &CatalogConfig::default()).unwrap_err();
    assert!(err.message().contains("cache_stats"), "{err}");
}
