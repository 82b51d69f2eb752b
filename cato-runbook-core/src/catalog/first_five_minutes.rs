//! The runbook's "First 5 Minutes", as diagnoses any runbook of the catalog adds.
//!
//! > **First 5 Minutes:**
//! > - Check dashboard for obvious issues
//! > - Review recent deployments
//! > - Check AWS Health Dashboard
//!
//! | check | diagnosis | port | root cause it may rank |
//! |-------|-----------|------|------------------------|
//! | dashboard | [`DashboardSignals`] (`dashboard-signals`): one multi-series query of the signals the runbook's sections watch | [`Metrics`] | — (facts and evidence only) |
//! | recent deployments | [`RecentDeployments`] (`recent-deployments`) | [`Deployments`] | `recent deployment <service> <version>`, when one landed shortly before detection |
//! | cloud health | [`CloudHealthEvents`] (`cloud-health-events`) | [`CloudHealth`] | `cloud health event <SERVICE> <region>: …`, for an open event of a relevant service |
//!
//! # Adding them to a runbook
//!
//! A runbook's `Config` holds a [`Config`] (as its `first_five_minutes` field, defaulting to
//! [`Config::default`]), and its builder adds what [`diagnoses`] returns for it, with the cloud
//! services that matter to the runbook unless the config names its own:
//!
//! ```
//! use cato_runbook_core::catalog::{Providers, first_five_minutes};
//! use cato_runbook_core::engine::Runbook;
//! # use std::sync::Arc;
//! # let providers = Providers::new(Arc::new(cato_runbook_core::ports::SystemClock));
//!
//! let configured = first_five_minutes::Config::default(); // from the runbook's Config
//! let checks = configured.or_watching(&["SAGEMAKER"]);
//! let mut builder = Runbook::builder("shadow-self-down", "Shadow Self Endpoint Down");
//! for diagnosis in first_five_minutes::diagnoses(&providers, &checks)? {
//!     builder = builder.diagnosis(diagnosis);
//! }
//! let runbook = builder.build()?;
//! // No metrics, deployments or health port configured: no check to add.
//! assert!(runbook.diagnoses().is_empty());
//! # Ok::<(), cato_runbook_core::Error>(())
//! ```
//!
//! The checks are context, not requirements: a check whose port is not configured, or that a
//! runbook's config turns off (`enabled = false`), is left out, and the runbook still builds.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::Providers;
use crate::error::{Error, Result};
use crate::ports::{
    CloudHealth, Deployment, Deployments, Dimension, MetricQuery, MetricSeries, Metrics, Statistic,
};
use crate::runbook::{DiagnoseContext, Diagnosis, DiagnosisReport, Finding, RootCause};
use crate::time::{self, HumanDuration};

/// Settings of the three checks. `Default`: every check on, the runbook's resource names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// "Review recent deployments".
    pub deployments: DeploymentsCheck,
    /// "Check AWS Health Dashboard".
    pub health: HealthCheck,
    /// "Check dashboard for obvious issues".
    pub dashboard: DashboardCheck,
}

impl Config {
    /// The default checks, with cloud health events limited to `services` (`BEDROCK`,
    /// `DYNAMODB`, `SAGEMAKER`, …).
    pub fn watching(services: &[&str]) -> Self {
        Config::default().or_watching(services)
    }

    /// This config, watching `services` unless it names its own ([`HealthCheck::services`]
    /// empty). A runbook passes the cloud services that matter to it here, so that a config
    /// file that changes some other setting of the checks keeps them.
    pub fn or_watching(&self, services: &[&str]) -> Self {
        let mut config = self.clone();
        if config.health.services.is_empty() {
            config.health.services = services.iter().map(|s| (*s).to_owned()).collect();
        }
        config
    }

    /// Checks that windows are whole minutes and confidences lie in `0.0 ..= 1.0`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the setting.
    pub fn validate(&self) -> Result<()> {
        let bad = |what: &str, message: &str| {
            Err(Error::invalid_input(
                "catalog.first_five_minutes",
                format!("{what} {message}"),
            ))
        };
        for (what, value) in [
            ("deployments.confidence", self.deployments.confidence),
            ("health.confidence", self.health.confidence),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return bad(what, "must lie between 0 and 1");
            }
        }
        let window = self.dashboard.window;
        if window.as_secs() < 60
            || !window.as_secs().is_multiple_of(60)
            || window.subsec_nanos() != 0
        {
            return bad("dashboard.window", "must be a whole number of minutes");
        }
        Ok(())
    }
}

