//! "CloudWatch alarms → PagerDuty → On-call": alarm detectors joined to the catalog's runbooks
//! by `[runbooks.alarms]`, on the fake alarms.

use std::time::Duration;

use cato_runbook_core::catalog::alarms::AlarmRule;
use cato_runbook_core::catalog::{self, CatalogConfig};
use cato_runbook_core::ports::{AlarmValue, Clock, Dimension, Metrics as _, Statistic};
use cato_runbook_core::runbook::{Observation, ObserveContext};
use cato_runbook_core::{ErrorKind, time};
use cato_runbook_mock::config::{AlarmMetric, AlarmSpec, Comparison};
use cato_runbook_mock::{Harness, Op, World, WorldChange, WorldConfig};

const ENDPOINT: &str = "cato-shadow-self";

fn scripted(name: &str) -> AlarmSpec {
    AlarmSpec {
        name: name.into(),
        state: AlarmValue::Ok,
        reason: String::new(),
        metric: None,
    }
}

fn world(alarms: Vec<AlarmSpec>) -> World {
    let config = WorldConfig {
        alarms,
        ..WorldConfig::default()
    };
    World::new(config).unwrap()
}

fn set(world: &World, at: Duration, alarm: &str, state: AlarmValue) {
    let change = WorldChange::AlarmState {
        alarm: alarm.into(),
        state,
        reason: format!("set to {state}"),
    };
    world.schedule_in(at, change).unwrap();
}

fn catalog() -> CatalogConfig {
    let mut config = CatalogConfig::default();
    config.alarms.add(
        "shadow-self-down",
        AlarmRule::new("cato-shadow-self-", ENDPOINT),
    );
    config
        .alarms
        .add("high-latency", AlarmRule::new("cato-latency-", "cato-api"));
    config
}

#[tokio::test(start_paused = true)]
async fn an_alarm_opens_its_runbooks_incident_and_ok_resolves_it() {
    let world = world(vec![
        scripted("cato-shadow-self-5xx"),
        scripted("cato-latency-p99"),
    ]);
    set(
        &world,
        Duration::from_secs(120),
        "cato-shadow-self-5xx",
        AlarmValue::Alarm,
    );
    set(
        &world,
        Duration::from_secs(20 * 60),
        "cato-shadow-self-5xx",
        AlarmValue::Ok,
    );
    let h = Harness::on(&world)
        .catalog(&["shadow-self-down"], &catalog())
        .build()
        .unwrap();
    h.run_until(Duration::from_secs(10 * 60)).await.unwrap();
    let open = h.incidents_of("shadow-self-down").await.unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].resource(), ENDPOINT);
    assert!(open[0].is_open());
    assert!(!world.alerts().is_empty(), "paged");
    h.run_until(Duration::from_secs(40 * 60)).await.unwrap();
    let after = h.incidents_of("shadow-self-down").await.unwrap();
    assert!(!after[0].is_open(), "{:?}", after[0].status());
}

#[tokio::test(start_paused = true)]
async fn insufficient_data_never_counts_as_healthy() {
    let world = world(vec![scripted("cato-shadow-self-5xx")]);
    set(
        &world,
        Duration::from_secs(60),
        "cato-shadow-self-5xx",
        AlarmValue::Alarm,
    );
    set(
        &world,
        Duration::from_secs(8 * 60),
        "cato-shadow-self-5xx",
        AlarmValue::InsufficientData,
    );
    let h = Harness::on(&world)
        .catalog(&["shadow-self-down"], &catalog())
        .build()
        .unwrap();
    h.run_until(Duration::from_secs(60 * 60)).await.unwrap();
    let incidents = h.incidents_of("shadow-self-down").await.unwrap();
    assert_eq!(incidents.len(), 1);
    assert!(incidents[0].is_open(), "{:?}", incidents[0].status());
}

