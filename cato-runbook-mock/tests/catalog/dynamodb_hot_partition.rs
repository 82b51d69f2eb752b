//! DynamoDB Hot Partition on the fakes.

use std::time::Duration;

use cato_runbook_core::catalog::{self, CatalogConfig, dynamodb_hot_partition, facts};
use cato_runbook_core::ports::{BillingMode, Tables};
use cato_runbook_core::{Severity, Status};
use cato_runbook_mock::{Op, World, WorldChange, WorldConfig};

use crate::engine_on_world::*;

const ID: &str = "dynamodb-hot-partition";
const TABLE: &str = "cato-semantic-memory";
const ON_DEMAND: &str = "switch-to-on-demand";

fn mins(n: u64) -> Duration {
    Duration::from_secs(60 * n)
}

/// At T+2m, `read` RCU a second, `hot` of them on one partition.
fn demand(w: &OnWorld, read: f64, hot: f64) {
    let at = w.world.at(mins(2));
    w.world
        .schedule(
            at,
            WorldChange::TableDemand {
                table: TABLE.into(),
                read: Some(read),
                write: None,
            },
        )
        .unwrap();
    w.world
        .schedule(
            at,
            WorldChange::TableHotPartition {
                table: TABLE.into(),
                share: hot,
            },
        )
        .unwrap();
}

/// A table provisioned well above its demand, so that only a hot key throttles it.
fn roomy() -> WorldConfig {
    let mut config = WorldConfig::default();
    config.tables[0].read_capacity = 4000;
    config
}

fn exception_line(domain: &str) -> WorldChange {
    WorldChange::Log {
        group: "/cato/orchestrator".into(),
        stream: "cato-orchestrator-1".into(),
        message: format!(
            "ERROR ProvisionedThroughputExceededException on {TABLE} domain={domain} op=Query"
        ),
    }
}

#[tokio::test(start_paused = true)]
async fn on_demand_ends_throttling_on_exhausted_capacity() {
    let w = OnWorld::new(WorldConfig::default(), &[ID], &CatalogConfig::default());
    demand(&w, 1500.0, 0.0);
    w.run_until(mins(40)).await;

    let incident = w.incident(ID).await;
    let timeline = shown(&incident);
    assert_eq!(incident.resource(), TABLE);
    assert_eq!(incident.severity(), Severity::Sev3, "{timeline}");
    assert!(w.minutes(incident.detected_at()) <= 4.0, "{timeline}");
    assert_eq!(incident.status(), Status::Resolved, "{timeline}");
    assert_eq!(applied(&incident), [ON_DEMAND]);
    assert!(
        detail(&incident, "mitigation_planned", ON_DEMAND)
            .contains("billing mode: PROVISIONED → PAY_PER_REQUEST"),
        "{timeline}"
    );
    assert!(detail(&incident, "mitigation_planned", ON_DEMAND).contains("about $489/month"));
    // The engine's estimate, from the shipped table at the same list prices.
    assert!(
        detail(&incident, "mitigation_planned", ON_DEMAND).contains("adds ~$0.67/h (~$16/day)"),
        "{timeline}"
    );
    assert_eq!(
        incident.root_causes()[0].cause,
        "provisioned capacity exhausted (reads)"
    );
    assert!(incident.timeline().first("approval_requested").is_none());

    let calls = w.world.calls();
    let switched = calls.applied(Op::TablesSetBillingMode);
    assert_eq!(switched.len(), 1);
    assert_eq!(switched[0].arg_str("mode"), Some("PAY_PER_REQUEST"));
    assert_eq!(
        switched[0].key.as_ref().unwrap().as_str(),
        format!("{}:{ON_DEMAND}", incident.id())
    );
    let table = w.world.tables().describe(TABLE).await.unwrap();
    assert_eq!(table.billing_mode, BillingMode::PayPerRequest);
    assert!(w.world.alerts().is_empty(), "SEV3 does not page");
}

