//! DynamoDB tables: on-demand billing stops throttling, a hot partition throttles anyway.

use std::time::Duration;

use cato_runbook_core::ports::{BillingMode, Statistic, Tables};
use cato_runbook_mock::{World, WorldChange};

use crate::support::{MINUTE, key, over_last, query, wait};

#[tokio::test(start_paused = true)]
async fn on_demand_billing_stops_throttling() {
    let world = World::default();
    let table = "cato-semantic-memory";
    world
        .apply(WorldChange::TableDemand {
            table: table.into(),
            read: Some(1500.0),
            write: None,
        })
        .unwrap();
    wait(&world, 5 * MINUTE).await;
    let tables = world.tables();
    let hot = tables
        .capacity(table, world.at(Duration::ZERO), world.now())
        .await
        .unwrap();
    assert!(
        hot.throttle_events > 0 && hot.consumed_read <= 1000.0,
        "{hot:?}"
    );
    let reads = over_last(
        &world,
        5,
        query(
            "r",
            "AWS/DynamoDB",
            "ReadThrottleEvents",
            &[("TableName", table)],
            Statistic::Sum,
        ),
    )
    .await
    .unwrap();
    assert!(reads > 0.0);

    tables
        .set_billing_mode(table, BillingMode::PayPerRequest, &key("on-demand"))
        .await
        .unwrap();
    let updating = tables.describe(table).await.unwrap();
    assert_eq!(
        (updating.status.as_str(), updating.billing_mode),
        ("UPDATING", BillingMode::PayPerRequest)
    );
    wait(&world, 4 * MINUTE).await;
    let active = tables.describe(table).await.unwrap();
    assert_eq!(
        (active.status.as_str(), active.read_capacity),
        ("ACTIVE", 0)
    );
    wait(&world, 5 * MINUTE).await;
    let calm = tables
        .capacity(table, world.at(Duration::from_secs(10 * 60)), world.now())
        .await
        .unwrap();
    assert_eq!(calm.throttle_events, 0, "{calm:?}");
    assert_eq!(calm.consumed_read, 1500.0);
}

#[tokio::test(start_paused = true)]
async fn a_hot_partition_throttles_even_on_demand() {
    let world = World::default();
    let table = "cato-semantic-memory";
    world
        .tables()
        .set_billing_mode(table, BillingMode::PayPerRequest, &key("on-demand"))
        .await
        .unwrap();
    wait(&world, 5 * MINUTE).await;
    world
        .apply(WorldChange::TableDemand {
            table: table.into(),
            read: Some(5000.0),
            write: None,
        })
        .unwrap();
    world
        .apply(WorldChange::TableHotPartition {
            table: table.into(),
            share: 0.9,
        })
        .unwrap();
    let start = world.now();
    wait(&world, 3 * MINUTE).await;
    let c = world
        .tables()
        .capacity(table, start, world.now())
        .await
        .unwrap();
    assert_eq!(c.throttle_events, (5000.0 * 0.9 - 3000.0) as u64 * 60 * 3);
}
