use super::*;
use crate::ErrorKind;

fn table() -> PriceTable {
    PriceTable::new(&PriceSettings::default()).unwrap()
}

#[test]
fn the_shipped_table_parses_and_prices_what_the_runbooks_scale() {
    let t = table();
    assert_eq!((t.region(), t.as_of()), ("us-east-1", "2026-12-02"));
    for kind in [
        "ml.g4dn.xlarge",
        "ml.g5.xlarge",
        "ml.m5.xlarge",
        "ml.p4d.24xlarge",
    ] {
        assert!(t.sagemaker(kind).is_some(), "{kind}");
    }
    for kind in [
        "cache.r7g.large",
        "cache.r7g.xlarge",
        "cache.r7g.2xlarge",
        "cache.r7g.4xlarge",
    ] {
        assert!(t.elasticache(kind).is_some(), "{kind}");
    }
    let e = t.estimate(&Capacity::EndpointInstances {
        instance_type: Some("ml.g5.xlarge".into()),
        added: 8,
        source: None,
    });
    assert!((e.usd_per_hour.unwrap() - 8.0 * 1.408).abs() < 1e-9);
    assert_eq!(e.to_string(), "~$11.26/h (~$270/day)");
    assert_eq!(e.basis, "8 × ml.g5.xlarge at $1.408/h");
}

#[test]
fn a_cache_node_type_change_costs_the_difference_on_every_node() {
    let e = table().estimate(&Capacity::CacheNodes {
        from: "cache.r7g.large".into(),
        to: "cache.r7g.2xlarge".into(),
        nodes: 2,
    });
    assert!((e.usd_per_hour.unwrap() - 2.0 * (0.873 - 0.219)).abs() < 1e-9);
}

#[test]
fn on_demand_is_the_demand_at_request_prices_less_the_provisioned_capacity() {
    let e = table().estimate(&Capacity::OnDemandTable {
        reads_per_second: 1000.0,
        writes_per_second: 500.0,
        provisioned_read: 1000,
        provisioned_write: 100,
    });
    // 1000 × 3600 / 1e6 × 0.125 + 500 × 3600 / 1e6 × 0.625 − (1000 × 0.00013 + 100 × 0.00065)
    let expected = 0.45 + 1.125 - (0.13 + 0.065);
    assert!((e.usd_per_hour.unwrap() - expected).abs() < 1e-9, "{e:?}");
}

#[test]
fn an_unknown_type_or_an_unset_pod_price_is_an_unknown_estimate() {
    let t = table();
    let e = t.estimate(&Capacity::EndpointInstances {
        instance_type: Some("ml.x9.huge".into()),
        added: 2,
        source: None,
    });
    assert_eq!(e.usd_per_hour, None);
    assert_eq!(
        e.to_string(),
        "unknown price (no price for ml.x9.huge in us-east-1)"
    );
    let untyped = t.estimate(&Capacity::EndpointInstances {
        instance_type: None,
        added: 2,
        source: None,
    });
    assert!(untyped.usd_per_hour.is_none() && untyped.adds_spend());
    let pods = t.estimate(&Capacity::Pods { added: 6 });
    assert!(
        pods.to_string().contains("no pod price configured"),
        "{pods}"
    );
    let cache = t.estimate(&Capacity::CacheNodes {
        from: "cache.r7g.large".into(),
        to: "cache.x9.large".into(),
        nodes: 2,
    });
    assert!(cache.usd_per_hour.is_none());
}

#[test]
fn the_policy_overrides_and_adds_prices() {
    let settings: PriceSettings = toml::from_str(
        r#"
        pod_hourly_usd = 0.1
        sagemaker = { "ml.g5.xlarge" = 1.0, "ml.custom.large" = 2.5 }
        elasticache = { "cache.x9.large" = 9.0 }
        dynamodb = { usd_per_million_writes = 1.0 }
        "#,
    )
    .unwrap();
    let t = PriceTable::new(&settings).unwrap();
    assert_eq!(t.sagemaker("ml.g5.xlarge"), Some(1.0));
    assert_eq!(t.sagemaker("ml.custom.large"), Some(2.5));
    assert_eq!(t.sagemaker("ml.g4dn.xlarge"), Some(0.736), "the rest stays");
    assert_eq!(t.elasticache("cache.x9.large"), Some(9.0));
    assert_eq!(t.dynamodb().usd_per_million_writes, 1.0);
    assert_eq!(t.dynamodb().usd_per_million_reads, 0.125);
    let pods = t.estimate(&Capacity::Pods { added: 6 });
    assert!((pods.usd_per_hour.unwrap() - 0.6).abs() < 1e-9);
}

#[test]
fn bad_settings_are_refused_naming_the_key() {
    let err = |settings: PriceSettings| PriceTable::new(&settings).unwrap_err();
    let e = err(PriceSettings {
        region: "mars-north-1".into(),
        ..PriceSettings::default()
    });
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("policy.prices.region"), "{e}");
    assert!(e.to_string().contains("us-east-1"), "{e}");
    let mut settings = PriceSettings::default();
    settings.sagemaker.insert("ml.g5.xlarge".into(), -1.0);
    let e = err(settings);
    assert!(
        e.to_string()
            .contains("policy.prices.sagemaker.\"ml.g5.xlarge\""),
        "{e}"
    );
    let e = err(PriceSettings {
        pod_hourly_usd: Some(f64::NAN),
        ..PriceSettings::default()
    });
    assert!(
        e.to_string().contains("policy.prices.pod_hourly_usd"),
        "{e}"
    );
    assert!(
        toml::from_str::<PriceSettings>("pods = 1.0").is_err(),
        "unknown keys are refused"
    );
}

#[test]
fn a_table_that_does_not_parse_is_a_typed_error() {
    let e = PriceTable::parse("region = 3").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("does not parse"), "{e}");
}
