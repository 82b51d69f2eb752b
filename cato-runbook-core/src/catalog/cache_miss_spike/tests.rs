//! The invalidations diagnosis on a series with minutes missing: a window without data is
//! unknown, never 0 invalidations, and no spike is concluded from it.

use super::Config;
use super::diagnose::{CAUSE_INVALIDATION, InvalidationsDiagnosis};
use crate::catalog::facts;
use crate::catalog::kit::stub::{StubMetrics, context};
use crate::runbook::{Diagnosis, DiagnosisReport, Finding};

/// The baseline's minutes come first (60 of them), then the recent window's 15.
const RECENT: u64 = 60;

async fn diagnose(metrics: StubMetrics) -> DiagnosisReport {
    let diagnosis = InvalidationsDiagnosis {
        metrics: std::sync::Arc::new(metrics),
        deployments: None,
        config: Config::default(),
    };
    diagnosis
        .diagnose(&context("cache-miss-spike"))
        .await
        .expect("the stub answers")
}

fn spike(f: &Finding) -> Option<bool> {
    f.facts
        .get(facts::INVALIDATION_SPIKE.name())
        .and_then(|v| v.as_bool())
}

#[tokio::test]
async fn a_peak_over_a_baseline_is_a_spike() {
    let report = diagnose(
        StubMetrics::default().with("invalidations", &[[2.0; 60].as_slice(), &[80.0]].concat()),
    )
    .await;
    let f = &report.findings[0];
    assert_eq!(spike(f), Some(true), "{}", f.summary);
    assert!(f.summary.contains("peak 80/min"), "{}", f.summary);
    assert!((report.root_causes[0].confidence - 0.65).abs() < 1e-9);
}

#[tokio::test]
async fn no_data_is_unknown_and_no_spike() {
    let report = diagnose(StubMetrics::default()).await;
    let f = &report.findings[0];
    assert_eq!(
        spike(f),
        None,
        "no verdict, so review-invalidations is not planned"
    );
    assert!(
        !f.facts
            .contains_key(facts::INVALIDATIONS_PEAK_PER_MINUTE.name())
    );
    assert!(
        !f.facts
            .contains_key(facts::INVALIDATIONS_BASELINE_PER_MINUTE.name())
    );
    assert_eq!(
        f.summary,
        "CacheInvalidations: no data in the last 15m: invalidations unknown, no spike concluded"
    );
    assert!(
        f.evidence
            .iter()
            .any(|e| e.contains("review-invalidations is not planned on a guess")),
        "{:?}",
        f.evidence
    );
    assert!(
        report.root_causes.is_empty(),
        "nothing ranks invalidation without data or a learning update"
    );
}

#[tokio::test]
async fn a_baseline_without_recent_data_is_no_peak_of_0() {
    let report = diagnose(StubMetrics::default().with("invalidations", &[2.0; 60])).await;
    let f = &report.findings[0];
    assert_eq!(spike(f), None);
    assert!(
        !f.facts
            .contains_key(facts::INVALIDATIONS_PEAK_PER_MINUTE.name())
    );
    assert_eq!(
        f.facts[facts::INVALIDATIONS_BASELINE_PER_MINUTE.name()].as_f64(),
        Some(2.0)
    );
}

#[tokio::test]
async fn a_peak_without_a_baseline_is_no_spike_against_0() {
    let report = diagnose(StubMetrics::default().with_from("invalidations", RECENT, &[80.0])).await;
    let f = &report.findings[0];
    assert_eq!(spike(f), None, "{}", f.summary);
    assert!(
        f.summary.ends_with("cannot tell whether it is a spike"),
        "{}",
        f.summary
    );
    assert!(
        f.evidence
            .iter()
            .any(|e| e.contains("baseline (1h before)"))
    );
    assert!(
        report
            .root_causes
            .iter()
            .all(|c| c.cause != CAUSE_INVALIDATION)
    );
}

#[tokio::test]
async fn a_peak_under_the_minimum_is_no_spike_whatever_the_baseline() {
    let report = diagnose(StubMetrics::default().with_from("invalidations", RECENT, &[5.0])).await;
    let f = &report.findings[0];
    assert_eq!(spike(f), Some(false), "{}", f.summary);
    assert!((report.root_causes[0].confidence - 0.05).abs() < 1e-9);
}
