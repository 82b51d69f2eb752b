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
/// obvious issue a line of the summary.
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

/// `errors / (calls + errors)` or `errors / calls`, `None` without traffic.
fn rate(part: Option<f64>, whole: Option<f64>) -> Option<f64> {
    let whole = whole?;
    (whole > 0.0).then(|| part.unwrap_or(0.0) / whole)
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
        let bedrock_calls = kit::total(&series, "br_calls");
        let bedrock_throttles = kit::total(&series, "br_throttles");
        let signals: [(FactKey<f64>, &str, Option<f64>, bool); 6] = {
            let error_rate = rate(
                kit::total(&series, "ss_5xx"),
                kit::total(&series, "ss_calls"),
            );
            let p99 = kit::peak(&series, "ss_p99").map(|us| us / 1000.0);
            let hit = kit::peak(&series, "cache_hit").map(|pct| pct / 100.0);
            let throttle = rate(
                bedrock_throttles,
                bedrock_calls.map(|c| c + bedrock_throttles.unwrap_or(0.0)),
            );
            let table = kit::total(&series, "table_throttles");
            let request = kit::peak(&series, "request_p99");
            [
                (
                    facts::DASHBOARD_SHADOW_SELF_ERROR_RATE,
                    "Shadow Self 5XX rate",
                    error_rate,
                    error_rate.is_some_and(|r| r > c.max_error_rate),
                ),
                (
                    facts::DASHBOARD_SHADOW_SELF_P99_MS,
                    "Shadow Self model p99 (ms)",
                    p99,
                    false,
                ),
                (
                    facts::DASHBOARD_CACHE_HIT_RATE,
                    "cache hit rate",
                    hit,
                    hit.is_some_and(|h| h < c.min_hit_rate),
                ),
                (
                    facts::DASHBOARD_BEDROCK_THROTTLE_RATE,
                    "Bedrock throttle rate",
                    throttle,
                    throttle.is_some_and(|r| r > c.max_error_rate),
                ),
                (
                    facts::DASHBOARD_TABLE_THROTTLES,
                    "DynamoDB throttled requests",
                    table,
                    table.is_some_and(|t| t > 0.0),
                ),
                (
                    facts::DASHBOARD_REQUEST_P99_MS,
                    "end-to-end p99 (ms)",
                    request,
                    request.is_some_and(|ms| ms > c.p99_ms),
                ),
            ]
        };
        let window = HumanDuration(c.window);
        let mut finding = Finding::new(self.name(), "");
        let mut obvious = Vec::new();
        for (fact, label, value, issue) in signals {
            let shown = match value {
                Some(v) if fact.name().ends_with("_rate") => format!("{:.1} %", v * 100.0),
                Some(v) => format!("{v:.0}"),
                None => "no data".to_owned(),
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
        finding.summary = if obvious.is_empty() {
            format!("dashboard, last {window}: nothing obvious")
        } else {
            format!("dashboard, last {window}: {}", obvious.join("; "))
        };
        Ok(DiagnosisReport::finding(finding))
    }
}
