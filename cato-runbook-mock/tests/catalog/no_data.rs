//! No data is never healthy: a detector whose metrics have no data for what it watches cannot
//! look (unknown), and "monitoring is blind" opens once that lasts `blind_after` ticks; a
//! healthy world whose windows are still filling opens nothing.

use cato_runbook_core::catalog::{self, CatalogConfig};
use cato_runbook_core::engine::EngineConfig;
use cato_runbook_core::{EntryKind, Incident};
use cato_runbook_mock::WorldConfig;

use crate::engine_on_world::{OnWorld, TICK};

const BLIND: &str = "monitoring-blind";

fn all_runbooks() -> Vec<&'static str> {
    catalog::entries().iter().map(|e| e.id).collect()
}

/// What the detector `detector` said when the blind incident opened.
fn said_by(incident: &Incident, detector: &str) -> Vec<String> {
    incident
        .timeline()
        .iter()
        .filter(|e| e.kind == EntryKind::SymptomObserved && e.detail.starts_with(detector))
        .map(|e| e.detail.clone())
        .collect()
}

#[tokio::test(start_paused = true)]
async fn the_first_ticks_of_a_healthy_world_open_nothing() {
    let on = OnWorld::new(
        WorldConfig::default(),
        &all_runbooks(),
        &CatalogConfig::default(),
    );
    on.run_until(TICK * 10).await;
    let opened: Vec<String> = on
        .incidents()
        .await
        .iter()
        .map(|i| format!("{} {}", i.runbook(), i.title()))
        .collect();
    assert!(opened.is_empty(), "{opened:?}");
}

/// Ticks a world where the detectors of `runbook` look at `tweak`'s resource, which publishes
/// no metrics: no blind incident within `blind_after - 1` ticks, one after; its opening entry
/// says which detector could not look, and why.
async fn blind_without_data(
    runbook: &str,
    detector: &str,
    why: &str,
    tweak: impl FnOnce(&mut CatalogConfig),
) {
    let mut config = CatalogConfig::default();
    tweak(&mut config);
    let on = OnWorld::new(WorldConfig::default(), &[runbook], &config);
    let grace = EngineConfig::default().blind_after;
    on.run_until(TICK * (grace - 1)).await;
    let early: Vec<_> = on.incidents().await;
    assert!(
        early.iter().all(|i| i.runbook().as_str() != BLIND),
        "blind before {grace} ticks"
    );
    on.run_until(TICK * (grace + 1)).await;
    let incidents = on.incidents().await;
    assert!(
        incidents.iter().all(|i| i.runbook().as_str() != runbook),
        "{runbook} opened on no data"
    );
    let blind = incidents
        .iter()
        .find(|i| {
            i.runbook().as_str() == BLIND && said_by(i, detector).iter().any(|d| d.contains(why))
        })
        .unwrap_or_else(|| {
            panic!(
                "no blind incident for {detector}: {:?}",
                incidents
                    .iter()
                    .map(|i| (
                        i.runbook().to_string(),
                        i.timeline()
                            .iter()
                            .map(|e| e.detail.clone())
                            .collect::<Vec<_>>()
                    ))
                    .collect::<Vec<_>>()
            )
        });
    assert!(blind.is_open());
}

#[tokio::test(start_paused = true)]
async fn no_invocations_data_is_no_look_at_the_5xx_share() {
    blind_without_data(
        "shadow-self-down",
        "endpoint-5xx",
        "cannot tell the 5XX share",
        |c| c.shadow_self_down.endpoint = "cato-shadow-self-gone".into(),
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn no_bedrock_data_is_no_look_at_the_throttled_share() {
    blind_without_data(
        "bedrock-throttling",
        "bedrock-throttle-rate",
        "no Invocations or InvocationThrottles data",
        |c| c.bedrock_throttling.model_id = "anthropic.gone".into(),
    )
    .await;
}
