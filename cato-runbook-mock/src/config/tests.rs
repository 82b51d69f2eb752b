use super::*;

#[test]
fn defaults_are_valid_and_named_after_the_runbook() {
    let c = WorldConfig::default();
    c.validate().unwrap();
    let e = &c.endpoints[0];
    assert_eq!(e.name, "cato-shadow-self");
    assert_eq!(e.variant, "primary");
    assert_eq!(e.current_config, "cato-shadow-self-config");
    assert_eq!(e.configs[0].name, "cato-shadow-self-config-v1");
    assert_eq!(c.caches[0].id, "cato-cache");
    assert_eq!(c.tables[0].name, "cato-semantic-memory");
    assert_eq!(
        (
            c.workloads[0].namespace.as_str(),
            c.workloads[0].name.as_str()
        ),
        ("cato", "cato-orchestrator")
    );
    assert_eq!(c.quotas.quotas[0].service, "bedrock");
}

#[test]
fn round_trips_through_toml() {
    let c = WorldConfig::default();
    let text = toml::to_string(&c).unwrap();
    let back: WorldConfig = toml::from_str(&text).unwrap();
    assert_eq!(back, c);
}

#[test]
fn bad_configs_name_the_field() {
    let mut c = WorldConfig::default();
    c.endpoints[0].current_config = "nope".into();
    let err = c.validate().unwrap_err();
    assert!(
        err.message().contains("endpoints[0].current_config"),
        "{err}"
    );

    let mut c = WorldConfig::default();
    c.caches[0].node_type = "cache.bogus".into();
    assert!(
        c.validate()
            .unwrap_err()
            .message()
            .contains("caches[0].node_type")
    );

    let mut c = WorldConfig::default();
    c.traffic.shadow_self_share = 1.5;
    assert!(c.validate().is_err());

    let unknown = toml::from_str::<WorldConfig>("[traffic]\nrequests = 3");
    assert!(unknown.is_err());
}
