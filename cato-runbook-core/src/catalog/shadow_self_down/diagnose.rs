//! The diagnosis: the endpoint's status and configs, its ERROR log events ranked by root cause,
//! and the host's breaker.

use std::sync::Arc;

use async_trait::async_trait;

use super::Config;
use super::detect::{InvocationQueries, LatencyQueries, invocations, model_latency, variant};
use crate::catalog::circuit_breaker::CircuitBreaker;
use crate::catalog::facts;
use crate::catalog::kit::{self, last_minutes};
use crate::error::Result;
use crate::ports::{EndpointConfig, EndpointStatus as Status, Logs, Metrics, ModelEndpoint};
use crate::runbook::{DiagnoseContext, Diagnosis, DiagnosisReport, FactKey, Finding, RootCause};
use crate::time;

/// The newest config of `configs` created before `current`, if any.
pub(super) fn previous_config<'a>(
    configs: &'a [EndpointConfig],
    current: &str,
) -> Option<&'a EndpointConfig> {
    let created = configs.iter().find(|c| c.name == current)?.created_at;
    configs
        .iter()
        .filter(|c| c.name != current && c.created_at < created)
        .max_by(|a, b| a.created_at.cmp(&b.created_at).then(a.name.cmp(&b.name)))
}

/// `describe-endpoint` (status, `CurrentInstanceCount`, config), `list-endpoint-configs` (the
/// config before the current one), and the endpoint's own 5XX rate and `ModelLatency` over the
/// window: whether the endpoint itself is failing, or only its callers see trouble (a breaker
/// open on a network fault).
///
/// Facts: `endpoint_status`, `instance_count`, `desired_instances`, `endpoint_config`,
/// `previous_config`, `failure_reason`, `endpoint_5xx_percent`, `introspection_p99_ms` (each
/// when known), and `endpoint_failing` (unless its metrics could not be read on a serving
/// endpoint).
#[derive(Debug)]
pub(super) struct EndpointStatus {
    endpoint: Arc<dyn ModelEndpoint>,
    metrics: Arc<dyn Metrics>,
    config: Arc<Config>,
}

impl EndpointStatus {
    pub(super) fn new(
        endpoint: Arc<dyn ModelEndpoint>,
        metrics: Arc<dyn Metrics>,
        config: Arc<Config>,
    ) -> Self {
        EndpointStatus {
            endpoint,
            metrics,
            config,
        }
    }
}

#[async_trait]
impl Diagnosis for EndpointStatus {
    fn name(&self) -> &str {
        "endpoint-status"
    }

    async fn diagnose(&self, ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
        let c = &self.config;
        let (start, end) = last_minutes(ctx.now, c.window);
        let metrics = self.metrics.as_ref();
        let (invocation_queries, latency_queries) =
            (InvocationQueries::of(c), LatencyQueries::of(c));
        let (described, listed, counts, latency) = futures::join!(
            self.endpoint.describe(&c.endpoint),
            self.endpoint.list_configs(&c.config_name_contains),
            invocations(metrics, &invocation_queries, c, start, end),
            model_latency(metrics, &latency_queries, start, end)
        );
        let d = described?;
        let v = variant(&d, c)?;
        let mut finding = Finding::new(
            self.name(),
            format!(
                "{} is {}: {} of {} instances of {} in service, config {}",
                c.endpoint,
                d.status,
                v.current_instances,
                v.desired_instances,
                v.name,
                d.config_name
            ),
        )
        .with(facts::ENDPOINT_STATUS, d.status.to_string())
        .with(facts::INSTANCE_COUNT, v.current_instances)
        .with(facts::DESIRED_INSTANCES, v.desired_instances)
        .with(facts::ENDPOINT_CONFIG, d.config_name.clone());
        if let Some(reason) = &d.failure_reason {
            finding = finding
                .with(facts::FAILURE_REASON, reason.clone())
                .with_evidence(format!("failure reason: {reason}"));
        }
        let down =
            v.current_instances == 0 || matches!(d.status, Status::Failed | Status::OutOfService);
        let failing = match (counts, latency) {
            (Ok(counts), Ok((p99, _))) => {
                let rate = counts.error_percent();
                let judged = counts.total >= c.min_invocations as f64;
                if judged {
                    finding = finding.with(facts::ENDPOINT_5XX_PERCENT, rate);
                }
                if let Some(us) = p99 {
                    finding = finding.with(facts::INTROSPECTION_P99_MS, us / 1000.0);
                }
                finding = finding.with_evidence(format!(
                    "5XX on {rate:.1} % of {} invocations, ModelLatency p99 {}",
                    counts.total,
                    p99.map_or_else(|| "-".to_owned(), |us| format!("{:.2} s", us / 1e6))
                ));
                let slow =
                    p99.is_some_and(|us| us > c.introspection_latency_p99.as_secs_f64() * 1e6);
                Some(down || slow || (judged && rate > c.error_rate_threshold_percent))
            }
            (Err(err), _) | (_, Err(err)) => {
                finding =
                    finding.with_evidence(format!("the endpoint's metrics are unknown: {err}"));
                down.then_some(true)
            }
        };
        if let Some(failing) = failing {
            finding = finding.with(facts::ENDPOINT_FAILING, failing);
        }
        // The configs are for the rollback; without them the status still stands.
        match listed {
            Ok(configs) => {
                let names: Vec<_> = configs.iter().map(|c| c.name.as_str()).collect();
                finding = finding.with_evidence(format!(
                    "configs containing {:?}, oldest first: {}",
                    c.config_name_contains,
                    names.join(", ")
                ));
                match previous_config(&configs, &d.config_name) {
                    Some(previous) => {
                        finding = finding
                            .with(facts::PREVIOUS_CONFIG, previous.name.clone())
                            .with_evidence(format!(
                                "previous config: {} (created {})",
                                previous.name,
                                previous.created_at.format("%Y-%m-%d %H:%M")
                            ));
                    }
                    None => {
                        finding = finding.with_evidence(format!(
                            "no config older than {} to roll back to",
                            d.config_name
                        ));
                    }
                }
            }
            Err(err) => {
                finding = finding.with_evidence(format!("list-endpoint-configs failed: {err}"));
            }
        }
        Ok(DiagnosisReport::finding(finding))
    }
}

