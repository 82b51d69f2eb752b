//! Bedrock Throttling: the quota request, the cache threshold and the traffic shift, each sent
//! twice; the two traffic steps reverted twice.

use cato_runbook_core::Result;
use cato_runbook_core::catalog::CatalogConfig;
use cato_runbook_core::ports::{QuotaRequestStatus, Quotas};
use cato_runbook_mock::{Op, WorldChange, WorldConfig};

use super::{Rung, Twins, alike, applied, apply_twice, minutes, record, repeated, revert_twice};

const ID: &str = "bedrock-throttling";

/// Twins where Bedrock has throttled 30 % of the calls for five minutes.
async fn throttled() -> Result<Twins> {
    let twins = Twins::new(WorldConfig::default())?;
    twins.apply(WorldChange::BedrockThrottling { share: 0.3 })?;
    twins.wait(minutes(5)).await;
    Ok(twins)
}

fn rung(step: &'static str, diagnosis: &'static [&'static str]) -> Rung {
    let model = CatalogConfig::default().bedrock_throttling.model_id;
    Rung::new(ID, model, step).diagnosed_by(diagnosis)
}

#[tokio::test(start_paused = true)]
async fn request_quota_increase_applied_twice_opens_one_request() {
    let twins = throttled().await.unwrap();
    let (twice, once) = twins
        .plan(&rung("request-quota-increase", &["bedrock-quota"]))
        .await
        .unwrap();
    assert!(!twice.plan.reversible);
    let quota = CatalogConfig::default().bedrock_throttling.quota;
    let desired = quota.desired;
    assert_eq!(
        twice.plan.changes[0].after,
        format!("{desired} (requested)")
    );

    // The repeat is answered with the first request (same id, as it stood then), not refused
    // as "a request for this quota is already pending".
    let line = apply_twice(&twice, &once, minutes(1)).await.unwrap();
    let id = line
        .split("request ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_owned();
    // Service Quotas decides 30 minutes after the request.
    alike(&twice, &once, minutes(31)).await;

    let request = twice.world.quotas().request_status(&id).await.unwrap();
    assert_eq!(
        request,
        once.world.quotas().request_status(&id).await.unwrap()
    );
    assert_eq!(
        (request.status, request.desired),
        (QuotaRequestStatus::Approved, desired)
    );
    for case in [&twice, &once] {
        let now = case.world.quotas().get(&quota.service, &quota.code).await;
        assert_eq!(
            now.unwrap().value,
            desired,
            "the quota took the one request"
        );
    }

    let key = twice.key();
    assert_eq!(
        record(&twice, Op::QuotasRequestIncrease),
        [applied(&key), repeated(&key)]
    );
    assert_eq!(record(&once, Op::QuotasRequestIncrease), [applied(&key)]);
}

#[tokio::test(start_paused = true)]
async fn lower_cache_threshold_applied_twice_lowers_it_one_step() {
    let twins = throttled().await.unwrap();
    let (twice, once) = twins
        .plan(&rung("lower-cache-threshold", &["traffic-controls"]))
        .await
        .unwrap();
    assert!(twice.plan.lasts_for.is_some(), "a temporary change");
    let before: f64 = twice.plan.changes[0].before.parse().unwrap();
    let target: f64 = twice.plan.changes[0].after.parse().unwrap();
    assert_eq!((before, target), (0.92, 0.87));

    apply_twice(&twice, &once, minutes(1)).await.unwrap();
    let world = alike(&twice, &once, minutes(1)).await;
    assert_eq!(
        world.traffic.cache_similarity_threshold, target,
        "0.87, not 0.82"
    );

    let lines = revert_twice(&twice, &once, minutes(1)).await.unwrap();
    assert_eq!(lines[0], "cache similarity threshold back to 0.92");
    // The second revert finds 0.92, not the 0.87 the step set, and leaves it: no call.
    assert!(
        lines[1].starts_with("cache similarity threshold left at 0.92"),
        "{lines:?}"
    );
    let world = alike(&twice, &once, minutes(1)).await;
    assert_eq!(world.traffic.cache_similarity_threshold, before);

    let (key, back) = (twice.key(), twice.revert_key());
    let op = Op::TrafficSetCacheSimilarityThreshold;
    assert_eq!(
        record(&twice, op),
        [applied(&key), repeated(&key), applied(&back)]
    );
    assert_eq!(record(&once, op), [applied(&key), applied(&back)]);
}

#[tokio::test(start_paused = true)]
async fn shift_to_shadow_self_applied_twice_shifts_one_step() {
    let twins = throttled().await.unwrap();
    let (twice, once) = twins
        .plan(&rung("shift-to-shadow-self", &["traffic-controls"]))
        .await
        .unwrap();
    let before: f64 = twice.plan.changes[0].before.parse().unwrap();
    let target: f64 = twice.plan.changes[0].after.parse().unwrap();
    assert_eq!((before, target), (0.5, 0.7));

    apply_twice(&twice, &once, minutes(1)).await.unwrap();
    let world = alike(&twice, &once, minutes(1)).await;
    assert_eq!(world.traffic.shadow_self_share, target, "0.7, not 0.9");

    let lines = revert_twice(&twice, &once, minutes(1)).await.unwrap();
    assert_eq!(lines[0], "Shadow Self share of LLM traffic back to 0.50");
    assert!(
        lines[1].starts_with("Shadow Self share of LLM traffic left at 0.50"),
        "{lines:?}"
    );
    let world = alike(&twice, &once, minutes(1)).await;
    assert_eq!(world.traffic.shadow_self_share, before);

    let (key, back) = (twice.key(), twice.revert_key());
    let op = Op::TrafficSetShadowSelfShare;
    assert_eq!(
        record(&twice, op),
        [applied(&key), repeated(&key), applied(&back)]
    );
    assert_eq!(record(&once, op), [applied(&key), applied(&back)]);
}
