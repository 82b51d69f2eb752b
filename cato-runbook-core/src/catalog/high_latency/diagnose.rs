//! The diagnosis: component latencies in one metrics query, and related incidents.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::Config;
use super::detect::{endpoint_metric, request_latency};
use super::related::open_related;
use crate::catalog::facts;
use crate::catalog::kit::{self, last_minutes};
use crate::error::Result;
use crate::ports::{Dimension, IncidentStore, MetricQuery, Metrics, Statistic};
use crate::runbook::{DiagnoseContext, Diagnosis, DiagnosisReport, Finding, RootCause};

const MINUTE: Duration = Duration::from_secs(60);

/// The runbook's root causes, as it names them.
pub(super) const CAPACITY_SHADOW_SELF: &str = "insufficient capacity: Shadow Self endpoint";
pub(super) const CAPACITY_ORCHESTRATOR: &str = "insufficient capacity: orchestrator";
pub(super) const CACHE_MISS_SPIKE: &str = "cache miss spike";
pub(super) const BEDROCK_THROTTLING: &str = "Bedrock throttling";
pub(super) const NETWORK_LATENCY: &str = "network latency";

/// The cause a related runbook stands for.
fn cause_of(runbook: &str) -> String {
    match runbook {
        "cache-miss-spike" => CACHE_MISS_SPIKE.to_owned(),
        "bedrock-throttling" => BEDROCK_THROTTLING.to_owned(),
        other => other.replace('-', " "),
    }
}

/// Candidates by name: a second piece of evidence for a cause raises it rather than adding it
/// twice.
#[derive(Default)]
struct Causes(Vec<RootCause>);

impl Causes {
    fn raise(&mut self, cause: &str, confidence: f64, evidence: String) {
        match self.0.iter_mut().find(|c| c.cause == cause) {
            Some(existing) => {
                existing.confidence = existing.confidence.max(confidence.clamp(0.0, 1.0));
                existing.evidence.push(evidence);
            }
            None => self
                .0
                .push(RootCause::new(cause, confidence).with_evidence(evidence)),
        }
    }
}

/// "Check component latencies", and what else slows requests down, in one metrics query: the
/// request p99 and p50, Shadow Self's `ModelLatency` p99 and 5XX over the window, the cache's
/// `CacheHitRate` and Bedrock's invocations and throttles in the latest complete minute,
/// Bedrock's latency; plus the open incidents of the related runbooks, through the read-only
/// incident store.
///
/// Facts: `request_p99_ms`, `request_p50_ms`, `model_p99_ms`, `shadow_self_slow`,
/// `endpoint_5xx_percent`, `cache_hit_rate_percent`, `cache_hit_rate_low`,
/// `bedrock_throttled_percent`, `bedrock_throttling`, `bedrock_p99_ms`, and `related_incident`
/// and `related_runbook` when one is open — each only when its data exists. A series without
/// data is a line of evidence naming the metric unavailable and, for a component, is listed
/// as unknown in the summary: no share is read from it as 0, and while a component is unknown
/// a slow request p99 ranks neither the orchestrator nor the network.
#[derive(Debug)]
pub(super) struct ComponentLatencies {
    metrics: Arc<dyn Metrics>,
    incidents: Option<Arc<dyn IncidentStore>>,
    config: Arc<Config>,
}

impl ComponentLatencies {
    pub(super) fn new(
        metrics: Arc<dyn Metrics>,
        incidents: Option<Arc<dyn IncidentStore>>,
        config: Arc<Config>,
    ) -> Self {
        ComponentLatencies {
            metrics,
            incidents,
            config,
        }
    }

    /// The latencies over the window; the cache and Bedrock minute by minute, so that their
    /// latest minute tells where they are now rather than an average with the time before.
    fn queries(&self) -> Vec<MetricQuery> {
        let c = &self.config;
        let cache = |id: &str, metric: &str| MetricQuery {
            id: id.to_owned(),
            namespace: "AWS/ElastiCache".into(),
            metric: metric.into(),
            dimensions: vec![Dimension::new("CacheClusterId", c.cache.cluster_id.clone())],
            statistic: Statistic::Average,
            period: MINUTE,
        };
        let bedrock = |id: &str, metric: &str, statistic, period| MetricQuery {
            id: id.to_owned(),
            namespace: "AWS/Bedrock".into(),
            metric: metric.into(),
            dimensions: vec![Dimension::new("ModelId", c.bedrock.model_id.clone())],
            statistic,
            period,
        };
        vec![
            request_latency(c, "request_p99", Statistic::Percentile(99.0)),
            request_latency(c, "request_p50", Statistic::Percentile(50.0)),
            endpoint_metric(c, "model_p99", "ModelLatency", Statistic::Percentile(99.0)),
            endpoint_metric(c, "invocations", "Invocations", Statistic::Sum),
            endpoint_metric(c, "errors_5xx", "Invocation5XXErrors", Statistic::Sum),
            cache("cache_hit_rate", "CacheHitRate"),
            bedrock("bedrock_invocations", "Invocations", Statistic::Sum, MINUTE),
            bedrock(
                "bedrock_throttles",
                "InvocationThrottles",
                Statistic::Sum,
                MINUTE,
            ),
            bedrock(
                "bedrock_p99",
                "InvocationLatency",
                Statistic::Percentile(99.0),
                c.window,
            ),
        ]
    }
}