#[tokio::test(start_paused = true)]
async fn states_map_to_symptom_healthy_and_unknown() {
    let world = world(vec![scripted("cato-shadow-self-5xx")]);
    let providers = world.ports("a").providers(world.clock_handle());
    let runbook = catalog::build("shadow-self-down", &providers, &catalog()).unwrap();
    let detector = runbook
        .detectors()
        .iter()
        .find(|d| d.name() == "alarms:cato-shadow-self-")
        .unwrap()
        .clone();
    assert_eq!(detector.resource(), ENDPOINT);
    let look = |at| {
        let d = detector.clone();
        async move { d.observe(&ObserveContext::new(at)).await }
    };
    assert!(look(world.now()).await.unwrap().is_healthy());
    for (state, healthy) in [
        (AlarmValue::Alarm, false),
        (AlarmValue::InsufficientData, false),
    ] {
        world
            .apply(WorldChange::AlarmState {
                alarm: "cato-shadow-self-5xx".into(),
                state,
                reason: "Threshold Crossed".into(),
            })
            .unwrap();
        world.clock().sleep(Duration::from_secs(60)).await;
        match look(world.now()).await {
            Ok(Observation::Symptom(s)) => {
                assert_eq!(state, AlarmValue::Alarm);
                assert!(s.summary.contains("cato-shadow-self-5xx"), "{}", s.summary);
                assert!(s.evidence[0].contains("Threshold Crossed"), "{s:?}");
            }
            Ok(other) => panic!("{state} read as {other:?}"),
            Err(err) => {
                assert!(!healthy);
                assert_eq!(state, AlarmValue::InsufficientData);
                assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn one_describe_per_tick_serves_every_alarm_detector() {
    let world = world(vec![
        scripted("cato-shadow-self-5xx"),
        scripted("cato-latency-p99"),
    ]);
    let h = Harness::on(&world)
        .catalog(&["shadow-self-down", "high-latency"], &catalog())
        .build()
        .unwrap();
    let ticks = h.run_until(Duration::from_secs(5 * 60)).await.unwrap();
    let calls = world.calls().of(Op::AlarmsDescribe);
    assert_eq!(calls.len() as u64, ticks, "one read a tick");
    // The prefix both rules share.
    assert_eq!(calls[0].arg_str("prefix"), Some("cato-"));
}

#[tokio::test(start_paused = true)]
async fn sixty_rules_over_250_alarms_cost_three_pages_a_tick() {
    // 50 endpoints with five alarms each, a rule per endpoint in two runbooks.
    let alarms = (0..50)
        .flat_map(|e| (0..5).map(move |a| scripted(&format!("cato-ep{e:02}-{a}"))))
        .collect();
    let world = world(alarms);
    let mut config = CatalogConfig::default();
    for e in 0..30 {
        let rule = AlarmRule::new(format!("cato-ep{e:02}-"), format!("ep-{e:02}"));
        let runbook = if e % 2 == 0 {
            "shadow-self-down"
        } else {
            "high-latency"
        };
        config.alarms.add(runbook, rule);
    }
    let h = Harness::on(&world)
        .catalog(&["shadow-self-down", "high-latency"], &config)
        .build()
        .unwrap();
    let ticks = h.run_until(Duration::from_secs(5 * 60)).await.unwrap();
    let calls = world.calls().of(Op::AlarmsDescribe);
    // One read a tick for all thirty detectors: ⌈250 / 100⌉ pages.
    assert_eq!(calls.len() as u64, 3 * ticks);
    assert!(calls.iter().all(|c| c.arg_str("prefix") == Some("cato-ep")));
}

#[tokio::test(start_paused = true)]
async fn a_rule_without_alarms_or_a_port_is_unknown_or_an_error() {
    let world = world(vec![]);
    let providers = world.ports("a").providers(world.clock_handle());
    let runbook = catalog::build("shadow-self-down", &providers, &catalog()).unwrap();
    let d = runbook.detectors().last().unwrap().clone();
    let err = d.observe(&ObserveContext::new(world.now())).await;
    assert!(err.unwrap_err().message().contains("no alarm named"));
    let mut bare = providers.clone();
    bare.alarms = None;
    let err = catalog::build("shadow-self-down", &bare, &catalog()).unwrap_err();
    assert!(err.message().contains("alarms port"), "{err}");
    // Without rules, no alarms port is needed.
    catalog::build("shadow-self-down", &bare, &CatalogConfig::default()).unwrap();
}

#[test]
fn rules_are_validated_naming_the_key() {
    let bad: CatalogConfig = toml::from_str(
        r#"
        [alarms]
        shadow-self-down = [{ prefix = "", resource = "cato-shadow-self" }]
    "#,
    )
    .unwrap();
    let err = bad.alarms.validate().unwrap_err();
    assert_eq!(
        err.message(),
        "runbooks.alarms.shadow-self-down[0].prefix: is empty"
    );
    let unknown: CatalogConfig = toml::from_str(
        r#"
        [alarms]
        no-such-runbook = [{ prefix = "x-", resource = "x" }]
    "#,
    )
    .unwrap();
    let err = unknown.alarms.validate().unwrap_err();
    assert_eq!(
        err.message(),
        "runbooks.alarms.no-such-runbook: no such runbook"
    );
    let typo = toml::from_str::<CatalogConfig>(
        r#"
        [alarms]
        shadow-self-down = [{ prefx = "x-", resource = "x" }]
    "#,
    );
    assert!(typo.unwrap_err().to_string().contains("prefx"));
}

/// A custom metric the test puts each minute until `stop`.
async fn put_until(world: &World, stop: Duration, value: f64) {
    let metrics = world.metrics();
    let dims = [Dimension::new("Service", "cato")];
    while world.now() < world.at(stop) {
        metrics
            .put("Custom/Cato", "Errors", &dims, value, world.now())
            .await
            .unwrap();
        world.clock().sleep(Duration::from_secs(60)).await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_metric_alarm_fires_over_its_threshold_and_lacks_data_when_the_metric_stops() {
    let spec = AlarmSpec {
        metric: Some(AlarmMetric {
            namespace: "Custom/Cato".into(),
            metric: "Errors".into(),
            dimensions: vec![Dimension::new("Service", "cato")],
            statistic: Statistic::Sum,
            period: Duration::from_secs(60),
            evaluation_periods: 1,
            threshold: 10.0,
            comparison: Comparison::GreaterThan,
        }),
        ..scripted("cato-errors")
    };
    let world = world(vec![spec]);
    let alarms = world.alarms();
    let state = || async {
        use cato_runbook_core::ports::Alarms;
        let page = alarms.describe("cato-errors", 10, None).await.unwrap();
        page.alarms[0].clone()
    };
    put_until(&world, Duration::from_secs(3 * 60), 12.0).await;
    let firing = state().await;
    assert_eq!(firing.state, AlarmValue::Alarm, "{firing:?}");
    assert!(
        firing.reason.contains("greater than the threshold (10)"),
        "{firing:?}"
    );
    world.clock().sleep(Duration::from_secs(5 * 60)).await;
    let quiet = state().await;
    assert_eq!(quiet.state, AlarmValue::InsufficientData, "{quiet:?}");
    // It changed once the last minute with data was behind it.
    assert!(quiet.updated_at > firing.updated_at);
    assert!(quiet.updated_at <= time::add(world.at(Duration::ZERO), Duration::from_secs(5 * 60)));
}

#[tokio::test(start_paused = true)]
async fn every_page_is_a_call_and_a_foreign_token_is_refused() {
    use cato_runbook_core::ports::Alarms;
    let world = world(vec![scripted("a-1"), scripted("a-2"), scripted("a-3")]);
    let alarms = world.alarms();
    let first = alarms.describe("a-", 2, None).await.unwrap();
    assert_eq!(first.alarms.len(), 2);
    let second = alarms.describe("a-", 2, first.next_token).await.unwrap();
    assert_eq!(second.alarms[0].name, "a-3");
    assert!(second.next_token.is_none());
    let bad = alarms.describe("a-", 2, Some("nope".into())).await;
    assert_eq!(bad.unwrap_err().kind(), ErrorKind::InvalidInput);
    assert_eq!(world.calls().count(Op::AlarmsDescribe), 3);
    let unknown = world.apply(WorldChange::AlarmState {
        alarm: "b-1".into(),
        state: AlarmValue::Alarm,
        reason: String::new(),
    });
    assert_eq!(unknown.unwrap_err().kind(), ErrorKind::NotFound);
}
