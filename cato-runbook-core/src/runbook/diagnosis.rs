//! Diagnoses: gather evidence, rank likely root causes.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::incident::{IncidentId, RunbookId};
use crate::runbook::facts::{Finding, RootCause};
use crate::time::Timestamp;

/// What a diagnosis is told about the incident it investigates.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DiagnoseContext {
    /// The incident.
    pub incident: IncidentId,
    /// Its runbook.
    pub runbook: RunbookId,
    /// The affected resource.
    pub resource: String,
    /// When the incident was detected; evidence windows usually start a little before.
    pub detected_at: Timestamp,
    /// The clock's time now.
    pub now: Timestamp,
}

impl DiagnoseContext {
    /// A context for `incident` of `runbook` on `resource`.
    pub fn new(
        incident: IncidentId,
        runbook: RunbookId,
        resource: impl Into<String>,
        detected_at: Timestamp,
        now: Timestamp,
    ) -> Self {
        DiagnoseContext {
            incident,
            runbook,
            resource: resource.into(),
            detected_at,
            now,
        }
    }
}

/// What a diagnosis found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DiagnosisReport {
    /// Findings, each with its evidence and facts.
    pub findings: Vec<Finding>,
    /// Root-cause candidates; the engine ranks them across diagnoses.
    pub root_causes: Vec<RootCause>,
}

impl DiagnosisReport {
    /// A report of one finding.
    pub fn finding(finding: Finding) -> Self {
        DiagnosisReport {
            findings: vec![finding],
            root_causes: Vec::new(),
        }
    }

    /// Adds a root-cause candidate.
    pub fn with_cause(mut self, cause: RootCause) -> Self {
        self.root_causes.push(cause);
        self
    }
}

/// Gathers evidence about an open incident.
///
/// Diagnoses of one runbook run concurrently, so each should make its own independent calls.
///
/// # Examples
///
/// ```
/// use async_trait::async_trait;
/// use cato_runbook_core::runbook::{
///     DiagnoseContext, Diagnosis, DiagnosisReport, FactKey, Finding, RootCause,
/// };
/// use cato_runbook_core::Result;
///
/// /// The fact the diagnosis writes, named once with its type.
/// const OOM_LINES: FactKey<i64> = FactKey::new("oom_lines");
///
/// /// Reads error log lines (here a fixed list) and blames the likeliest cause.
/// #[derive(Debug)]
/// struct ErrorLogs(Vec<String>);
///
/// #[async_trait]
/// impl Diagnosis for ErrorLogs {
///     fn name(&self) -> &str { "error-logs" }
///     async fn diagnose(&self, ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
///         let oom = self.0.iter().filter(|l| l.contains("OutOfMemory")).count();
///         let mut finding = Finding::new(self.name(), format!("{} ERROR lines", self.0.len()))
///             .with(OOM_LINES, oom as i64);
///         for line in &self.0 { finding = finding.with_evidence(line.clone()); }
///         let mut report = DiagnosisReport::finding(finding);
///         if oom > 0 {
///             report = report.with_cause(RootCause::new("out of memory (model too large)", 0.8));
///         }
///         Ok(report)
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let logs = ErrorLogs(vec!["ERROR torch.cuda.OutOfMemoryError".into()]);
/// let t = chrono::DateTime::UNIX_EPOCH;
/// let ctx = DiagnoseContext::new("INC-1".into(), "shadow-self-down".into(), "cato-shadow-self", t, t);
/// let report = logs.diagnose(&ctx).await?;
/// assert_eq!(report.root_causes[0].cause, "out of memory (model too large)");
/// # Ok::<(), cato_runbook_core::Error>(())
/// # }).unwrap();
/// ```
#[async_trait]
pub trait Diagnosis: std::fmt::Debug + Send + Sync {
    /// A short, stable name: `endpoint-status`.
    fn name(&self) -> &str;

    /// Gathers evidence.
    ///
    /// # Errors
    ///
    /// When the evidence cannot be had; the engine records the failure as a finding.
    async fn diagnose(&self, ctx: &DiagnoseContext) -> Result<DiagnosisReport>;
}