#[async_trait]
impl Diagnosis for ComponentLatencies {
    fn name(&self) -> &str {
        "component-latencies"
    }

    async fn diagnose(&self, ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
        let c = &self.config;
        let (start, end) = last_minutes(ctx.now, c.window);
        let queries = self.queries();
        let (series, related) = futures::join!(
            self.metrics.query(&queries, start, end),
            open_related(self.incidents.as_deref(), c, &ctx.incident)
        );
        let series = series?;
        let mut finding = Finding::new(self.name(), String::new());
        let mut causes = Causes::default();
        let mut parts = Vec::new();

        let window = crate::time::HumanDuration(c.window);
        // What could not be read: each a line of evidence naming the metric, and no verdict.
        let mut unknown: Vec<&str> = Vec::new();
        let mut unavailable = |finding: Finding, what: &'static str, line: String| {
            unknown.push(what);
            finding.with_evidence(line)
        };

        let request_threshold = c.p99_threshold.as_secs_f64() * 1000.0;
        let request_p99 = kit::peak(&series, "request_p99");
        if let Some(p99) = request_p99 {
            finding = finding.with(facts::REQUEST_P99_MS, p99);
            parts.push(format!("request p99 {:.2} s", p99 / 1000.0));
        } else {
            finding = finding.with_evidence(format!(
                "request p99 unavailable: no RequestLatency data in the last {window}"
            ));
        }
        if let Some(p50) = kit::peak(&series, "request_p50") {
            finding = finding.with(facts::REQUEST_P50_MS, p50);
            parts.push(format!("p50 {:.2} s", p50 / 1000.0));
        }

        // SageMaker reports ModelLatency in microseconds.
        let model_threshold = c.shadow_self.model_latency_p99.as_secs_f64() * 1000.0;
        let model_p99 = kit::peak(&series, "model_p99").map(|us| us / 1000.0);
        let shadow_slow = model_p99.map(|ms| ms > model_threshold);
        if let Some(ms) = model_p99 {
            finding = finding
                .with(facts::MODEL_P99_MS, ms)
                .with(facts::SHADOW_SELF_SLOW, ms > model_threshold);
            parts.push(format!("Shadow Self p99 {:.2} s", ms / 1000.0));
        } else {
            finding = unavailable(
                finding,
                "Shadow Self's ModelLatency",
                format!(
                    "Shadow Self p99 unavailable: no ModelLatency data for {} in the last {window}: whether it is slow is unknown",
                    c.shadow_self.endpoint
                ),
            );
        }
        // SageMaker publishes both counts, zeros included, while the endpoint is there to
        // count: a series without data is unknown, never 0 errors.
        let error_percent = match (
            kit::total(&series, "invocations"),
            kit::total(&series, "errors_5xx"),
        ) {
            (Some(calls), Some(errors)) => {
                (calls > 0.0).then(|| (errors * 100.0 / calls).min(100.0))
            }
            (calls, _) => {
                let missing = if calls.is_none() {
                    "Invocations"
                } else {
                    "Invocation5XXErrors"
                };
                finding = finding.with_evidence(format!(
                    "Shadow Self 5XX share unavailable: no {missing} data for {} in the last {window}",
                    c.shadow_self.endpoint
                ));
                None
            }
        };
        if let Some(percent) = error_percent {
            finding = finding.with(facts::ENDPOINT_5XX_PERCENT, percent);
            parts.push(format!("Shadow Self 5XX {percent:.1} %"));
        }
        if let Some(ms) = model_p99.filter(|ms| *ms > model_threshold) {
            let overloaded = error_percent.is_some_and(|p| p > 1.0);
            causes.raise(
                CAPACITY_SHADOW_SELF,
                if overloaded { 0.75 } else { 0.55 },
                format!(
                    "ModelLatency p99 {:.2} s > {}{}",
                    ms / 1000.0,
                    crate::time::HumanDuration(c.shadow_self.model_latency_p99),
                    if overloaded {
                        ", and the endpoint answers 5XX"
                    } else {
                        ""
                    }
                ),
            );
        }