/// One root cause of the runbook and what its log lines contain.
#[derive(Debug)]
struct Cause {
    fact: FactKey<i64>,
    cause: &'static str,
    signs: Vec<String>,
}

impl Cause {
    fn matches(&self, message: &str) -> bool {
        let message = message.to_lowercase();
        self.signs
            .iter()
            .any(|sign| !sign.is_empty() && message.contains(&sign.to_lowercase()))
    }
}

/// `filter-log-events --filter-pattern "ERROR"`, each line held against the runbook's root
/// causes: out of memory (model too large), GPU driver, container crash loop.
///
/// Facts: `error_events`, `oom_events`, `gpu_driver_events`, `crash_loop_events`. Causes are
/// ranked by their share of the matching lines: confidence 0.3 + 0.6 × share.
#[derive(Debug)]
pub(super) struct ErrorLogs {
    logs: Arc<dyn Logs>,
    config: Arc<Config>,
    causes: Vec<Cause>,
}

impl ErrorLogs {
    pub(super) fn new(logs: Arc<dyn Logs>, config: Arc<Config>) -> Self {
        let signs = &config.root_causes;
        let causes = vec![
            Cause {
                fact: facts::OOM_EVENTS,
                cause: "out of memory (model too large)",
                signs: signs.out_of_memory.clone(),
            },
            Cause {
                fact: facts::GPU_DRIVER_EVENTS,
                cause: "GPU driver issue",
                signs: signs.gpu_driver.clone(),
            },
            Cause {
                fact: facts::CRASH_LOOP_EVENTS,
                cause: "container crash loop",
                signs: signs.crash_loop.clone(),
            },
        ];
        ErrorLogs {
            logs,
            config,
            causes,
        }
    }
}

/// Error lines quoted as evidence, the newest ones.
const QUOTED: usize = 10;

#[async_trait]
impl Diagnosis for ErrorLogs {
    fn name(&self) -> &str {
        "error-logs"
    }

    async fn diagnose(&self, ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
        let c = &self.config;
        let since = time::sub(ctx.detected_at, c.log_lookback);
        let events = self
            .logs
            .filter(&c.log_group, &c.log_filter_pattern, since, c.log_limit)
            .await?;
        let counts: Vec<usize> = self
            .causes
            .iter()
            .map(|cause| events.iter().filter(|e| cause.matches(&e.message)).count())
            .collect();
        let matched: usize = counts.iter().sum();
        let mut finding = Finding::new(
            self.name(),
            format!(
                "{} {:?} events in {} since {}",
                events.len(),
                c.log_filter_pattern,
                c.log_group,
                since.format("%H:%M")
            ),
        )
        .with(facts::ERROR_EVENTS, kit::count(events.len()));
        for (cause, count) in self.causes.iter().zip(&counts) {
            finding = finding.with(cause.fact, kit::count(*count));
        }
        for event in events.iter().rev().take(QUOTED).rev() {
            finding = finding.with_evidence(kit::log_line(event));
        }
        let mut report = DiagnosisReport::finding(finding);
        if matched == 0 {
            return Ok(report);
        }
        for (cause, count) in self.causes.iter().zip(counts) {
            if count == 0 {
                continue;
            }
            let share = count as f64 / matched as f64;
            let mut candidate = RootCause::new(cause.cause, 0.3 + 0.6 * share)
                .with_evidence(format!("{count} of {} ERROR events", events.len()));
            if let Some(line) = events.iter().rev().find(|e| cause.matches(&e.message)) {
                candidate = candidate.with_evidence(line.message.clone());
            }
            report = report.with_cause(candidate);
        }
        Ok(report)
    }
}

/// The host's breaker: its state and window.
///
/// Facts: `breaker_state`, `breaker_failure_rate_percent` (once the window is judged).
#[derive(Debug)]
pub(super) struct BreakerState {
    breaker: CircuitBreaker,
}

impl BreakerState {
    pub(super) fn new(breaker: CircuitBreaker) -> Self {
        BreakerState { breaker }
    }
}

#[async_trait]
impl Diagnosis for BreakerState {
    fn name(&self) -> &str {
        "circuit-breaker"
    }

    async fn diagnose(&self, _ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
        let snapshot = self.breaker.snapshot();
        let mut finding = Finding::new(self.name(), snapshot.to_string())
            .with(facts::BREAKER_STATE, snapshot.state.to_string());
        if let Some(rate) = snapshot.failure_rate_percent {
            finding = finding.with(facts::BREAKER_FAILURE_RATE_PERCENT, rate);
        }
        Ok(DiagnosisReport::finding(finding))
    }
}
