//! "Review recent deployments" and "Check AWS Health Dashboard".

use std::sync::Arc;

use async_trait::async_trait;

use super::{DeploymentsCheck, HealthCheck};
use crate::catalog::facts;
use crate::catalog::kit;
use crate::error::{ErrorKind, Result};
use crate::ports::{CloudHealth, Deployment, Deployments};
use crate::runbook::{DiagnoseContext, Diagnosis, DiagnosisReport, Finding, RootCause};
use crate::time::{self, HumanDuration};

/// "Review recent deployments": every deployment since the look-back, and the ones that landed
/// shortly before detection as root-cause candidates, the most recent ranked highest.
///
/// Facts: `deployments.recent` (count), `deployments.suspects` (count),
/// `deployments.suspect_services` (every suspect's service, the latest first), and for the
/// latest suspect `deployments.suspect_service`, `deployments.suspect_version` and
/// `deployments.suspect_minutes_before` (minutes before detection).
///
/// With several sources ([`AllDeployments`](crate::ports::AllDeployments)), a source that
/// cannot be read is a finding of its own naming it (`deployments.unread_sources`, count, and
/// `deployments.unread`, the names) while the others' deployments are still listed and ranked;
/// the diagnosis fails only when no source can be read.
#[derive(Debug)]
pub struct RecentDeployments {
    port: Arc<dyn Deployments>,
    config: DeploymentsCheck,
}

impl RecentDeployments {
    /// The check over `port`.
    pub fn new(port: Arc<dyn Deployments>, config: DeploymentsCheck) -> Self {
        RecentDeployments { port, config }
    }

    fn matters(&self, deployment: &Deployment) -> bool {
        self.config.services.is_empty()
            || self
                .config
                .services
                .iter()
                .any(|s| s.eq_ignore_ascii_case(&deployment.service))
    }
}

#[async_trait]
impl Diagnosis for RecentDeployments {
    fn name(&self) -> &str {
        "recent-deployments"
    }

    async fn diagnose(&self, ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
        let since = time::sub(ctx.detected_at, self.config.look_back);
        let read = self.port.read(since).await?;
        let all = read.deployments;
        let recent: Vec<&Deployment> = all.iter().filter(|d| self.matters(d)).collect();
        let window = self.config.suspect_within.as_secs_f64().max(1.0);
        let mut causes = Vec::new();
        let mut finding =
            Finding::new(self.name(), "").with(facts::DEPLOYMENTS_RECENT, kit::count(recent.len()));
        let mut latest_suspect = None;
        let mut suspects: Vec<&str> = Vec::new();
        for d in &recent {
            let mut line = format!(
                "{} {} deployed at {}",
                d.service,
                d.version,
                d.at.format("%Y-%m-%d %H:%M:%S UTC")
            );
            if let Some(author) = &d.author {
                line.push_str(&format!(" by {author}"));
            }
            if !d.description.is_empty() {
                line.push_str(&format!(": {}", d.description));
            }
            finding = finding.with_evidence(line.clone());
            if d.at > ctx.detected_at {
                continue;
            }
            let before = time::elapsed(d.at, ctx.detected_at);
            if before > self.config.suspect_within {
                continue;
            }
            let confidence = self.config.confidence * (1.0 - 0.5 * before.as_secs_f64() / window);
            let minutes = before.as_secs() / 60;
            causes.push(
                RootCause::new(
                    format!("recent deployment {} {}", d.service, d.version),
                    confidence,
                )
                .with_evidence(format!("{line} ({minutes} min before detection)")),
            );
            latest_suspect = Some((*d, minutes));
            suspects.insert(0, d.service.as_str());
        }
        finding = finding.with(facts::DEPLOYMENTS_SUSPECTS, kit::count(causes.len()));
        finding.summary = match latest_suspect {
            Some((d, minutes)) => {
                finding = finding
                    .with(facts::DEPLOYMENTS_SUSPECT_SERVICES, suspects.join(","))
                    .with(facts::DEPLOYMENTS_SUSPECT_SERVICE, d.service.clone())
                    .with(facts::DEPLOYMENTS_SUSPECT_VERSION, d.version.clone())
                    .with(
                        facts::DEPLOYMENTS_SUSPECT_MINUTES_BEFORE,
                        kit::count(minutes),
                    );
                format!(
                    "{} deployment(s) in the last {}; {} {} landed {minutes} min before detection",
                    recent.len(),
                    HumanDuration(self.config.look_back),
                    d.service,
                    d.version
                )
            }
            None => format!(
                "{} deployment(s) in the last {}; none shortly before detection",
                recent.len(),
                HumanDuration(self.config.look_back)
            ),
        };
        let mut report = DiagnosisReport::finding(finding);
        if !read.unread.is_empty() {
            let names: Vec<&str> = read.unread.iter().map(|u| u.source.as_str()).collect();
            let mut unread = Finding::new(
                self.name(),
                format!(
                    "deployments not read from {}: a change there may be missing from this list",
                    names.join(", ")
                ),
            )
            .with(facts::DEPLOYMENTS_UNREAD_SOURCES, kit::count(names.len()))
            .with(facts::DEPLOYMENTS_UNREAD, names.join(", "));
            for u in &read.unread {
                unread = unread.with_evidence(format!("{}: {}", u.source, u.error));
            }
            report.findings.push(unread);
        }
        report.root_causes = causes;
        Ok(report)
    }
}