        let hit_rate = kit::latest(&series, "cache_hit_rate");
        let cache_low = hit_rate.map(|rate| rate < c.cache.hit_rate_floor_percent);
        if let Some(rate) = hit_rate {
            finding = finding.with(facts::CACHE_HIT_RATE_PERCENT, rate).with(
                facts::CACHE_HIT_RATE_LOW,
                rate < c.cache.hit_rate_floor_percent,
            );
            parts.push(format!("cache hit rate {rate:.0} %"));
            if rate < c.cache.hit_rate_floor_percent {
                causes.raise(
                    CACHE_MISS_SPIKE,
                    0.6,
                    format!(
                        "CacheHitRate {rate:.0} % < {} %: more calls reach the models",
                        c.cache.hit_rate_floor_percent
                    ),
                );
            }
        } else {
            finding = unavailable(
                finding,
                "the cache's CacheHitRate",
                format!(
                    "cache hit rate unavailable: no CacheHitRate data for {} in the last {window}: whether it is low is unknown",
                    c.cache.cluster_id
                ),
            );
        }

        // Both counts or no share: a throttle count without data is unknown, never 0 %.
        let throttling = match (
            kit::latest(&series, "bedrock_invocations"),
            kit::latest(&series, "bedrock_throttles"),
        ) {
            (Some(served), Some(throttled)) => {
                Some((served + throttled > 0.0).then(|| throttled * 100.0 / (served + throttled)))
            }
            (served, _) => {
                let missing = if served.is_none() {
                    "Invocations"
                } else {
                    "InvocationThrottles"
                };
                finding = unavailable(
                    finding,
                    "Bedrock's throttled share",
                    format!(
                        "Bedrock throttled share unavailable: no {missing} data for {} in the last {window}: whether it throttles is unknown",
                        c.bedrock.model_id
                    ),
                );
                None
            }
        };
        // No Bedrock call in the minute: nothing throttled.
        let bedrock_over =
            throttling.map(|share| share.is_some_and(|p| p >= c.bedrock.throttled_percent));
        if let Some(percent) = throttling.flatten() {
            let over = percent >= c.bedrock.throttled_percent;
            finding = finding
                .with(facts::BEDROCK_THROTTLED_PERCENT, percent)
                .with(facts::BEDROCK_THROTTLING, over);
            parts.push(format!("Bedrock throttled {percent:.1} %"));
            if over {
                causes.raise(
                    BEDROCK_THROTTLING,
                    0.6,
                    format!("{percent:.1} % of Bedrock calls throttled: fallbacks and retries"),
                );
            }
        }
        if let Some(p99) = kit::peak(&series, "bedrock_p99") {
            finding = finding.with(facts::BEDROCK_P99_MS, p99);
        }

        let verdicts = [shadow_slow, cache_low, bedrock_over];
        let explained = verdicts.contains(&Some(true));
        match request_p99.filter(|p99| *p99 > request_threshold) {
            Some(p99) if !explained && unknown.is_empty() => {
                let p99 = p99 / 1000.0;
                causes.raise(
                    CAPACITY_ORCHESTRATOR,
                    0.45,
                    format!(
                        "request p99 {p99:.2} s while Shadow Self, the cache and Bedrock look fine"
                    ),
                );
                causes.raise(
                    NETWORK_LATENCY,
                    0.35,
                    format!("request p99 {p99:.2} s that no component's latency explains"),
                );
            }
            Some(p99) if !explained => {
                finding = finding.with_evidence(format!(
                    "request p99 {:.2} s that no component read explains; the orchestrator and the network are not ranked while {} is unknown",
                    p99 / 1000.0,
                    unknown.join(", ")
                ));
            }
            _ => {}
        }
        match related {
            Ok(open) => {
                if let Some(first) = open.first() {
                    finding = finding
                        .with(facts::RELATED_INCIDENT, first.id.to_string())
                        .with(facts::RELATED_RUNBOOK, first.runbook.clone());
                }
                for r in &open {
                    let line = format!("open incident {} ({}): {}", r.id, r.runbook, r.title);
                    finding = finding.with_evidence(line.clone());
                    causes.raise(&cause_of(&r.runbook), 0.85, line);
                }
            }
            Err(err) => {
                finding = finding.with_evidence(format!("related incidents unknown: {err}"));
            }
        }

        finding.summary = if parts.is_empty() {
            format!("no component data in the last {window}")
        } else {
            parts.join(", ")
        };
        if !unknown.is_empty() {
            finding.summary = format!("{}; unknown: {}", finding.summary, unknown.join(", "));
        }
        let mut report = DiagnosisReport::finding(finding);
        report.root_causes = causes.0;
        Ok(report)
    }
}
