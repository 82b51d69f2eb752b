//! Bedrock Throttling on the fakes.

use std::time::Duration;

use cato_runbook_core::catalog::{self, CatalogConfig, Providers, bedrock_throttling};
use cato_runbook_core::ports::{Clock, TrafficControl};
use cato_runbook_core::{ErrorKind, Severity, Status};
use cato_runbook_mock::config::QuotaDecision;
use cato_runbook_mock::gameday::providers;
use cato_runbook_mock::{Op, World, WorldChange, WorldConfig};

use crate::engine_on_world::*;

const ID: &str = "bedrock-throttling";
const QUOTA: &str = "request-quota-increase";
const THRESHOLD: &str = "lower-cache-threshold";
const SHIFT: &str = "shift-to-shadow-self";

fn mins(n: u64) -> Duration {
    Duration::from_secs(60 * n)
}

/// A surge at T+2m Bedrock's quota cannot take: 3000 requests/min send 225 calls/min to
/// Bedrock, whose quota is 200. The quota decision comes 10 minutes after the request.
fn surge(decision: QuotaDecision) -> WorldConfig {
    let mut config = WorldConfig::default();
    config.quotas.decided_after = mins(10);
    config.quotas.decision = decision;
    config
}

/// A surge so big that the cache threshold alone cannot absorb it: 4300 requests/min, with a
/// Shadow Self of 20 instances that can take more traffic.
fn big_surge(decision: QuotaDecision) -> WorldConfig {
    let mut config = surge(decision);
    config.endpoints[0].instances = 20;
    config
}

fn start(w: &OnWorld, requests_per_minute: f64) {
    w.world
        .schedule(
            w.world.at(mins(2)),
            WorldChange::RequestRate {
                requests_per_minute,
            },
        )
        .unwrap();
}

async fn approve_quota_at(w: &OnWorld, at: u64) {
    w.run_until(mins(at)).await;
    let incident = w.open(ID).await;
    w.operator()
        .approve(incident.id(), QUOTA, "alice")
        .await
        .unwrap();
}

async fn traffic(w: &OnWorld) -> cato_runbook_core::ports::TrafficState {
    w.world.traffic().state().await.unwrap()
}

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
async fn most_calls_throttled_is_sev2_and_pages() {
    let w = OnWorld::new(
        surge(QuotaDecision::Approve),
        &[ID],
        &CatalogConfig::default(),
    );
    w.world
        .schedule(
            w.world.at(mins(1)),
            WorldChange::BedrockThrottling { share: 0.7 },
        )
        .unwrap();
    w.run_until(mins(8)).await;
    let incident = w.open(ID).await;
    assert_eq!(incident.severity(), Severity::Sev2, "{}", shown(&incident));
    assert_eq!(w.world.alerts().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn throttling_lines_alone_open_a_sev3_incident() {
    let w = OnWorld::new(WorldConfig::default(), &[ID], &CatalogConfig::default());
    for second in [30, 60, 90, 120, 150, 180, 210, 240] {
        w.world
            .schedule(
                w.world.at(Duration::from_secs(second)),
                WorldChange::Log {
                    group: "/cato/orchestrator".into(),
                    stream: "cato-orchestrator-3".into(),
                    message:
                        "WARN ThrottlingException: Rate exceeded, falling back to a static response"
                            .into(),
                },
            )
            .unwrap();
    }
    w.run_until(mins(4)).await;
    let incident = w.open(ID).await;
    assert_eq!(incident.severity(), Severity::Sev3);
    let symptom = incident
        .timeline()
        .first("symptom_observed")
        .unwrap()
        .detail
        .clone();
    assert!(
        symptom.contains("\"ThrottlingException\" line(s) in /cato/orchestrator"),
        "{symptom}"
    );
    assert!(symptom.contains("mentioning falling back"), "{symptom}");
}

#[tokio::test(start_paused = true)]
async fn a_quiet_hour_opens_nothing() {
    let w = OnWorld::new(WorldConfig::default(), &[ID], &CatalogConfig::default());
    w.run_until(mins(60)).await;
    assert!(w.incidents().await.is_empty());
    assert!(w.world.calls().all().iter().all(|c| !c.op.mutates()));
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
async fn config_defaults_are_the_runbooks_and_read_from_toml() {
    let c = bedrock_throttling::Config::default();
    assert_eq!(c.quota.service, "bedrock");
    assert_eq!(c.quota.code, "L-XXXXXXXX");
    assert_eq!(c.quota.desired, 10_000.0);
    assert_eq!(c.log_group, "/cato/orchestrator");
    assert_eq!(c.log_pattern, "ThrottlingException");
    assert_eq!(c.traffic_shift.endpoint, "cato-shadow-self");
    let checks = c
        .first_five_minutes
        .or_watching(&bedrock_throttling::CLOUD_SERVICES);
    assert_eq!(checks.health.services, ["BEDROCK"]);

    let catalog: CatalogConfig = toml::from_str(
        r#"
        [bedrock-throttling]
        window = "10m"
        [bedrock-throttling.quota]
        code = "L-12345678"
        desired = 5000
        [bedrock-throttling.cache_threshold]
        ttl = "30m"
        "#,
    )
    .unwrap();
    let c = &catalog.bedrock_throttling;
    assert_eq!(c.window, mins(10));
    assert_eq!(c.quota.code, "L-12345678");
    assert_eq!(c.quota.service, "bedrock");
    assert_eq!(c.cache_threshold.ttl, mins(30));
    assert_eq!(c.cache_threshold.step, 0.05);
    assert!(toml::from_str::<CatalogConfig>("[bedrock-throttling]\nwindw = \"1m\"").is_err());

    let mut bad = CatalogConfig::default();
    bad.bedrock_throttling.traffic_shift.cap = 1.5;
    let world = World::default();
    let ports = world.ports("r");
    let err = catalog::build(ID, &providers(&world, &ports), &bad).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("traffic_shift.cap"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_missing_port_is_named() {
    let world = World::default();
    let mut providers: Providers = providers(&world, &world.ports("r"));
    providers.quotas = None;
    let err = catalog::build(ID, &providers, &CatalogConfig::default()).unwrap_err();
    assert!(err.message().contains("quotas"), "{err}");
    // The first-five-minutes ports are optional.
    let mut providers = cato_runbook_mock::gameday::providers(&world, &world.ports("r"));
    providers.deployments = None;
    providers.health = None;
    let runbook = catalog::build(ID, &providers, &CatalogConfig::default()).unwrap();
    let names: Vec<_> = runbook.diagnoses().iter().map(|d| d.name()).collect();
    assert_eq!(
        names,
        [
            "bedrock-quota",
            "throttling-logs",
            "traffic-controls",
            "dashboard-signals"
        ]
    );
    let ladder: Vec<_> = runbook.ladder().iter().map(|s| s.name()).collect();
    assert_eq!(ladder, [QUOTA, THRESHOLD, SHIFT]);
    assert_eq!(world.clock_handle().now(), world.now());
}
