//! Diagnoses run on demand, outside an incident: one runbook's, or every runbook's at once.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::call;
use crate::incident::{IncidentId, RunbookId};
use crate::ports::Clock;
use crate::runbook::{DiagnoseContext, DiagnosisReport, Finding, RootCause, Runbook, rank};

/// What the diagnoses of one runbook found on one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Diagnosed {
    /// The runbook.
    pub runbook: RunbookId,
    /// The resource it diagnosed.
    pub resource: String,
    /// Every diagnosis's findings, in the runbook's order of diagnoses.
    pub findings: Vec<Finding>,
    /// The root-cause candidates of all its diagnoses, ranked.
    pub root_causes: Vec<RootCause>,
    /// The diagnoses that failed or ran out of time: `name: why`.
    pub failures: Vec<String>,
}

impl Diagnosed {
    fn empty(runbook: &Runbook, resource: &str) -> Self {
        Diagnosed {
            runbook: runbook.id().clone(),
            resource: resource.to_owned(),
            findings: Vec::new(),
            root_causes: Vec::new(),
            failures: Vec::new(),
        }
    }
}

/// Runs every diagnosis of every `(runbook, resource)` of `targets` at once — all of them in
/// one concurrent set, not runbook after runbook — each bounded by `limit` on `clock`, and
/// returns what each runbook found, in the order of `targets`.
///
/// The whole takes as long as its slowest diagnosis; concurrent identical calls of different
/// runbooks (the same metrics, the same recent deployments) are in flight together, so a
/// provider layer that shares them can make each once. A failed or timed-out diagnosis is one
/// of its runbook's `failures`; the others' findings stand.
///
/// ```
/// use std::time::Duration;
/// use cato_runbook_core::IncidentId;
/// use cato_runbook_core::ports::SystemClock;
/// use cato_runbook_core::runbook::{Runbook, diagnose_all};
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let runbook = Runbook::builder("quiet", "Nothing to diagnose").build()?;
/// let limit = Duration::from_secs(60);
/// let found = diagnose_all(&SystemClock, limit, &IncidentId::new("ASK-1"), &[(&runbook, "cato")])
///     .await;
/// assert_eq!(found[0].runbook.as_str(), "quiet");
/// assert!(found[0].findings.is_empty() && found[0].failures.is_empty());
/// # Ok::<(), cato_runbook_core::Error>(())
/// # }).unwrap();
/// ```
pub async fn diagnose_all(
    clock: &dyn Clock,
    limit: Duration,
    incident: &IncidentId,
    targets: &[(&Runbook, &str)],
) -> Vec<Diagnosed> {
    let now = clock.now();
    let runs = targets
        .iter()
        .enumerate()
        .flat_map(|(index, (runbook, resource))| {
            let ctx =
                DiagnoseContext::new(incident.clone(), runbook.id().clone(), *resource, now, now);
            runbook.diagnoses().iter().map(move |diagnosis| {
                let ctx = ctx.clone();
                async move {
                    let report = call::timed(
                        clock,
                        limit,
                        "diagnosis.diagnose",
                        &ctx.resource,
                        diagnosis.diagnose(&ctx),
                    )
                    .await;
                    (index, diagnosis.name().to_owned(), report)
                }
            })
        });
    let reports = futures::future::join_all(runs).await;
    let mut found: Vec<Diagnosed> = targets
        .iter()
        .map(|(runbook, resource)| Diagnosed::empty(runbook, resource))
        .collect();
    for (index, name, report) in reports {
        let Some(diagnosed) = found.get_mut(index) else {
            continue;
        };
        match report {
            Ok(DiagnosisReport {
                findings,
                root_causes,
            }) => {
                diagnosed.findings.extend(findings);
                diagnosed.root_causes.extend(root_causes);
            }
            Err(err) => diagnosed.failures.push(format!("{name}: {err}")),
        }
    }
    for diagnosed in &mut found {
        rank(&mut diagnosed.root_causes);
    }
    found
}
