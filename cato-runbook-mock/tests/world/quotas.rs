//! Bedrock and its quota: throttling until the quota grows; a denied request changes nothing.

use std::time::Duration;

use cato_runbook_core::ports::{Logs, QuotaRequestStatus, Quotas, Statistic};
use cato_runbook_mock::{World, WorldChange, WorldConfig};

use crate::support::{MINUTE, key, over_last, query, wait};

#[tokio::test(start_paused = true)]
async fn bedrock_throttles_until_the_quota_grows() {
    let world = World::default();
    world
        .apply(WorldChange::RequestRate {
            requests_per_minute: 6000.0,
        })
        .unwrap();
    wait(&world, 5 * MINUTE).await;
    let model = world.config().bedrock.model_id.clone();
    let throttles = over_last(
        &world,
        5,
        query(
            "t",
            "AWS/Bedrock",
            "InvocationThrottles",
            &[("ModelId", &model)],
            Statistic::Sum,
        ),
    )
    .await
    .unwrap();
    assert!(throttles > 0.0);
    let lines = world
        .logs()
        .filter(
            "/cato/orchestrator",
            "ThrottlingException",
            world.at(Duration::ZERO),
            100,
        )
        .await
        .unwrap();
    assert!(!lines.is_empty());

    let quotas = world.quotas();
    let request = quotas
        .request_increase("bedrock", "L-XXXXXXXX", 10_000.0, &key("quota"))
        .await
        .unwrap();
    assert_eq!(request.status, QuotaRequestStatus::Pending);
    wait(&world, 10 * MINUTE).await;
    assert_eq!(
        quotas.request_status(&request.id).await.unwrap().status,
        QuotaRequestStatus::CaseOpened
    );
    wait(&world, 25 * MINUTE).await;
    assert_eq!(
        quotas.request_status(&request.id).await.unwrap().status,
        QuotaRequestStatus::Approved
    );
    assert_eq!(
        quotas.get("bedrock", "L-XXXXXXXX").await.unwrap().value,
        10_000.0
    );
    wait(&world, 5 * MINUTE).await;
    let throttles = over_last(
        &world,
        5,
        query(
            "t",
            "AWS/Bedrock",
            "InvocationThrottles",
            &[("ModelId", &model)],
            Statistic::Sum,
        ),
    )
    .await
    .unwrap();
    assert_eq!(throttles, 0.0);
}

#[tokio::test(start_paused = true)]
async fn denied_quota_requests_change_nothing() {
    let mut config = WorldConfig::default();
    config.quotas.decision = cato_runbook_mock::config::QuotaDecision::Deny;
    let world = World::new(config).unwrap();
    let request = world
        .quotas()
        .request_increase("bedrock", "L-XXXXXXXX", 500.0, &key("quota"))
        .await
        .unwrap();
    wait(&world, 31 * MINUTE).await;
    let read = world.quotas().request_status(&request.id).await.unwrap();
    assert_eq!(read.status, QuotaRequestStatus::Denied);
    assert_eq!(
        world
            .quotas()
            .get("bedrock", "L-XXXXXXXX")
            .await
            .unwrap()
            .value,
        200.0
    );
}
