//! Doubles of the runbook traits: scripted detectors, slow diagnoses (recording steps: `step`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::runbook::{
    Detector, DiagnoseContext, Diagnosis, DiagnosisReport, Fact, FactKey, FactValue, Finding,
    Observation, ObserveContext, RootCause, Symptom,
};
use cato_runbook_core::{Error, ErrorKind, Impact, Result};

/// What a scripted detector answers.
#[derive(Debug, Clone)]
pub enum Look {
    Healthy,
    Symptom(Impact),
    /// Abnormal, below the incident threshold.
    Abnormal,
    Fail,
    Hang,
}

#[derive(Debug)]
pub struct FakeDetector {
    pub name: String,
    pub resource: String,
    pub look: Mutex<Look>,
    pub calls: AtomicUsize,
}

impl FakeDetector {
    pub fn new(name: &str, resource: &str) -> Arc<Self> {
        Arc::new(FakeDetector {
            name: name.into(),
            resource: resource.into(),
            look: Mutex::new(Look::Healthy),
            calls: AtomicUsize::new(0),
        })
    }

    pub fn set(&self, look: Look) {
        *self.look.lock().unwrap() = look;
    }

    pub fn outage(&self) {
        self.set(Look::Symptom(Impact::outage()));
    }

    pub fn degraded(&self, share: f64) {
        self.set(Look::Symptom(Impact::degraded(share).unwrap()));
    }

    pub fn healthy(&self) {
        self.set(Look::Healthy);
    }
}

#[async_trait]
impl Detector for FakeDetector {
    fn name(&self) -> &str {
        &self.name
    }
    fn resource(&self) -> &str {
        &self.resource
    }
    async fn observe(&self, _ctx: &ObserveContext) -> Result<Observation> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let look = self.look.lock().unwrap().clone();
        match look {
            Look::Healthy => Ok(Observation::Healthy),
            Look::Symptom(impact) => Ok(Observation::Symptom(Symptom::new(
                format!("{} sees trouble", self.name),
                impact,
            ))),
            Look::Abnormal => Ok(Observation::Abnormal(Symptom::new(
                format!("{} sees something odd", self.name),
                Impact::none(),
            ))),
            Look::Fail => Err(Error::new(ErrorKind::Unavailable, "GetMetricData", "503")),
            Look::Hang => std::future::pending().await,
        }
    }
}

/// A diagnosis that takes `latency` of virtual time and reports one finding.
#[derive(Debug)]
pub struct FakeDiagnosis {
    pub name: String,
    pub latency: Duration,
    pub fails: bool,
    pub facts: Vec<(&'static str, Fact)>,
    pub cause: Option<(String, f64)>,
    pub calls: AtomicUsize,
}

impl FakeDiagnosis {
    pub fn new(name: &str, latency: Duration) -> Self {
        FakeDiagnosis {
            name: name.into(),
            latency,
            fails: false,
            facts: Vec::new(),
            cause: None,
            calls: AtomicUsize::new(0),
        }
    }
    /// Reports the fact `key` with `value`.
    pub fn fact<T: FactValue>(mut self, key: FactKey<T>, value: T) -> Self {
        self.facts.push((key.name(), value.into_fact()));
        self
    }
    pub fn cause(mut self, cause: &str, confidence: f64) -> Self {
        self.cause = Some((cause.into(), confidence));
        self
    }
    pub fn failing(mut self) -> Self {
        self.fails = true;
        self
    }
}

#[async_trait]
impl Diagnosis for FakeDiagnosis {
    fn name(&self) -> &str {
        &self.name
    }
    #[allow(clippy::disallowed_methods)] // a test drives tokio's time itself
    async fn diagnose(&self, _ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(self.latency).await;
        if self.fails {
            return Err(Error::new(
                ErrorKind::Unavailable,
                "FilterLogEvents",
                "logs unavailable",
            ));
        }
        let mut finding = Finding::new(&self.name, format!("{} looked", self.name));
        for (name, value) in &self.facts {
            finding = finding.with_fact(*name, value.clone());
        }
        let mut report = DiagnosisReport::finding(finding);
        if let Some((cause, confidence)) = &self.cause {
            report = report.with_cause(RootCause::new(cause.clone(), *confidence));
        }
        Ok(report)
    }
}
