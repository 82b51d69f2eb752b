//! The description of a runbook: its detectors, diagnoses and mitigation ladder, its severity
//! rule and the defaults it overrides. Data the engine runs, and the catalog builds.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Detector, Diagnosis, Mitigation};
use crate::engine::{Escalation, Mode};
use crate::error::{Error, Result};
use crate::incident::RunbookId;
use crate::severity::{Impact, Severity};

/// How a runbook turns a symptom's impact into a severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "rule", content = "severity", rename_all = "kebab-case")]
pub enum SeverityRule {
    /// [`Severity::assess`] of the impact.
    #[default]
    Assess,
    /// The assessed severity, but never less than this level (the runbook's table example:
    /// "Shadow Self down" is SEV1).
    AtLeast(Severity),
}

impl SeverityRule {
    /// The severity of `impact` under this rule.
    pub fn severity(self, impact: &Impact) -> Severity {
        let assessed = Severity::assess(impact);
        match self {
            SeverityRule::Assess => assessed,
            SeverityRule::AtLeast(floor) => assessed.max(floor),
        }
    }
}

/// One runbook: what it watches, how it investigates, what it tries, in order.
///
/// Built with [`Runbook::builder`].
#[derive(Clone)]
pub struct Runbook {
    pub(crate) id: RunbookId,
    pub(crate) title: String,
    pub(crate) detectors: Vec<Arc<dyn Detector>>,
    pub(crate) diagnoses: Vec<Arc<dyn Diagnosis>>,
    pub(crate) ladder: Vec<Arc<dyn Mitigation>>,
    pub(crate) severity: SeverityRule,
    pub(crate) open_after: Option<u32>,
    pub(crate) resolve_after: Option<u32>,
    pub(crate) escalation: Option<Escalation>,
    pub(crate) mode: Option<Mode>,
    pub(crate) prevention: Vec<String>,
}

impl Runbook {
    /// Starts a runbook with an id (`shadow-self-down`) and a title (`Shadow Self endpoint
    /// down`).
    pub fn builder(id: impl Into<RunbookId>, title: impl Into<String>) -> RunbookBuilder {
        RunbookBuilder {
            runbook: Runbook {
                id: id.into(),
                title: title.into(),
                detectors: Vec::new(),
                diagnoses: Vec::new(),
                ladder: Vec::new(),
                severity: SeverityRule::Assess,
                open_after: None,
                resolve_after: None,
                escalation: None,
                mode: None,
                prevention: Vec::new(),
            },
        }
    }

    /// The id.
    pub fn id(&self) -> &RunbookId {
        &self.id
    }
    /// The title, used as the incident's title.
    pub fn title(&self) -> &str {
        &self.title
    }
    /// The detectors.
    pub fn detectors(&self) -> &[Arc<dyn Detector>] {
        &self.detectors
    }
    /// The diagnoses, run concurrently when an incident opens.
    pub fn diagnoses(&self) -> &[Arc<dyn Diagnosis>] {
        &self.diagnoses
    }
    /// The mitigation ladder, in order.
    pub fn ladder(&self) -> &[Arc<dyn Mitigation>] {
        &self.ladder
    }
    /// The severity rule.
    pub fn severity_rule(&self) -> SeverityRule {
        self.severity
    }
    /// Its own bad-observation threshold, if it overrides the engine's.
    pub fn open_after(&self) -> Option<u32> {
        self.open_after
    }
    /// Its own good-observation threshold, if it overrides the engine's.
    pub fn resolve_after(&self) -> Option<u32> {
        self.resolve_after
    }
    /// Its own escalation, if it overrides the engine's.
    pub fn escalation(&self) -> Option<&Escalation> {
        self.escalation.as_ref()
    }
    /// Its own mode, if any; the stricter of it and the policy's wins.
    pub fn mode(&self) -> Option<Mode> {
        self.mode
    }
    /// Preventive measures for the postmortem ("Set appropriate budget limits").
    pub fn prevention(&self) -> &[String] {
        &self.prevention
    }
}

