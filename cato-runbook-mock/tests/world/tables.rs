//! DynamoDB tables: on-demand billing stops throttling, a hot partition throttles anyway.

use std::time::Duration;

use cato_runbook_core::Timestamp;
use cato_runbook_core::ports::{BillingMode, Metrics, Statistic, Tables};
use cato_runbook_mock::{World, WorldChange};

use crate::support::{MINUTE, key, over_last, query, wait};

/// The one-minute sums of a table's `AWS/DynamoDB` metric over `[start, end)`.
#[allow(clippy::unwrap_used)] // A read that fails fails the test.
async fn minutes(
    world: &World,
    table: &str,
    metric: &str,
    start: Timestamp,
    end: Timestamp,
) -> Vec<f64> {
    let q = query(
        "m",
        "AWS/DynamoDB",
        metric,
        &[("TableName", table)],
        Statistic::Sum,
    );
    let answer = world.metrics().query(&[q], start, end).await.unwrap();
    answer[0].points.iter().map(|p| p.value).collect()
}

/// Peak consumed read capacity a second, and throttled requests, over `[start, end)`.
async fn use_of(world: &World, table: &str, start: Timestamp, end: Timestamp) -> (f64, f64) {
    let consumed = minutes(world, table, "ConsumedReadCapacityUnits", start, end).await;
    let mut throttled = minutes(world, table, "ReadThrottleEvents", start, end).await;
    throttled.extend(minutes(world, table, "WriteThrottleEvents", start, end).await);
    (
        consumed.into_iter().fold(0.0, f64::max) / 60.0,
        throttled.into_iter().sum(),
    )
}

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
    let (consumed, throttled) = use_of(&world, table, world.at(Duration::ZERO), world.now()).await;
    assert!(
        throttled > 0.0 && consumed <= 1000.0,
        "{consumed} RCU, {throttled} throttled"
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
    let (consumed, throttled) = use_of(
        &world,
        table,
        world.at(Duration::from_secs(10 * 60)),
        world.now(),
    )
    .await;
    assert_eq!(throttled, 0.0);
    assert_eq!(consumed, 1500.0);
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
    let (_, throttled) = use_of(&world, table, start, world.now()).await;
    assert_eq!(throttled, (5000.0 * 0.9 - 3000.0) * 60.0 * 3.0);
}
