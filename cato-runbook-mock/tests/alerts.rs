//! A custom metric on the metrics fake: abnormal looks posted to `#cato-alerts` (once within
//! the dedupe window), never an incident; the configuration names the metric.

use std::time::Duration;

use cato_runbook_core::engine::{EngineConfig, custom_metrics_runbook};
use cato_runbook_mock::{Harness, World, WorldChange};

const MINUTE: Duration = Duration::from_secs(60);

#[allow(clippy::unwrap_used)] // Test helper: a literal configuration.
fn config() -> EngineConfig {
    let mut config: EngineConfig = toml::from_str(
        r#"
        [alerts]
        enabled = true
        dedupe_window = "20m"
        [[alerts.metrics]]
        name = "cache-invalidations"
        namespace = "Custom/Cato"
        metric = "CacheInvalidations"
        statistic = "Sum"
        threshold = 50.0
        comparison = "above"
        period = "1m"
        "#,
    )
    .unwrap();
    config.tick_interval = Duration::from_secs(30);
    config
}

#[tokio::test(start_paused = true)]
async fn a_custom_metric_over_its_threshold_is_an_alert_not_an_incident() {
    let world = World::default();
    let config = config();
    let alerts = config.alerts.clone();
    let harness = Harness::on(&world)
        .config(config)
        .runbooks(move |providers| {
            let metrics = providers.metrics.clone().unwrap();
            Ok(custom_metrics_runbook(&alerts, metrics)?
                .into_iter()
                .collect())
        })
        .build()
        .unwrap();
    harness.run_for(5 * MINUTE).await.unwrap();
    let in_alerts = |world: &World| {
        world
            .chat_messages()
            .into_iter()
            .filter(|m| m.channel == "#cato-alerts")
            .collect::<Vec<_>>()
    };
    assert!(
        in_alerts(&world).is_empty(),
        "2 invalidations a minute is normal"
    );

    world
        .apply(WorldChange::CacheInvalidations {
            cache: "cato-cache".into(),
            per_minute: 80.0,
        })
        .unwrap();
    harness.run_for(15 * MINUTE).await.unwrap();
    let posted = in_alerts(&world);
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert!(
        posted[0]
            .text
            .contains("Sum Custom/Cato/CacheInvalidations 80 > 50"),
        "{}",
        posted[0].text
    );
    // Still abnormal after the dedupe window: posted again.
    harness.run_for(10 * MINUTE).await.unwrap();
    assert_eq!(in_alerts(&world).len(), 2);
    assert!(harness.incidents().await.unwrap().is_empty());
    assert!(
        world
            .chat_messages()
            .iter()
            .all(|m| m.channel == "#cato-alerts")
    );
}
