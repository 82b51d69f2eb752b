//! Detection: most calls throttled is SEV2 and pages, throttling lines alone open a SEV3, a quiet
//! hour opens nothing.

use std::time::Duration;

use cato_runbook_core::Severity;
use cato_runbook_core::catalog::CatalogConfig;
use cato_runbook_mock::config::QuotaDecision;
use cato_runbook_mock::{WorldChange, WorldConfig};

use super::{ID, mins, surge};
use crate::engine_on_world::*;

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