/// "Review recent deployments".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct DeploymentsCheck {
    /// Whether the check runs.
    pub enabled: bool,
    /// How far back before detection deployments are listed. Default 24 h.
    #[serde(with = "humantime_serde")]
    pub look_back: Duration,
    /// A deployment that landed at most this long before detection is a root-cause candidate.
    /// Default 1 h.
    #[serde(with = "humantime_serde")]
    pub suspect_within: Duration,
    /// The confidence of a deployment that landed just before detection; it falls to half at
    /// `suspect_within`. Default 0.7: a change minutes before is the likeliest cause, above the
    /// mechanism a runbook's own diagnosis finds (a quota reached, a partition hot).
    pub confidence: f64,
    /// The services whose deployments matter; empty: every service.
    pub services: Vec<String>,
}

impl Default for DeploymentsCheck {
    fn default() -> Self {
        DeploymentsCheck {
            enabled: true,
            look_back: Duration::from_secs(24 * 3600),
            suspect_within: Duration::from_secs(3600),
            confidence: 0.7,
            services: Vec::new(),
        }
    }
}

/// "Check AWS Health Dashboard".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct HealthCheck {
    /// Whether the check runs.
    pub enabled: bool,
    /// How far back before detection closed events are still listed. Default 24 h.
    #[serde(with = "humantime_serde")]
    pub look_back: Duration,
    /// The cloud services that matter (`BEDROCK`, `DYNAMODB`, …, any case); `*`: every one;
    /// empty: the runbook's own ([`Config::or_watching`]), or every one.
    pub services: Vec<String>,
    /// The regions that matter; empty: every one.
    pub regions: Vec<String>,
    /// The confidence of an open event of a service that matters. Default 0.5.
    pub confidence: f64,
}

impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck {
            enabled: true,
            look_back: Duration::from_secs(24 * 3600),
            services: Vec::new(),
            regions: Vec::new(),
            confidence: 0.5,
        }
    }
}

/// "Check dashboard for obvious issues": the signals of the runbook's sections, in one query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct DashboardCheck {
    /// Whether the check runs.
    pub enabled: bool,
    /// The window, ending when the check runs; whole minutes. Default 15 min.
    #[serde(with = "humantime_serde")]
    pub window: Duration,
    /// The Shadow Self endpoint. Default `cato-shadow-self`.
    pub endpoint: String,
    /// The cache node whose hit rate is shown. Default `cato-cache-001`.
    pub cache_cluster_id: String,
    /// The table. Default `cato-semantic-memory`.
    pub table: String,
    /// The Bedrock model Cato calls.
    pub bedrock_model: String,
    /// An end-to-end p99 above this is an obvious issue, milliseconds. Default 2 000 (High
    /// Latency's "p99 latency > 2 seconds").
    pub p99_ms: f64,
    /// A cache hit rate below this is an obvious issue. Default 0.70 (Cache Miss Spike's
    /// "below 70%").
    pub min_hit_rate: f64,
    /// A Shadow Self 5XX or Bedrock throttle rate above this is an obvious issue. Default 0.01.
    pub max_error_rate: f64,
}

/// The Bedrock model of Cato's default deployment.
pub(crate) const BEDROCK_MODEL: &str = "anthropic.claude-3-5-sonnet-20241022-v2:0";

impl Default for DashboardCheck {
    fn default() -> Self {
        DashboardCheck {
            enabled: true,
            window: Duration::from_secs(15 * 60),
            endpoint: "cato-shadow-self".into(),
            cache_cluster_id: "cato-cache-001".into(),
            table: "cato-semantic-memory".into(),
            bedrock_model: BEDROCK_MODEL.into(),
            p99_ms: 2000.0,
            min_hit_rate: 0.70,
            max_error_rate: 0.01,
        }
    }
}

/// The checks `config` turns on and `providers` can run.
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a config that does not
/// [`validate`](Config::validate).
pub fn diagnoses(providers: &Providers, config: &Config) -> Result<Vec<Arc<dyn Diagnosis>>> {
    config.validate()?;
    let mut out: Vec<Arc<dyn Diagnosis>> = Vec::new();
    if let (true, Some(metrics)) = (config.dashboard.enabled, &providers.metrics) {
        out.push(Arc::new(DashboardSignals::new(
            metrics.clone(),
            config.dashboard.clone(),
        )));
    }
    if let (true, Some(deployments)) = (config.deployments.enabled, &providers.deployments) {
        out.push(Arc::new(RecentDeployments::new(
            deployments.clone(),
            config.deployments.clone(),
        )));
    }
    if let (true, Some(health)) = (config.health.enabled, &providers.health) {
        out.push(Arc::new(CloudHealthEvents::new(
            health.clone(),
            config.health.clone(),
        )));
    }
    Ok(out)
}