#[tokio::test(start_paused = true)]
async fn a_hot_key_stays_hot_on_demand_and_goes_to_people() {
    let w = OnWorld::new(roomy(), &[ID], &CatalogConfig::default());
    demand(&w, 3500.0, 0.9);
    w.run_until(mins(40)).await;

    let incident = w.incident(ID).await;
    let timeline = shown(&incident);
    assert!(incident.is_open(), "{timeline}");
    assert_eq!(applied(&incident), [ON_DEMAND], "{timeline}");
    assert!(
        detail(&incident, "verification_failed", ON_DEMAND)
            .contains("a hot key range beyond a partition's limits"),
        "{timeline}"
    );
    assert!(timeline.contains("switch-to-on-demand cannot be undone; left in place"));
    assert!(incident.automation().exhausted);
    assert!(timeline.contains("escalated"), "{timeline}");
    assert!(
        incident.root_causes()[0].cause.starts_with("hot partition"),
        "{:?}",
        incident.root_causes()
    );
    assert_eq!(w.world.calls().applied(Op::TablesSetBillingMode).len(), 1);
    let runbook = catalog::build(
        ID,
        &w.ports.providers(w.world.clock_handle()),
        &CatalogConfig::default(),
    )
    .unwrap();
    assert_eq!(runbook.prevention(), dynamodb_hot_partition::PREVENTION);
}

#[tokio::test(start_paused = true)]
async fn a_table_on_demand_already_is_not_switched_again() {
    let mut config = roomy();
    config.tables[0].billing_mode = BillingMode::PayPerRequest;
    let w = OnWorld::new(config, &[ID], &CatalogConfig::default());
    demand(&w, 3500.0, 0.9);
    w.run_until(mins(10)).await;
    let incident = w.open(ID).await;
    let timeline = shown(&incident);
    assert!(
        timeline.contains("mitigation_skipped switch-to-on-demand: "),
        "{timeline}"
    );
    assert!(incident.automation().exhausted, "{timeline}");
    assert!(applied(&incident).is_empty());
    assert_eq!(w.world.calls().count(Op::TablesSetBillingMode), 0);
    assert_eq!(
        incident.root_causes()[0].cause,
        "hot partition: demand concentrated on one key range beyond a partition's limits"
    );
}

