//! The runbook's diagnoses, run concurrently; a failure is a finding.

use super::Job;
use crate::call;
use crate::engine::report::TickEvent;
use crate::runbook::{DiagnoseContext, Finding};

impl Job<'_> {
    /// Runs the runbook's diagnoses concurrently, once per incident (and again after a failed
    /// verification), recording findings and ranked root causes.
    pub(super) async fn diagnose(&mut self) {
        let Some(runbook) = self.runbook else { return };
        let (diagnosed, ctx) = self
            .read(|i| {
                let ctx = DiagnoseContext::new(
                    i.id().clone(),
                    i.runbook().clone(),
                    i.resource(),
                    i.detected_at(),
                    self.engine.now(),
                );
                (i.automation().diagnosed, ctx)
            })
            .await;
        if diagnosed {
            return;
        }
        if runbook.diagnoses.is_empty() {
            self.edit(|i, _| i.automation_mut().diagnosed = true).await;
            return;
        }
        let timeout = self.engine.config.timeouts.diagnosis;
        let reports = futures::future::join_all(runbook.diagnoses.iter().map(|d| {
            call::timed(
                self.engine.clock.as_ref(),
                timeout,
                "diagnosis.diagnose",
                &ctx.resource,
                d.diagnose(&ctx),
            )
        }))
        .await;
        let mut findings = Vec::new();
        let mut causes = Vec::new();
        for (diagnosis, report) in runbook.diagnoses.iter().zip(reports) {
            match report {
                Ok(report) => {
                    findings.extend(report.findings);
                    causes.extend(report.root_causes);
                }
                Err(err) => findings.push(
                    Finding::new(diagnosis.name(), format!("diagnosis failed: {err}"))
                        .with(crate::runbook::DIAGNOSIS_FAILED, true),
                ),
            }
        }
        let count = findings.len();
        let top = self
            .edit(|i, now| {
                for finding in findings.iter().cloned() {
                    i.add_finding(now, finding);
                }
                if !causes.is_empty() {
                    i.set_root_causes(now, causes.clone());
                }
                i.automation_mut().diagnosed = true;
                i.root_causes()
                    .first()
                    .map(|c| format!("{} ({:.0} %)", c.cause, c.confidence * 100.0))
            })
            .await;
        self.events.push(TickEvent::Diagnosed {
            incident: self.id.clone(),
            findings: count,
        });
        let line = match top {
            Some(cause) => format!("{count} findings; likeliest root cause: {cause}"),
            None => format!("{count} findings"),
        };
        self.say(line).await;
    }
}
