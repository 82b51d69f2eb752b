//! The traffic rungs: a lowered threshold that does not help or whose time runs out is restored,
//! a shift that overloads Shadow Self is taken back, emergency mode is an approved last resort.

use cato_runbook_core::catalog::CatalogConfig;
use cato_runbook_mock::config::QuotaDecision;
use cato_runbook_mock::{Op, WorldChange};

use super::{ID, QUOTA, SHIFT, THRESHOLD, big_surge, mins, start, surge, traffic};
use crate::engine_on_world::*;

#[tokio::test(start_paused = true)]
async fn a_lowered_threshold_that_does_not_help_is_restored_at_once() {
    let w = OnWorld::new(
        surge(QuotaDecision::Approve),
        &[ID],
        &CatalogConfig::default(),
    );
    w.world
        .schedule(
            w.world.at(mins(2)),
            WorldChange::BedrockThrottling { share: 0.3 },
        )
        .unwrap();
    w.run_until(mins(6)).await;
    let incident = w.open(ID).await;
    w.operator()
        .deny(incident.id(), QUOTA, "alice", "service-side, not the quota")
        .await
        .unwrap();
    w.run_until(mins(30)).await;
    let incident = w.open(ID).await;
    let timeline = shown(&incident);
    assert!(detail(&incident, "verification_failed", THRESHOLD).contains("30.0 %"));
    assert_eq!(
        detail(&incident, "mitigation_reverted", THRESHOLD),
        "cache similarity threshold back to 0.92"
    );
    assert!(detail(&incident, "verification_failed", SHIFT).contains("30.0 %"));
    assert_eq!(applied(&incident), [THRESHOLD, SHIFT], "{timeline}");
    assert!(incident.automation().exhausted, "{timeline}");
    assert!(incident.automation().temporary.is_empty());
    let state = traffic(&w).await;
    assert_eq!(state.cache_similarity_threshold, 0.92);
    assert_eq!(state.shadow_self_share, 0.5);
}

#[tokio::test(start_paused = true)]
async fn the_threshold_is_restored_when_its_time_runs_out_while_still_open() {
    let mut catalog = CatalogConfig::default();
    catalog.bedrock_throttling.cache_threshold.ttl = mins(20);
    // Shadow Self already takes all it may: the shift has nowhere to go.
    catalog.bedrock_throttling.traffic_shift.cap = 0.5;
    let w = OnWorld::new(big_surge(QuotaDecision::Deny), &[ID], &catalog);
    start(&w, 4300.0);
    w.run_until(mins(6)).await;
    let incident = w.open(ID).await;
    w.operator()
        .deny(incident.id(), QUOTA, "alice", "denied before")
        .await
        .unwrap();
    w.run_until(mins(20)).await;
    assert_eq!(traffic(&w).await.cache_similarity_threshold, 0.87);
    let open = w.open(ID).await;
    assert!(shown(&open).contains("mitigation_skipped shift-to-shadow-self"));
    assert_eq!(open.automation().temporary.len(), 1);
    w.run_until(mins(40)).await;

    let incident = w.open(ID).await;
    let timeline = shown(&incident);
    assert!(timeline.contains("its time ran out"), "{timeline}");
    assert_eq!(traffic(&w).await.cache_similarity_threshold, 0.92);
    let restored = incident.timeline().first("mitigation_reverted").unwrap().at;
    let lowered = incident.timeline().first("mitigation_applied").unwrap().at;
    assert_eq!(restored - lowered, chrono::TimeDelta::minutes(20));
    assert_eq!(
        w.world
            .calls()
            .applied(Op::TrafficSetCacheSimilarityThreshold)
            .len(),
        2
    );
}