#[tokio::test(start_paused = true)]
async fn a_costly_switch_waits_for_approval() {
    let w = OnWorld::new(WorldConfig::default(), &[ID], &CatalogConfig::default());
    demand(&w, 6000.0, 0.0);
    w.run_until(mins(6)).await;
    let incident = w.open(ID).await;
    let timeline = shown(&incident);
    assert!(
        detail(&incident, "approval_requested", ON_DEMAND)
            .contains("about $1967/month is above $1000"),
        "{timeline}"
    );
    assert_eq!(
        incident.severity(),
        Severity::Sev2,
        "most requests throttled: {timeline}"
    );
    assert_eq!(w.world.alerts().len(), 1);
    assert_eq!(w.world.calls().count(Op::TablesSetBillingMode), 0);
    w.operator()
        .approve(incident.id(), ON_DEMAND, "alice")
        .await
        .unwrap();
    w.run_until(mins(40)).await;
    let incident = w.incident(ID).await;
    assert_eq!(incident.status(), Status::Resolved, "{}", shown(&incident));
    assert_eq!(w.world.calls().applied(Op::TablesSetBillingMode).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_denied_switch_leaves_the_table_and_goes_to_people() {
    let w = OnWorld::new(WorldConfig::default(), &[ID], &CatalogConfig::default());
    demand(&w, 6000.0, 0.0);
    w.run_until(mins(6)).await;
    let incident = w.open(ID).await;
    w.operator()
        .deny(incident.id(), ON_DEMAND, "alice", "finance says no")
        .await
        .unwrap();
    w.run_until(mins(10)).await;
    let incident = w.open(ID).await;
    assert!(incident.automation().exhausted);
    assert_eq!(w.world.calls().count(Op::TablesSetBillingMode), 0);
    let table = w.world.tables().describe(TABLE).await.unwrap();
    assert_eq!(table.billing_mode, BillingMode::Provisioned);
}

#[tokio::test(start_paused = true)]
async fn exception_lines_name_the_hot_domain() {
    let w = OnWorld::new(roomy(), &[ID], &CatalogConfig::default());
    demand(&w, 3500.0, 0.9);
    for (second, domain) in [
        (100, "physics"),
        (110, "physics"),
        (120, "biology"),
        (130, "physics"),
        (140, "physics"),
    ] {
        w.world
            .schedule(
                w.world.at(Duration::from_secs(second)),
                exception_line(domain),
            )
            .unwrap();
    }
    w.run_until(mins(5)).await;
    let incident = w.open(ID).await;
    let timeline = shown(&incident);
    let top = &incident.root_causes()[0];
    assert_eq!(
        top.cause, "hot partition on memory domain physics",
        "{timeline}"
    );
    assert_eq!(
        top.evidence,
        ["4 of 5 exception lines naming a domain name physics"]
    );
    let found = incident
        .findings()
        .iter()
        .find(|f| f.source == "affected-domains")
        .unwrap();
    assert!(
        found
            .summary
            .contains("domains affected: physics (4), biology (1)"),
        "{}",
        found.summary
    );
    assert_eq!(
        found.facts[facts::DOMAINS_TOP.name()].as_str(),
        Some("physics")
    );
}

#[tokio::test(start_paused = true)]
async fn exception_lines_alone_open_a_sev3_incident() {
    let w = OnWorld::new(WorldConfig::default(), &[ID], &CatalogConfig::default());
    for second in [20, 40, 60, 80] {
        w.world
            .schedule(
                w.world.at(Duration::from_secs(second)),
                exception_line("chemistry"),
            )
            .unwrap();
    }
    w.run_until(mins(3)).await;
    let incident = w.open(ID).await;
    assert_eq!(incident.severity(), Severity::Sev3);
    assert!(shown(&incident).contains("\"ProvisionedThroughputExceededException\" line(s)"));
}

#[tokio::test(start_paused = true)]
async fn a_quiet_hour_opens_nothing() {
    let w = OnWorld::new(WorldConfig::default(), &[ID], &CatalogConfig::default());
    w.run_until(mins(60)).await;
    assert!(w.incidents().await.is_empty());
    // Nothing changed but the engine's own records: the lease renewed every tick, the term's
    // fence written to the store.
    let calls = w.world.calls().all();
    assert!(
        calls
            .iter()
            .filter(|c| !["lease", "incident_store"].contains(&c.op.port()))
            .all(|c| !c.op.mutates())
    );
}

#[tokio::test(start_paused = true)]
async fn config_defaults_are_the_runbooks_and_read_from_toml() {
    let c = dynamodb_hot_partition::Config::default();
    assert_eq!(c.table, TABLE);
    assert_eq!(c.log_pattern, "ProvisionedThroughputExceededException");
    let watching = |c: &dynamodb_hot_partition::Config| {
        c.first_five_minutes
            .or_watching(&dynamodb_hot_partition::CLOUD_SERVICES)
            .health
            .services
    };
    assert_eq!(watching(&c), ["DYNAMODB"]);
    let catalog: CatalogConfig = toml::from_str(
        r#"
        [dynamodb-hot-partition]
        table = "cato-episodic-memory"
        [dynamodb-hot-partition.on_demand]
        verify_after = "15m"
        [dynamodb-hot-partition.first_five_minutes.deployments]
        suspect_within = "30m"
        "#,
    )
    .unwrap();
    let c = &catalog.dynamodb_hot_partition;
    assert_eq!(c.table, "cato-episodic-memory");
    assert_eq!(c.on_demand.verify_after, mins(15));
    assert_eq!(c.on_demand.usd_per_million_reads, 0.125);
    assert_eq!(c.first_five_minutes.deployments.suspect_within, mins(30));
    assert_eq!(
        watching(c),
        ["DYNAMODB"],
        "kept when other checks' settings change"
    );
    assert!(toml::from_str::<CatalogConfig>("[dynamodb-hot-partition]\ntabel = \"x\"").is_err());

    let world = World::default();
    let ports = world.ports("r");
    let mut bad = CatalogConfig::default();
    bad.dynamodb_hot_partition.near_capacity = 2.0;
    assert!(catalog::build(ID, &ports.providers(world.clock_handle()), &bad).is_err());
    let mut without = ports.providers(world.clock_handle());
    without.tables = None;
    let err = catalog::build(ID, &without, &CatalogConfig::default()).unwrap_err();
    assert!(err.message().contains("tables"), "{err}");
}
