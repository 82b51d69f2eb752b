//! The quota request: approved, it ends the incident; denied or unanswered, the ladder moves on;
//! a quota already at the desired value is not requested again.

use cato_runbook_core::catalog::{CatalogConfig, bedrock_throttling};
use cato_runbook_core::{Severity, Status};
use cato_runbook_mock::config::QuotaDecision;
use cato_runbook_mock::{Op, WorldChange};

use super::{
    ID, QUOTA, SHIFT, THRESHOLD, approve_quota_at, big_surge, mins, start, surge, traffic,
};
use crate::engine_on_world::*;

#[tokio::test(start_paused = true)]
async fn an_approved_quota_increase_ends_it_with_the_first_step() {
    let w = OnWorld::new(
        surge(QuotaDecision::Approve),
        &[ID],
        &CatalogConfig::default(),
    );
    start(&w, 3000.0);
    w.run_until(mins(3)).await;
    assert!(
        w.incidents().await.is_empty(),
        "not before the window sees it"
    );
    approve_quota_at(&w, 6).await;
    w.run_until(mins(40)).await;

    let incident = w.incident(ID).await;
    let timeline = shown(&incident);
    assert_eq!(incident.severity(), Severity::Sev3, "{timeline}");
    assert!(w.minutes(incident.detected_at()) <= 5.0, "{timeline}");
    assert_eq!(
        incident.resource(),
        bedrock_throttling::Config::default().model_id
    );
    assert_eq!(incident.status(), Status::Resolved, "{timeline}");
    assert_eq!(applied(&incident), [QUOTA], "{timeline}");
    assert!(detail(&incident, "verification_passed", QUOTA).contains("APPROVED"));
    let top = &incident.root_causes()[0];
    assert!(
        top.cause.starts_with("Bedrock quota too low for demand"),
        "{top:?}"
    );
    assert!(top.evidence[0].contains("225 calls/min against a quota of 200/min"));

    // Requested once; reading the request back is a repeat, not a second request.
    let calls = w.world.calls();
    assert_eq!(calls.applied(Op::QuotasRequestIncrease).len(), 1);
    assert_eq!(
        calls.applied(Op::QuotasRequestIncrease)[0].arg_f64("desired"),
        Some(10_000.0)
    );
    assert_eq!(calls.count(Op::QuotasRequestStatus), 1);
    assert!(
        calls
            .applied(Op::TrafficSetCacheSimilarityThreshold)
            .is_empty()
    );
    assert!(calls.applied(Op::TrafficSetShadowSelfShare).is_empty());
    // SEV3: chat, no page.
    assert!(w.world.alerts().is_empty());
    assert_eq!(w.incidents().await.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_denied_quota_lowers_the_threshold_then_shifts_traffic_and_restores_the_threshold() {
    let w = OnWorld::new(
        big_surge(QuotaDecision::Deny),
        &[ID],
        &CatalogConfig::default(),
    );
    start(&w, 4300.0);
    approve_quota_at(&w, 6).await;
    w.run_until(mins(60)).await;

    let incident = w.incident(ID).await;
    let timeline = shown(&incident);
    assert_eq!(incident.status(), Status::Resolved, "{timeline}");
    assert_eq!(applied(&incident), [QUOTA, THRESHOLD, SHIFT], "{timeline}");
    assert!(detail(&incident, "verification_failed", QUOTA).contains("DENIED"));
    assert!(detail(&incident, "verification_passed", THRESHOLD).contains("before"));
    assert_eq!(
        ladder(&incident)
            .iter()
            .filter(|l| l.contains(THRESHOLD))
            .cloned()
            .collect::<Vec<_>>(),
        [
            "mitigation_planned lower-cache-threshold",
            "mitigation_applied lower-cache-threshold",
            "verification_passed lower-cache-threshold",
            "mitigation_reverted lower-cache-threshold",
        ]
    );
    // Restored after the resolution, not before.
    let resolved = incident.phases().resolved.unwrap();
    let reverted = incident.timeline().first("mitigation_reverted").unwrap().at;
    assert!(reverted >= resolved);

    let calls = w.world.calls();
    let thresholds: Vec<_> = calls
        .applied(Op::TrafficSetCacheSimilarityThreshold)
        .iter()
        .map(|c| c.arg_f64("threshold").unwrap())
        .collect();
    assert_eq!(thresholds, [0.87, 0.92]);
    let shares: Vec<_> = calls
        .applied(Op::TrafficSetShadowSelfShare)
        .iter()
        .map(|c| c.arg_f64("share").unwrap())
        .collect();
    assert_eq!(shares, [0.7], "the shift stays");
    let state = traffic(&w).await;
    assert_eq!(state.cache_similarity_threshold, 0.92);
    assert_eq!(state.shadow_self_share, 0.7);
    // The restored threshold does not bring the throttling back: one incident.
    assert_eq!(w.incidents().await.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_operator_who_denies_the_request_moves_the_ladder_on() {
    let w = OnWorld::new(
        surge(QuotaDecision::Approve),
        &[ID],
        &CatalogConfig::default(),
    );
    start(&w, 3000.0);
    w.run_until(mins(6)).await;
    let incident = w.open(ID).await;
    w.operator()
        .deny(incident.id(), QUOTA, "alice", "no budget for more Bedrock")
        .await
        .unwrap();
    w.run_until(mins(30)).await;
    let incident = w.incident(ID).await;
    let timeline = shown(&incident);
    assert_eq!(applied(&incident), [THRESHOLD], "{timeline}");
    assert!(
        w.world
            .calls()
            .applied(Op::QuotasRequestIncrease)
            .is_empty()
    );
    assert_eq!(incident.status(), Status::Resolved, "{timeline}");
    assert!(incident.timeline().first("approval_denied").is_some());
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_approval_lapses_and_the_ladder_moves_on() {
    let w = OnWorld::new(
        surge(QuotaDecision::Approve),
        &[ID],
        &CatalogConfig::default(),
    );
    start(&w, 3000.0);
    w.run_until(mins(30)).await;
    let open = w.open(ID).await;
    assert!(
        applied(&open).is_empty(),
        "waits for approval: {}",
        shown(&open)
    );
    w.run_until(mins(60)).await;
    let incident = w.incident(ID).await;
    let timeline = shown(&incident);
    assert!(
        incident.timeline().first("approval_expired").is_some(),
        "{timeline}"
    );
    assert_eq!(applied(&incident), [THRESHOLD], "{timeline}");
    assert!(
        w.world
            .calls()
            .applied(Op::QuotasRequestIncrease)
            .is_empty()
    );
}

#[tokio::test(start_paused = true)]
async fn a_quota_already_at_the_desired_value_is_not_requested_again() {
    let mut config = surge(QuotaDecision::Approve);
    config.quotas.quotas[0].value = 10_000.0;
    let w = OnWorld::new(config, &[ID], &CatalogConfig::default());
    // Service-side throttling, whatever the quota.
    w.world
        .schedule(
            w.world.at(mins(2)),
            WorldChange::BedrockThrottling { share: 0.3 },
        )
        .unwrap();
    w.run_until(mins(10)).await;
    let incident = w.open(ID).await;
    let timeline = shown(&incident);
    assert!(
        timeline.contains("mitigation_skipped request-quota-increase"),
        "{timeline}"
    );
    assert_eq!(
        incident.root_causes()[0].cause,
        "Bedrock throttling below the quota (service-side capacity)"
    );
    assert!(w.world.calls().count(Op::QuotasRequestIncrease) == 0);
}
