//! "Check dashboard for obvious issues".

use std::sync::Arc;

use async_trait::async_trait;

use super::DashboardCheck;
use crate::catalog::facts;
use crate::catalog::kit;
use crate::error::Result;
use crate::ports::{Dimension, MetricQuery, Metrics, Statistic};
use crate::runbook::{DiagnoseContext, Diagnosis, DiagnosisReport, FactKey, Finding};
use crate::time::{self, HumanDuration};

/// "Check dashboard for obvious issues": the runbook's signals over the last window, in one
/// multi-series query — Shadow Self 5XX rate and model p99, the cache hit rate, the Bedrock
/// throttle rate, the table's throttled requests and the end-to-end p99 (`Custom/Cato
/// RequestLatency`).
///
/// Facts (each when its series has data): `dashboard.shadow_self_error_rate`,
/// `dashboard.shadow_self_p99_ms`, `dashboard.cache_hit_rate` (0–1),
/// `dashboard.bedrock_throttle_rate`, `dashboard.table_throttles`, `dashboard.request_p99_ms`;
/// and `dashboard.obvious_issues` (count). Every value is a line of evidence, and every
/// obvious issue a line of the summary. A signal whose series has no data is *unavailable*:
/// its line names the metric, the summary lists it as unknown, and it is never read as 0 (no
/// "0 % errors" from a missing error count).
#[derive(Debug)]
pub struct DashboardSignals {
    port: Arc<dyn Metrics>,
    config: DashboardCheck,
}

impl DashboardSignals {
    /// The check over `port`.
    pub fn new(port: Arc<dyn Metrics>, config: DashboardCheck) -> Self {
        DashboardSignals { port, config }
    }

    fn queries(&self) -> Vec<MetricQuery> {
        let c = &self.config;
        let q = |id: &str, namespace: &str, metric: &str, dim: (&str, &str), stat| MetricQuery {
            id: id.into(),
            namespace: namespace.into(),
            metric: metric.into(),
            dimensions: if dim.0.is_empty() {
                Vec::new()
            } else {
                vec![Dimension::new(dim.0, dim.1)]
            },
            statistic: stat,
            period: c.window,
        };
        let endpoint = ("EndpointName", c.endpoint.as_str());
        let model = ("ModelId", c.bedrock_model.as_str());
        vec![
            q(
                "ss_calls",
                "AWS/SageMaker",
                "Invocations",
                endpoint,
                Statistic::Sum,
            ),
            q(
                "ss_5xx",
                "AWS/SageMaker",
                "Invocation5XXErrors",
                endpoint,
                Statistic::Sum,
            ),
            q(
                "ss_p99",
                "AWS/SageMaker",
                "ModelLatency",
                endpoint,
                Statistic::Percentile(99.0),
            ),
            q(
                "cache_hit",
                "AWS/ElastiCache",
                "CacheHitRate",
                ("CacheClusterId", c.cache_cluster_id.as_str()),
                Statistic::Average,
            ),
            q(
                "br_calls",
                "AWS/Bedrock",
                "Invocations",
                model,
                Statistic::Sum,
            ),
            q(
                "br_throttles",
                "AWS/Bedrock",
                "InvocationThrottles",
                model,
                Statistic::Sum,
            ),
            q(
                "table_throttles",
                "AWS/DynamoDB",
                "ThrottledRequests",
                ("TableName", c.table.as_str()),
                Statistic::Sum,
            ),
            q(
                "request_p99",
                "Custom/Cato",
                "RequestLatency",
                ("", ""),
                Statistic::Percentile(99.0),
            ),
        ]
    }
}

/// `errors / (calls + errors)` or `errors / calls`: `None` without traffic, or when either
/// count has no data (a count without data is unknown, never 0).
fn rate(part: Option<f64>, whole: Option<f64>) -> Option<f64> {
    let (part, whole) = (part?, whole?);
    (whole > 0.0).then(|| part / whole)
}