/// "Check AWS Health Dashboard": events of the services that matter; an open one is a
/// root-cause candidate.
///
/// Facts: `health.open_events` and `health.events` (counts). A dashboard the account cannot
/// read ([`ErrorKind::Unsupported`]: AWS Health without a Business support plan) is a finding
/// saying so, with `health.unavailable`, never a failed diagnosis; any other error fails it.
#[derive(Debug)]
pub struct CloudHealthEvents {
    port: Arc<dyn CloudHealth>,
    config: HealthCheck,
}

impl CloudHealthEvents {
    /// The check over `port`.
    pub fn new(port: Arc<dyn CloudHealth>, config: HealthCheck) -> Self {
        CloudHealthEvents { port, config }
    }

    fn matters(&self, service: &str, region: &str) -> bool {
        let listed = |list: &[String], value: &str| {
            list.is_empty()
                || list
                    .iter()
                    .any(|s| s == "*" || s.eq_ignore_ascii_case(value))
        };
        listed(&self.config.services, service) && listed(&self.config.regions, region)
    }
}

#[async_trait]
impl Diagnosis for CloudHealthEvents {
    fn name(&self) -> &str {
        "cloud-health-events"
    }

    async fn diagnose(&self, ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
        let since = time::sub(ctx.detected_at, self.config.look_back);
        let events = match self.port.events(since).await {
            Ok(events) => events,
            Err(err) if err.kind() == ErrorKind::Unsupported => {
                let finding = Finding::new(self.name(), err.message().to_owned())
                    .with(facts::HEALTH_UNAVAILABLE, true)
                    .with_evidence(format!("{}: {err}", self.port));
                return Ok(DiagnosisReport::finding(finding));
            }
            Err(err) => return Err(err),
        };
        let relevant: Vec<_> = events
            .iter()
            .filter(|e| self.matters(&e.service, &e.region))
            .collect();
        let open = relevant.iter().filter(|e| e.open).count();
        let mut finding = Finding::new(
            self.name(),
            format!(
                "{open} open cloud health event(s), {} in the last {}",
                relevant.len(),
                HumanDuration(self.config.look_back)
            ),
        )
        .with(facts::HEALTH_OPEN_EVENTS, kit::count(open))
        .with(facts::HEALTH_EVENTS, kit::count(relevant.len()));
        let mut report = DiagnosisReport::default();
        for e in &relevant {
            let line = format!(
                "{} {} {} since {}: {}",
                if e.open { "OPEN" } else { "closed" },
                e.service,
                e.region,
                e.started_at.format("%Y-%m-%d %H:%M UTC"),
                e.description
            );
            finding = finding.with_evidence(line.clone());
            if e.open {
                report = report.with_cause(
                    RootCause::new(
                        format!(
                            "cloud health event {} {}: {}",
                            e.service, e.region, e.description
                        ),
                        self.config.confidence,
                    )
                    .with_evidence(line),
                );
            }
        }
        report.findings.push(finding);
        Ok(report)
    }
}
