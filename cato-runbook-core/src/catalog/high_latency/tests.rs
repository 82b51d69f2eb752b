//! The diagnosis on a metrics answer with one series dropped: the metric is named unavailable,
//! nothing is concluded from it, and no step is chosen on it.

use std::sync::Arc;

use super::Config;
use super::diagnose::{CAPACITY_ORCHESTRATOR, ComponentLatencies, NETWORK_LATENCY};
use super::steps::LinkLikelierCause;
use crate::catalog::facts;
use crate::catalog::kit::stub::{StubMetrics, context};
use crate::runbook::{Diagnosis, DiagnosisReport, FactKey, Findings, Mitigation};

/// A slow request p99 that no component explains: every series has data, all fine.
fn healthy_components() -> StubMetrics {
    StubMetrics::default()
        .with("request_p99", &[3000.0, 3100.0])
        .with("request_p50", &[400.0])
        .with("model_p99", &[500_000.0])
        .with("invocations", &[1000.0, 1000.0])
        .with("errors_5xx", &[0.0, 0.0])
        .with("cache_hit_rate", &[85.0])
        .with("bedrock_invocations", &[100.0])
        .with("bedrock_throttles", &[0.0])
        .with("bedrock_p99", &[800.0])
}

async fn diagnose(metrics: StubMetrics) -> DiagnosisReport {
    let config = Arc::new(Config::default());
    let diagnosis = ComponentLatencies::new(Arc::new(metrics), None, config);
    diagnosis
        .diagnose(&context("high-latency"))
        .await
        .expect("the stub answers")
}

fn has<T>(report: &DiagnosisReport, key: FactKey<T>) -> bool {
    report.findings[0].facts.contains_key(key.name())
}

fn says(report: &DiagnosisReport, text: &str) -> bool {
    report.findings[0].evidence.iter().any(|e| e.contains(text))
}

fn causes(report: &DiagnosisReport) -> Vec<&str> {
    report
        .root_causes
        .iter()
        .map(|c| c.cause.as_str())
        .collect()
}

fn likelier_cause_planned(report: &DiagnosisReport) -> bool {
    LinkLikelierCause::new(None, Arc::new(Config::default()))
        .precondition(Findings(&report.findings))
}

#[tokio::test]
async fn with_every_series_the_orchestrator_and_the_network_are_ranked() {
    let report = diagnose(healthy_components()).await;
    let f = &report.findings[0];
    assert_eq!(
        f.facts[facts::ENDPOINT_5XX_PERCENT.name()].as_f64(),
        Some(0.0)
    );
    assert_eq!(
        f.facts[facts::BEDROCK_THROTTLED_PERCENT.name()].as_f64(),
        Some(0.0)
    );
    assert_eq!(causes(&report), [CAPACITY_ORCHESTRATOR, NETWORK_LATENCY]);
    assert!(!f.summary.contains("unknown"), "{}", f.summary);
}

#[tokio::test]
async fn no_5xx_count_is_no_5xx_share() {
    for (dropped, metric) in [
        ("errors_5xx", "Invocation5XXErrors"),
        ("invocations", "Invocations"),
    ] {
        let report = diagnose(healthy_components().without(dropped)).await;
        assert!(!has(&report, facts::ENDPOINT_5XX_PERCENT), "{dropped}");
        assert!(
            says(
                &report,
                &format!("Shadow Self 5XX share unavailable: no {metric} data")
            ),
            "{:?}",
            report.findings[0].evidence
        );
        assert!(!report.findings[0].summary.contains("5XX"));
    }
}

#[tokio::test]
async fn a_slow_shadow_self_without_5xx_data_is_not_called_overloaded() {
    let report = diagnose(
        healthy_components()
            .with("model_p99", &[3_000_000.0])
            .without("errors_5xx"),
    )
    .await;
    let top = &report.root_causes[0];
    assert!((top.confidence - 0.55).abs() < 1e-9, "{}", top.confidence);
    assert!(!top.evidence[0].contains("5XX"), "{:?}", top.evidence);
}

#[tokio::test]
async fn no_model_latency_is_unknown_and_ranks_nothing_on_it() {
    let report = diagnose(healthy_components().without("model_p99")).await;
    assert!(!has(&report, facts::SHADOW_SELF_SLOW));
    assert!(says(&report, "no ModelLatency data for cato-shadow-self"));
    assert!(
        causes(&report).is_empty(),
        "the orchestrator is not blamed while Shadow Self is unknown: {:?}",
        causes(&report)
    );
    assert!(says(
        &report,
        "the orchestrator and the network are not ranked while Shadow Self's ModelLatency is unknown"
    ));
    assert!(
        report.findings[0]
            .summary
            .ends_with("; unknown: Shadow Self's ModelLatency"),
        "{}",
        report.findings[0].summary
    );
}

#[tokio::test]
async fn no_cache_hit_rate_is_not_a_healthy_cache() {
    let report = diagnose(healthy_components().without("cache_hit_rate")).await;
    assert!(!has(&report, facts::CACHE_HIT_RATE_LOW));
    assert!(!has(&report, facts::CACHE_HIT_RATE_PERCENT));
    assert!(says(&report, "no CacheHitRate data"));
    assert!(causes(&report).is_empty(), "{:?}", causes(&report));
    assert!(!likelier_cause_planned(&report));
}

#[tokio::test]
async fn no_throttle_count_is_no_throttled_share_and_no_step() {
    for (dropped, metric) in [
        ("bedrock_throttles", "InvocationThrottles"),
        ("bedrock_invocations", "Invocations"),
    ] {
        let report = diagnose(healthy_components().without(dropped)).await;
        assert!(!has(&report, facts::BEDROCK_THROTTLED_PERCENT), "{dropped}");
        assert!(!has(&report, facts::BEDROCK_THROTTLING), "{dropped}");
        assert!(
            says(
                &report,
                &format!("Bedrock throttled share unavailable: no {metric} data")
            ),
            "{:?}",
            report.findings[0].evidence
        );
        assert!(causes(&report).is_empty(), "{:?}", causes(&report));
        assert!(!likelier_cause_planned(&report));
    }
    // Throttles without calls served are all throttled: the share stands on both counts.
    let report = diagnose(
        healthy_components()
            .with("bedrock_invocations", &[0.0])
            .with("bedrock_throttles", &[40.0]),
    )
    .await;
    assert!(likelier_cause_planned(&report));
}

#[tokio::test]
async fn no_bedrock_call_in_the_minute_is_nothing_throttled() {
    let report = diagnose(
        healthy_components()
            .with("bedrock_invocations", &[0.0])
            .with("bedrock_throttles", &[0.0]),
    )
    .await;
    assert!(!has(&report, facts::BEDROCK_THROTTLED_PERCENT));
    assert_eq!(causes(&report), [CAPACITY_ORCHESTRATOR, NETWORK_LATENCY]);
}

#[tokio::test]
async fn no_request_latency_concludes_nothing() {
    let report = diagnose(healthy_components().without("request_p99")).await;
    assert!(!has(&report, facts::REQUEST_P99_MS));
    assert!(says(&report, "no RequestLatency data"));
    assert!(causes(&report).is_empty());
}