/// "Review recent deployments": every deployment since the look-back, and the ones that landed
/// shortly before detection as root-cause candidates, the most recent ranked highest.
///
/// Facts: `deployments.recent` (count), `deployments.suspects` (count), and for the latest
/// suspect `deployments.suspect_service`, `deployments.suspect_version` and
/// `deployments.suspect_minutes_before` (minutes before detection).
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
        let all = self.port.since(since).await?;
        let recent: Vec<&Deployment> = all.iter().filter(|d| self.matters(d)).collect();
        let window = self.config.suspect_within.as_secs_f64().max(1.0);
        let mut causes = Vec::new();
        let mut finding =
            Finding::new(self.name(), "").with_fact("deployments.recent", recent.len() as i64);
        let mut latest_suspect = None;
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
        }
        finding = finding.with_fact("deployments.suspects", causes.len() as i64);
        finding.summary = match latest_suspect {
            Some((d, minutes)) => {
                finding = finding
                    .with_fact("deployments.suspect_service", d.service.as_str())
                    .with_fact("deployments.suspect_version", d.version.as_str())
                    .with_fact("deployments.suspect_minutes_before", minutes as i64);
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
        report.root_causes = causes;
        Ok(report)
    }
}

/// "Check AWS Health Dashboard": events of the services that matter; an open one is a
/// root-cause candidate.
///
/// Facts: `health.open_events` and `health.events` (counts).
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
        let events = self.port.events(since).await?;
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
        .with_fact("health.open_events", open as i64)
        .with_fact("health.events", relevant.len() as i64);
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

/// The sum of a series' points, `None` without data.
fn total(series: &[MetricSeries], id: &str) -> Option<f64> {
    let s = series.iter().find(|s| s.id == id)?;
    if s.points.is_empty() {
        return None;
    }
    Some(s.points.iter().map(|p| p.value).sum())
}

/// The largest point of a series (a percentile over the window), `None` without data.
fn peak(series: &[MetricSeries], id: &str) -> Option<f64> {
    let s = series.iter().find(|s| s.id == id)?;
    s.points.iter().map(|p| p.value).reduce(f64::max)
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
        let bedrock_calls = total(&series, "br_calls");
        let bedrock_throttles = total(&series, "br_throttles");
        let signals: [(&str, &str, Option<f64>, bool); 6] = {
            let error_rate = rate(total(&series, "ss_5xx"), total(&series, "ss_calls"));
            let p99 = peak(&series, "ss_p99").map(|us| us / 1000.0);
            let hit = peak(&series, "cache_hit").map(|pct| pct / 100.0);
            let throttle = rate(
                bedrock_throttles,
                bedrock_calls.map(|c| c + bedrock_throttles.unwrap_or(0.0)),
            );
            let table = total(&series, "table_throttles");
            let request = peak(&series, "request_p99");
            [
                (
                    "dashboard.shadow_self_error_rate",
                    "Shadow Self 5XX rate",
                    error_rate,
                    error_rate.is_some_and(|r| r > c.max_error_rate),
                ),
                (
                    "dashboard.shadow_self_p99_ms",
                    "Shadow Self model p99 (ms)",
                    p99,
                    false,
                ),
                (
                    "dashboard.cache_hit_rate",
                    "cache hit rate",
                    hit,
                    hit.is_some_and(|h| h < c.min_hit_rate),
                ),
                (
                    "dashboard.bedrock_throttle_rate",
                    "Bedrock throttle rate",
                    throttle,
                    throttle.is_some_and(|r| r > c.max_error_rate),
                ),
                (
                    "dashboard.table_throttles",
                    "DynamoDB throttled requests",
                    table,
                    table.is_some_and(|t| t > 0.0),
                ),
                (
                    "dashboard.request_p99_ms",
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
                Some(v) if fact.ends_with("_rate") => format!("{:.1} %", v * 100.0),
                Some(v) => format!("{v:.0}"),
                None => "no data".to_owned(),
            };
            finding = finding.with_evidence(format!("{label}: {shown}"));
            if let Some(v) = value {
                finding = finding.with_fact(fact, v);
            }
            if issue {
                obvious.push(format!("{label} {shown}"));
            }
        }
        finding = finding.with_fact("dashboard.obvious_issues", obvious.len() as i64);
        finding.summary = if obvious.is_empty() {
            format!("dashboard, last {window}: nothing obvious")
        } else {
            format!("dashboard, last {window}: {}", obvious.join("; "))
        };
        Ok(DiagnosisReport::finding(finding))
    }
}
