//! The introspection-latency symptom without a median: the share slow is what the p99 shows,
//! and the evidence says the p50 is unavailable rather than 0 µs.

use std::sync::Arc;

use super::Config;
use super::detect::IntrospectionLatency;
use crate::catalog::kit::stub::{StubMetrics, context};
use crate::runbook::{Detector, Observation, ObserveContext, Symptom};

async fn symptom(metrics: StubMetrics) -> Symptom {
    let detector = IntrospectionLatency::new(Arc::new(metrics), Arc::new(Config::default()));
    match detector
        .observe(&ObserveContext::new(context("shadow-self-down").now))
        .await
    {
        Ok(Observation::Symptom(symptom)) => symptom,
        other => panic!("not a symptom: {other:?}"),
    }
}

#[tokio::test]
async fn a_slow_median_is_half_the_queries() {
    let s = symptom(
        StubMetrics::default()
            .with("p99", &[2e7])
            .with("p50", &[1.5e7]),
    )
    .await;
    assert!((s.impact.affected_share() - 0.5).abs() < 1e-9);
    assert_eq!(
        s.evidence,
        ["ModelLatency p99 20000000 µs, p50 15000000 µs"]
    );
}

#[tokio::test]
async fn no_median_is_the_least_share_and_says_so() {
    let s = symptom(StubMetrics::default().with("p99", &[2e7])).await;
    assert!((s.impact.affected_share() - 0.01).abs() < 1e-9);
    assert_eq!(
        s.evidence,
        [
            "ModelLatency p99 20000000 µs, p50 unavailable (no ModelLatency p50 data): the share slow taken as 1 %"
        ]
    );
}
