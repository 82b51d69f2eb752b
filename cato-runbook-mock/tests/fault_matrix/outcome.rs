//! What the engine did in one cell of the matrix, and the invariants it must keep.

use cato_runbook_core::Incident;
use cato_runbook_core::incident::Status;
use cato_runbook_mock::gameday::Report;

/// The runbook id of "monitoring is blind" incidents.
const BLIND: &str = "monitoring-blind";

/// The incidents of one run, as the table shows them.
pub(crate) struct Outcome<'a> {
    report: &'a Report,
    runbook: Vec<&'a Incident>,
    blind: Vec<&'a Incident>,
}

impl<'a> Outcome<'a> {
    pub(crate) fn of(report: &'a Report, runbook: &str) -> Self {
        let of = |id: &str| {
            report
                .incidents
                .iter()
                .filter(|i| i.runbook().as_str() == id)
                .collect::<Vec<_>>()
        };
        Outcome {
            report,
            runbook: of(runbook),
            blind: of(BLIND),
        }
    }

    fn lines_of(
        &self,
        incident: &Incident,
    ) -> impl Iterator<Item = &'a cato_runbook_mock::gameday::Line> {
        let id = incident.id().to_string();
        self.report.timeline.iter().filter(move |l| l.source == id)
    }

    /// The steps applied, and those whose apply may have landed (`name?`: a timeout, a retry
    /// refused while the resource was changing), which their verification settled.
    fn steps(&self, incident: &Incident) -> Vec<String> {
        self.lines_of(incident)
            .filter_map(|l| {
                l.what
                    .strip_prefix("mitigation_applied ")
                    .map(str::to_owned)
                    .or_else(|| {
                        l.what
                            .strip_prefix("mitigation_unknown ")
                            .map(|step| format!("{step}?"))
                    })
            })
            .collect()
    }

    fn resolved_by_engine(&self, incident: &Incident) -> bool {
        matches!(incident.status(), Status::Resolved | Status::Closed)
            && self
                .lines_of(incident)
                .any(|l| l.what.starts_with("resolved") && l.actor == "engine")
    }

    /// `SEV1 · restart-endpoint · resolved`, `SEV1 · restart-endpoint? · resolved`,
    /// `SEV2 · no step · open`, `blind SEV3`.
    pub(crate) fn summary(&self) -> String {
        let mut parts = Vec::new();
        for incident in &self.runbook {
            let steps = self.steps(incident);
            let state = if incident.is_open() {
                "open"
            } else {
                "resolved"
            };
            parts.push(format!(
                "{} · {} · {state}",
                incident.severity(),
                if steps.is_empty() {
                    "no step".to_owned()
                } else {
                    steps.join(", ")
                }
            ));
        }
        for incident in &self.blind {
            parts.push(format!("blind {}", incident.severity()));
        }
        if parts.is_empty() {
            return "nothing opened".to_owned();
        }
        parts.join("; ")
    }

    /// What this run did that it must not (`errors`: the fault fails calls, so the failure
    /// must show). Its own verdicts hold the rest: every tick on time, no change applied twice.
    pub(crate) fn violations(&self, report: &Report, errors: bool) -> Vec<String> {
        let mut out = Vec::new();
        if errors {
            let shown = report.timeline.iter().any(|l| {
                l.source != "world"
                    && ["injected", "timed out", "did not answer", "cannot answer"]
                        .iter()
                        .any(|w| l.detail.contains(w) || l.what.contains(w))
            });
            if !shown {
                out.push("the failure is on no timeline".to_owned());
            }
        }
        // A detector blind to the end: the incident it watches must not have resolved.
        if self.blind.iter().any(|b| b.is_open()) {
            for incident in &self.runbook {
                if self.resolved_by_engine(incident) {
                    out.push(format!(
                        "{} resolved while a detector could not look",
                        incident.id()
                    ));
                }
            }
        }
        out.extend(
            report
                .failures()
                .map(|v| format!("{}: {}", v.expectation, v.detail)),
        );
        out
    }
}
