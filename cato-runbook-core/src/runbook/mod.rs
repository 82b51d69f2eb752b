//! The three runbook traits: [`Detector`], [`Diagnosis`] and [`Mitigation`], and the
//! [`Runbook`] that bundles them.
//!
//! They are what a runbook's card names: its *symptoms* are detectors, its *diagnosis* commands
//! are diagnoses, its *mitigation* commands are the rungs of a ladder. All three are object safe,
//! `Send + Sync` and async, so `Arc<dyn Detector>` and friends are the usual currency; `Arc<T>`
//! and `Box<T>` of an implementation implement the trait too.
//!
//! A [`Runbook`], built with [`Runbook::builder`], is their description as data: the detectors,
//! the diagnoses and the ordered ladder, with a [`SeverityRule`] and the engine defaults it
//! overrides. The [engine](crate::engine) runs it; the [catalog](crate::catalog) builds six.
//! [`diagnose_all`] runs the diagnoses of many runbooks at once outside an incident (the
//! command line's `diagnose`).

mod description;
mod detector;
mod diagnosis;
mod fact_key;
mod facts;
mod forward;
mod mitigation;
mod on_demand;
mod plan;
mod spend;

pub use description::{Runbook, RunbookBuilder, SeverityRule};
pub use detector::{Detector, Observation, ObserveContext, Symptom};
pub use diagnosis::{DiagnoseContext, Diagnosis, DiagnosisReport};
pub use fact_key::{FactKey, FactValue};
pub use facts::{DIAGNOSIS_FAILED, Fact, Finding, Findings, RootCause, rank};
pub use mitigation::{Landed, Mitigation, StepContext, Verification};
pub use on_demand::{Diagnosed, diagnose_all};
pub use plan::{Change, Plan, Quantity, Risk};
pub use spend::{Capacity, SpendEstimate};

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    const fn assert_send_sync<T: ?Sized + Send + Sync>() {}
    const _: () = {
        assert_send_sync::<dyn Detector>();
        assert_send_sync::<dyn Diagnosis>();
        assert_send_sync::<dyn Mitigation>();
        assert_send_sync::<Arc<dyn Detector>>();
        assert_send_sync::<Arc<dyn Diagnosis>>();
        assert_send_sync::<Arc<dyn Mitigation>>();
    };

    #[test]
    fn trait_objects_forward_through_arc_and_box() {
        fn takes_detector(_: &impl Detector) {}
        fn takes_diagnosis(_: &impl Diagnosis) {}
        fn takes_mitigation(_: &impl Mitigation) {}
        let detectors: Vec<Arc<dyn Detector>> = Vec::new();
        for d in &detectors {
            takes_detector(d);
        }
        let diagnoses: Vec<Box<dyn Diagnosis>> = Vec::new();
        for d in &diagnoses {
            takes_diagnosis(d);
        }
        let ladder: Vec<Arc<dyn Mitigation>> = Vec::new();
        for m in &ladder {
            takes_mitigation(m);
        }
    }
}
