//! The alerts channel: a blip below the incident threshold, or an abnormal look, posted to
//! `#cato-alerts` (deduplicated, rate-limited), without an incident.

use std::time::Duration;

use cato_runbook_core::engine::{EngineConfig, Mode, Policy, TickEvent};
use cato_runbook_core::ports::ChatMessage;
use cato_runbook_core::runbook::Runbook;

use crate::support::*;

fn alerts_on(extra: &str) -> EngineConfig {
    serde_json::from_str(&format!(r#"{{ "alerts": {{ "enabled": true {extra} }} }}"#)).unwrap()
}

fn setup(config: EngineConfig, detectors: &[&std::sync::Arc<FakeDetector>]) -> Harness {
    let mut builder = Runbook::builder("cache-miss-spike", "Cache Miss Spike");
    for detector in detectors {
        builder = builder.detector((*detector).clone());
    }
    let mut setup = Setup::new(builder.build().unwrap(), Policy::with_mode(Mode::Auto));
    setup.config = config;
    setup.build()
}

fn alerts(h: &Harness) -> Vec<ChatMessage> {
    h.chat
        .messages
        .lock()
        .unwrap()
        .iter()
        .filter(|m| m.channel == "#cato-alerts")
        .cloned()
        .collect()
}

const TICK: Duration = Duration::from_secs(30);

#[tokio::test(start_paused = true)]
async fn a_blip_below_the_threshold_is_an_alert_and_no_incident() {
    let detector = FakeDetector::new("cache-hit-rate", "cato-cache");
    let h = setup(alerts_on(""), &[&detector]);
    h.tick().await;
    detector.degraded(0.3);
    h.tick_after(TICK).await;
    assert!(alerts(&h).is_empty(), "posted while the blip lasts");
    detector.healthy();
    let report = h.tick_after(TICK).await;
    let posted = alerts(&h);
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert!(posted[0].thread.is_none());
    assert!(posted[0].key.is_some());
    assert!(
        posted[0].text.contains("cache-hit-rate sees trouble")
            && posted[0].text.contains("below the incident threshold of 2"),
        "{}",
        posted[0].text
    );
    assert!(
        report
            .events
            .iter()
            .any(|e| matches!(e, TickEvent::Alerted { channel, .. } if channel == "#cato-alerts"))
    );
    assert!(h.incidents().await.is_empty());
    assert!(
        h.chat
            .messages
            .lock()
            .unwrap()
            .iter()
            .all(|m| m.channel == "#cato-alerts")
    );

    // The same blip again within the dedupe window (30 min): not posted again.
    for _ in 0..3 {
        detector.degraded(0.3);
        h.tick_after(TICK).await;
        detector.healthy();
        h.tick_after(mins(5)).await;
    }
    assert_eq!(alerts(&h).len(), 1);
    // After it: posted again.
    h.tick_after(mins(20)).await;
    detector.degraded(0.3);
    h.tick_after(TICK).await;
    detector.healthy();
    h.tick_after(TICK).await;
    assert_eq!(alerts(&h).len(), 2);
    assert!(h.incidents().await.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_symptom_that_opens_an_incident_is_no_alert() {
    let detector = FakeDetector::new("cache-hit-rate", "cato-cache");
    let h = setup(alerts_on(""), &[&detector]);
    detector.degraded(0.3);
    for _ in 0..4 {
        h.tick_after(TICK).await;
    }
    detector.healthy();
    for _ in 0..5 {
        h.tick_after(TICK).await;
    }
    assert_eq!(h.incidents().await.len(), 1);
    assert!(alerts(&h).is_empty(), "{:?}", alerts(&h));
    assert!(
        h.chat
            .messages
            .lock()
            .unwrap()
            .iter()
            .any(|m| m.channel == "#cato-incident")
    );
}

#[tokio::test(start_paused = true)]
async fn abnormal_looks_are_posted_at_once_and_at_most_max_per_hour() {
    let a = FakeDetector::new("invalidations", "cato-cache");
    let b = FakeDetector::new("evictions", "cato-cache-2");
    let c = FakeDetector::new("misses", "cato-cache-3");
    let h = setup(
        alerts_on(r#", "max_per_hour": 2, "dedupe_window": "10m""#),
        &[&a, &b, &c],
    );
    a.set(Look::Abnormal);
    b.set(Look::Abnormal);
    c.set(Look::Abnormal);
    h.tick().await;
    // Three abnormal looks, two allowed in the hour.
    assert_eq!(alerts(&h).len(), 2, "{:?}", alerts(&h));
    for _ in 0..10 {
        h.tick_after(mins(5)).await;
    }
    // 50 minutes on, still within the hour of the first two: nothing more.
    assert_eq!(alerts(&h).len(), 2);
    h.tick_after(mins(11)).await;
    assert_eq!(alerts(&h).len(), 4);
    assert!(h.incidents().await.is_empty());
}

#[tokio::test(start_paused = true)]
async fn alerts_are_off_by_default_and_their_settings_are_checked() {
    let detector = FakeDetector::new("cache-hit-rate", "cato-cache");
    let h = setup(EngineConfig::default(), &[&detector]);
    detector.set(Look::Abnormal);
    h.tick().await;
    h.tick_after(TICK).await;
    assert!(alerts(&h).is_empty());

    for (extra, key) in [
        (r#", "channel": "cato-alerts""#, "engine.alerts.channel"),
        (r#", "max_per_hour": 0"#, "engine.alerts.max_per_hour"),
        (r#", "dedupe_window": "0s""#, "engine.alerts.dedupe_window"),
        (
            r#", "metrics": [{ "name": "m", "namespace": "Custom/Cato", "metric": "X", "statistic": "Sum", "threshold": 1.0, "comparison": "above", "period": "500ms" }]"#,
            "engine.alerts.metrics[0].period",
        ),
        (
            r#", "metrics": [{ "name": "m", "namespace": "", "metric": "X", "statistic": "Sum", "threshold": 1.0, "comparison": "above", "period": "1m" }]"#,
            "engine.alerts.metrics[0].namespace",
        ),
    ] {
        let config = alerts_on(extra);
        let err = config.alerts.validate().unwrap_err();
        assert!(err.to_string().contains(key), "{extra}: {err}");
    }
}