#[tokio::test(start_paused = true)]
async fn a_shift_that_overloads_shadow_self_is_taken_back() {
    let w = OnWorld::new(
        big_surge(QuotaDecision::Deny),
        &[ID],
        &CatalogConfig::default(),
    );
    start(&w, 4300.0);
    w.run_until(mins(6)).await;
    let incident = w.open(ID).await;
    w.operator()
        .deny(incident.id(), QUOTA, "alice", "denied before")
        .await
        .unwrap();
    // Run until the shift is applied, then Shadow Self starts failing.
    let mut shifted = false;
    for minute in 7..40 {
        w.run_until(mins(minute)).await;
        if applied(&w.open(ID).await).contains(&SHIFT.to_owned()) {
            shifted = true;
            break;
        }
    }
    assert!(shifted, "{}", shown(&w.open(ID).await));
    w.world
        .apply(WorldChange::EndpointErrorRate {
            endpoint: "cato-shadow-self".into(),
            rate: 0.1,
        })
        .unwrap();
    w.run_until(mins(45)).await;
    let incident = w.incident(ID).await;
    let timeline = shown(&incident);
    assert!(
        detail(&incident, "verification_failed", SHIFT).contains("10.0 % 5XX"),
        "{timeline}"
    );
    assert_eq!(
        detail(&incident, "mitigation_reverted", SHIFT),
        "Shadow Self share of LLM traffic back to 0.50"
    );
    assert_eq!(traffic(&w).await.shadow_self_share, 0.5);
}

#[tokio::test(start_paused = true)]
async fn emergency_mode_is_an_approved_last_resort_when_configured() {
    let mut catalog = CatalogConfig::default();
    catalog.bedrock_throttling.emergency_mode_last = true;
    let w = OnWorld::new(surge(QuotaDecision::Approve), &[ID], &catalog);
    w.world
        .schedule(
            w.world.at(mins(2)),
            WorldChange::BedrockThrottling { share: 0.3 },
        )
        .unwrap();
    w.run_until(mins(6)).await;
    let incident = w.open(ID).await;
    w.operator()
        .deny(incident.id(), QUOTA, "alice", "service-side")
        .await
        .unwrap();
    w.run_until(mins(25)).await;
    let incident = w.open(ID).await;
    let timeline = shown(&incident);
    let requested: Vec<_> = incident
        .timeline()
        .with_label("approval_requested")
        .filter_map(|e| e.kind.step().map(str::to_owned))
        .collect();
    assert_eq!(requested, [QUOTA, "enable-emergency-mode"], "{timeline}");
    w.operator()
        .approve(incident.id(), "enable-emergency-mode", "alice")
        .await
        .unwrap();
    w.run_until(mins(27)).await;
    assert!(traffic(&w).await.emergency_mode);
    assert_eq!(
        w.world.calls().applied(Op::TrafficSetEmergencyMode).len(),
        1
    );
}

#[tokio::test(start_paused = true)]
async fn a_lowered_threshold_never_passes_on_no_bedrock_call() {
    let w = OnWorld::new(
        surge(QuotaDecision::Approve),
        &[ID],
        &CatalogConfig::default(),
    );
    w.world
        .schedule(
            w.world.at(mins(2)),
            WorldChange::BedrockThrottling { share: 0.3 },
        )
        .unwrap();
    w.run_until(mins(6)).await;
    let incident = w.open(ID).await;
    w.operator()
        .deny(incident.id(), QUOTA, "alice", "service-side, not the quota")
        .await
        .unwrap();
    // Traffic stops as the threshold is lowered: nothing calls Bedrock since the change.
    w.world
        .apply(WorldChange::RequestRate {
            requests_per_minute: 0.0,
        })
        .unwrap();
    w.run_until(mins(30)).await;
    let incident = w
        .incidents()
        .await
        .into_iter()
        .find(|i| i.runbook().as_str() == ID)
        .unwrap();
    let timeline = shown(&incident);
    assert!(
        applied(&incident).contains(&THRESHOLD.to_owned()),
        "{timeline}"
    );
    let passed = incident
        .timeline()
        .iter()
        .any(|e| e.kind.label() == "verification_passed" && e.kind.step() == Some(THRESHOLD));
    assert!(!passed, "passed on nothing read: {timeline}");
    assert!(
        timeline.contains("cannot tell whether it helped"),
        "{timeline}"
    );
}