/// The metrics of a rate that have no data, for its line of evidence.
fn missing(named: &[(&'static str, Option<f64>)]) -> String {
    let names: Vec<&str> = named
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(name, _)| *name)
        .collect();
    names.join(" and ")
}

#[async_trait]
impl Diagnosis for DashboardSignals {
    fn name(&self) -> &str {
        "dashboard-signals"
    }

    async fn diagnose(&self, ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
        let c = &self.config;
        let start = time::sub(ctx.now, c.window);
        let series = self.port.query(&self.queries(), start, ctx.now).await?;
        let calls = kit::total(&series, "ss_calls");
        let errors = kit::total(&series, "ss_5xx");
        let bedrock_calls = kit::total(&series, "br_calls");
        let bedrock_throttles = kit::total(&series, "br_throttles");
        // Each signal with the metrics it is read from, to name those without data.
        let signals: [(FactKey<f64>, &str, Option<f64>, bool, String); 6] = {
            let error_rate = rate(errors, calls);
            let p99 = kit::peak(&series, "ss_p99").map(|us| us / 1000.0);
            let hit = kit::peak(&series, "cache_hit").map(|pct| pct / 100.0);
            let attempts = bedrock_calls.zip(bedrock_throttles).map(|(c, t)| c + t);
            let throttle = rate(bedrock_throttles, attempts);
            let table = kit::total(&series, "table_throttles");
            let request = kit::peak(&series, "request_p99");
            [
                (
                    facts::DASHBOARD_SHADOW_SELF_ERROR_RATE,
                    "Shadow Self 5XX rate",
                    error_rate,
                    error_rate.is_some_and(|r| r > c.max_error_rate),
                    missing(&[("Invocations", calls), ("Invocation5XXErrors", errors)]),
                ),
                (
                    facts::DASHBOARD_SHADOW_SELF_P99_MS,
                    "Shadow Self model p99 (ms)",
                    p99,
                    false,
                    missing(&[("ModelLatency", p99)]),
                ),
                (
                    facts::DASHBOARD_CACHE_HIT_RATE,
                    "cache hit rate",
                    hit,
                    hit.is_some_and(|h| h < c.min_hit_rate),
                    missing(&[("CacheHitRate", hit)]),
                ),
                (
                    facts::DASHBOARD_BEDROCK_THROTTLE_RATE,
                    "Bedrock throttle rate",
                    throttle,
                    throttle.is_some_and(|r| r > c.max_error_rate),
                    missing(&[
                        ("Invocations", bedrock_calls),
                        ("InvocationThrottles", bedrock_throttles),
                    ]),
                ),
                (
                    facts::DASHBOARD_TABLE_THROTTLES,
                    "DynamoDB throttled requests",
                    table,
                    table.is_some_and(|t| t > 0.0),
                    missing(&[("ThrottledRequests", table)]),
                ),
                (
                    facts::DASHBOARD_REQUEST_P99_MS,
                    "end-to-end p99 (ms)",
                    request,
                    request.is_some_and(|ms| ms > c.p99_ms),
                    missing(&[("RequestLatency", request)]),
                ),
            ]
        };
        let window = HumanDuration(c.window);
        let mut finding = Finding::new(self.name(), "");
        let mut obvious = Vec::new();
        let mut unknown = Vec::new();
        for (fact, label, value, issue, without) in signals {
            let shown = match value {
                Some(v) if fact.name().ends_with("_rate") => format!("{:.1} %", v * 100.0),
                Some(v) => format!("{v:.0}"),
                None if without.is_empty() => "no traffic".to_owned(),
                None => {
                    unknown.push(label);
                    format!("unavailable (no {without} data)")
                }
            };
            finding = finding.with_evidence(format!("{label}: {shown}"));
            if let Some(v) = value {
                finding = finding.with(fact, v);
            }
            if issue {
                obvious.push(format!("{label} {shown}"));
            }
        }
        finding = finding.with(facts::DASHBOARD_OBVIOUS_ISSUES, kit::count(obvious.len()));
        let seen = if obvious.is_empty() {
            "nothing obvious".to_owned()
        } else {
            obvious.join("; ")
        };
        finding.summary = if unknown.is_empty() {
            format!("dashboard, last {window}: {seen}")
        } else {
            format!(
                "dashboard, last {window}: {seen}; unknown: {}",
                unknown.join(", ")
            )
        };
        Ok(DiagnosisReport::finding(finding))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::kit::stub::{StubMetrics, context};

    fn every_signal() -> StubMetrics {
        StubMetrics::default()
            .with("ss_calls", &[1000.0])
            .with("ss_5xx", &[0.0])
            .with("ss_p99", &[500_000.0])
            .with("cache_hit", &[85.0])
            .with("br_calls", &[100.0])
            .with("br_throttles", &[0.0])
            .with("table_throttles", &[0.0])
            .with("request_p99", &[900.0])
    }

    async fn finding(metrics: StubMetrics) -> Finding {
        let check = DashboardSignals::new(Arc::new(metrics), DashboardCheck::default());
        let mut report = check
            .diagnose(&context("first-five-minutes"))
            .await
            .expect("the stub answers");
        report.findings.remove(0)
    }

    #[tokio::test]
    async fn every_signal_read_is_nothing_obvious() {
        let f = finding(every_signal()).await;
        assert_eq!(f.summary, "dashboard, last 15m: nothing obvious");
        assert_eq!(
            f.facts[facts::DASHBOARD_SHADOW_SELF_ERROR_RATE.name()].as_f64(),
            Some(0.0)
        );
    }

    #[tokio::test]
    async fn a_count_without_data_is_no_rate_and_named() {
        for (dropped, fact, line) in [
            (
                "ss_5xx",
                facts::DASHBOARD_SHADOW_SELF_ERROR_RATE,
                "Shadow Self 5XX rate: unavailable (no Invocation5XXErrors data)",
            ),
            (
                "ss_calls",
                facts::DASHBOARD_SHADOW_SELF_ERROR_RATE,
                "Shadow Self 5XX rate: unavailable (no Invocations data)",
            ),
            (
                "br_throttles",
                facts::DASHBOARD_BEDROCK_THROTTLE_RATE,
                "Bedrock throttle rate: unavailable (no InvocationThrottles data)",
            ),
            (
                "cache_hit",
                facts::DASHBOARD_CACHE_HIT_RATE,
                "cache hit rate: unavailable (no CacheHitRate data)",
            ),
        ] {
            let f = finding(every_signal().without(dropped)).await;
            assert!(!f.facts.contains_key(fact.name()), "{dropped}");
            assert!(f.evidence.iter().any(|e| e == line), "{:?}", f.evidence);
            let label = line.split(':').next().unwrap_or_default();
            assert_eq!(
                f.summary,
                format!("dashboard, last 15m: nothing obvious; unknown: {label}")
            );
        }
    }

    #[tokio::test]
    async fn no_traffic_is_no_rate_but_nothing_unknown() {
        let f = finding(every_signal().with("ss_calls", &[0.0])).await;
        assert!(
            !f.facts
                .contains_key(facts::DASHBOARD_SHADOW_SELF_ERROR_RATE.name())
        );
        assert!(
            f.evidence
                .iter()
                .any(|e| e == "Shadow Self 5XX rate: no traffic")
        );
        assert_eq!(f.summary, "dashboard, last 15m: nothing obvious");
    }

    #[tokio::test]
    async fn an_issue_is_flagged_beside_what_is_unknown() {
        let f = finding(
            every_signal()
                .with("ss_5xx", &[200.0])
                .without("br_throttles"),
        )
        .await;
        assert_eq!(
            f.summary,
            "dashboard, last 15m: Shadow Self 5XX rate 20.0 %; unknown: Bedrock throttle rate"
        );
        assert_eq!(
            f.facts[facts::DASHBOARD_OBVIOUS_ISSUES.name()].as_i64(),
            Some(1)
        );
    }
}