fn names<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    items.collect()
}

impl fmt::Debug for Runbook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runbook")
            .field("id", &self.id)
            .field("title", &self.title)
            .field("detectors", &names(self.detectors.iter().map(|d| d.name())))
            .field("diagnoses", &names(self.diagnoses.iter().map(|d| d.name())))
            .field("ladder", &names(self.ladder.iter().map(|m| m.name())))
            .field("severity", &self.severity)
            .field("open_after", &self.open_after)
            .field("resolve_after", &self.resolve_after)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Runbook`].
///
/// ```
/// use cato_runbook_core::runbook::{Runbook, SeverityRule};
/// use cato_runbook_core::Severity;
///
/// let runbook = Runbook::builder("budget-exceeded", "Budget exceeded (emergency mode)")
///     .severity(SeverityRule::AtLeast(Severity::Sev2))
///     .open_after(1)
///     .prevention("Set appropriate budget limits")
///     .build()?;
/// assert_eq!(runbook.open_after(), Some(1));
/// # Ok::<(), cato_runbook_core::Error>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct RunbookBuilder {
    runbook: Runbook,
}

impl RunbookBuilder {
    /// Adds a detector.
    pub fn detector(mut self, detector: Arc<dyn Detector>) -> Self {
        self.runbook.detectors.push(detector);
        self
    }
    /// Adds a diagnosis.
    pub fn diagnosis(mut self, diagnosis: Arc<dyn Diagnosis>) -> Self {
        self.runbook.diagnoses.push(diagnosis);
        self
    }
    /// Adds the next rung of the mitigation ladder.
    pub fn step(mut self, step: Arc<dyn Mitigation>) -> Self {
        self.runbook.ladder.push(step);
        self
    }
    /// Sets the severity rule.
    pub fn severity(mut self, rule: SeverityRule) -> Self {
        self.runbook.severity = rule;
        self
    }
    /// Consecutive bad observations before an incident opens.
    pub fn open_after(mut self, n: u32) -> Self {
        self.runbook.open_after = Some(n);
        self
    }
    /// Consecutive good observations before an incident resolves.
    pub fn resolve_after(mut self, n: u32) -> Self {
        self.runbook.resolve_after = Some(n);
        self
    }
    /// Overrides the engine's escalation for this runbook's incidents.
    pub fn escalation(mut self, escalation: Escalation) -> Self {
        self.runbook.escalation = Some(escalation);
        self
    }
    /// Limits automation on this runbook (the stricter of this and the policy wins).
    pub fn mode(mut self, mode: Mode) -> Self {
        self.runbook.mode = Some(mode);
        self
    }
    /// Adds a preventive measure for the postmortem.
    pub fn prevention(mut self, item: impl Into<String>) -> Self {
        self.runbook.prevention.push(item.into());
        self
    }

    /// Checks and returns the runbook.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an empty id, a threshold
    /// of zero, or two ladder steps with the same name, or a step named like one of the
    /// engine's own keys (a blank name, `notice-…`, a `:` or an `@`): their idempotency keys
    /// would collide.
    pub fn build(self) -> Result<Runbook> {
        let runbook = self.runbook;
        let fail = |message: String| {
            Err(Error::invalid_input("runbook.build", message)
                .with_resource(runbook.id.to_string()))
        };
        if runbook.id.as_str().trim().is_empty() {
            return fail("a runbook needs an id".to_owned());
        }
        if runbook.open_after == Some(0) || runbook.resolve_after == Some(0) {
            return fail("open_after and resolve_after must be at least 1".to_owned());
        }
        let mut seen = BTreeSet::new();
        for step in &runbook.ladder {
            if let Some(clash) = crate::engine::step_name_clash(step.name()) {
                return fail(clash);
            }
            if !seen.insert(step.name()) {
                return fail(format!("two ladder steps are named {:?}", step.name()));
            }
        }
        Ok(runbook)
    }
}
