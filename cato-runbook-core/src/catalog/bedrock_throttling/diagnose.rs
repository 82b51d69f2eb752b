//! The diagnoses: the quota against demand, the throttling lines, the traffic controls.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::Config;
use super::signals::measure;
use crate::catalog::facts;
use crate::catalog::kit;
use crate::catalog::log_symptom::LogQuery;
use crate::error::Result;
use crate::ports::{EndpointStatus, Logs, Metrics, ModelEndpoint, Quotas, TrafficControl};
use crate::runbook::{DiagnoseContext, Diagnosis, DiagnosisReport, Finding, RootCause};
use crate::time;

/// Demand within this share of the quota counts as reaching it.
const NEAR_QUOTA: f64 = 0.9;

/// `get-service-quota`, against the peak calls per minute since a window before detection.
#[derive(Debug)]
pub(super) struct QuotaCheck {
    pub quotas: Arc<dyn Quotas>,
    pub metrics: Arc<dyn Metrics>,
    pub config: Arc<Config>,
}

#[async_trait]
impl Diagnosis for QuotaCheck {
    fn name(&self) -> &str {
        "bedrock-quota"
    }

    async fn diagnose(&self, ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
        let q = &self.config.quota;
        let quota = self.quotas.get(&q.service, &q.code).await?;
        let start = time::sub(ctx.detected_at, self.config.window);
        let calls = measure(self.metrics.as_ref(), &self.config.model_id, start, ctx.now).await?;
        let mut finding = Finding::new(
            self.name(),
            format!(
                "{}/{} ({}) is {:.0} calls/min",
                quota.service, quota.code, quota.name, quota.value
            ),
        )
        .with(facts::BEDROCK_QUOTA, quota.value)
        .with(facts::BEDROCK_QUOTA_NAME, quota.name.clone());
        let Some(calls) = calls else {
            finding
                .summary
                .push_str("; no Bedrock call since before detection");
            return Ok(DiagnosisReport::finding(finding));
        };
        finding = finding
            .with(facts::BEDROCK_PEAK_CALLS_PER_MINUTE, calls.peak_per_minute)
            .with(facts::BEDROCK_THROTTLE_RATE, calls.rate())
            .with_evidence(calls.describe());
        finding.summary.push_str(&format!(
            "; peak demand {:.0} calls/min, {:.1} % throttled",
            calls.peak_per_minute,
            calls.rate() * 100.0
        ));
        let mut report = DiagnosisReport::default();
        let against = format!(
            "peak {:.0} calls/min against a quota of {:.0}/min",
            calls.peak_per_minute, quota.value
        );
        if quota.value > 0.0 && calls.peak_per_minute >= NEAR_QUOTA * quota.value {
            report = report.with_cause(
                RootCause::new(
                    format!("Bedrock quota too low for demand ({})", quota.code),
                    0.6,
                )
                .with_evidence(against),
            );
        } else if calls.throttled > 0.0 {
            report = report.with_cause(
                RootCause::new(
                    "Bedrock throttling below the quota (service-side capacity)",
                    0.4,
                )
                .with_evidence(against),
            );
        }
        report.findings.push(finding);
        Ok(report)
    }
}

/// The throttling lines of the orchestrator's log since a window before detection, and the
/// fallback lines among them.
#[derive(Debug)]
pub(super) struct ThrottlingLogs {
    pub logs: Arc<dyn Logs>,
    pub query: LogQuery,
    pub window: Duration,
}

/// Lines quoted as evidence.
const QUOTED: usize = 5;

#[async_trait]
impl Diagnosis for ThrottlingLogs {
    fn name(&self) -> &str {
        "throttling-logs"
    }

    async fn diagnose(&self, ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
        let since = time::sub(ctx.detected_at, self.window);
        let lines = self.query.lines(self.logs.as_ref(), since).await?;
        let fallback = lines
            .iter()
            .filter(|l| {
                let m = l.message.to_lowercase();
                m.contains("falling back") || m.contains("fallback")
            })
            .count();
        let mut finding = Finding::new(
            self.name(),
            format!(
                "{} {:?} line(s) in {}, {fallback} with a fallback",
                lines.len(),
                self.query.pattern,
                self.query.group
            ),
        )
        .with(facts::LOGS_THROTTLING_LINES, kit::count(lines.len()))
        .with(facts::LOGS_FALLBACK_LINES, kit::count(fallback));
        for line in lines.iter().rev().take(QUOTED) {
            finding = finding.with_evidence(kit::log_line(line));
        }
        Ok(DiagnosisReport::finding(finding))
    }
}

/// The traffic controls and the Shadow Self endpoint, which the ladder's steps 2 to 4 read.
#[derive(Debug)]
pub(super) struct TrafficControls {
    pub traffic: Arc<dyn TrafficControl>,
    pub endpoint: Arc<dyn ModelEndpoint>,
    pub config: Arc<Config>,
}

#[async_trait]
impl Diagnosis for TrafficControls {
    fn name(&self) -> &str {
        "traffic-controls"
    }

    async fn diagnose(&self, _ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
        let name = &self.config.traffic_shift.endpoint;
        let (state, endpoint) =
            futures::future::join(self.traffic.state(), self.endpoint.describe(name)).await;
        let state = state?;
        let endpoint = endpoint?;
        let serving =
            endpoint.status == EndpointStatus::InService && endpoint.current_instances() > 0;
        let finding = Finding::new(
            self.name(),
            format!(
                "Shadow Self serves {:.0} % of LLM traffic ({name} {}, {} instances); cache similarity threshold {:.2}; emergency mode {}",
                state.shadow_self_share * 100.0,
                endpoint.status,
                endpoint.current_instances(),
                state.cache_similarity_threshold,
                if state.emergency_mode { "on" } else { "off" }
            ),
        )
        .with(facts::TRAFFIC_SHADOW_SELF_SHARE, state.shadow_self_share)
        .with(facts::TRAFFIC_CACHE_SIMILARITY_THRESHOLD, state.cache_similarity_threshold)
        .with(facts::TRAFFIC_EMERGENCY_MODE, state.emergency_mode)
        .with(facts::SHADOW_SELF_STATUS, endpoint.status.to_string())
        .with(facts::SHADOW_SELF_INSTANCES, endpoint.current_instances())
        .with(facts::SHADOW_SELF_SERVING, serving);
        Ok(DiagnosisReport::finding(finding))
    }
}
