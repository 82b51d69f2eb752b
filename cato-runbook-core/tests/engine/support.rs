//! Test doubles and a harness: a clock on tokio's paused time, scripted detectors, slow
//! diagnoses, recording steps and notifiers.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::engine::{Engine, EngineConfig, Policy, Runbook};
use cato_runbook_core::incident::IdempotencyKey;
use cato_runbook_core::ports::{
    Chat, ChatMessage, Claim, Clock, Coordination, Email, InMemoryIncidentStore, IncidentStore,
    Mail, Page, Pager, Posted,
};
use cato_runbook_core::runbook::{
    Detector, DiagnoseContext, Diagnosis, DiagnosisReport, Finding, Findings, Mitigation,
    Observation, ObserveContext, Plan, Quantity, Risk, RootCause, StepContext, Symptom,
    Verification,
};
use cato_runbook_core::{Error, ErrorKind, Impact, Incident, Result, Timestamp};
use chrono::{TimeZone, Utc};

/// 2026-03-01 12:00:00 UTC.
pub fn epoch() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

/// `epoch() + secs`.
pub fn at(secs: u64) -> Timestamp {
    epoch() + chrono::TimeDelta::seconds(secs as i64)
}

pub fn mins(n: u64) -> Duration {
    Duration::from_secs(60 * n)
}

/// now = the epoch + tokio's (paused) elapsed time; sleeps are tokio sleeps.
#[derive(Debug)]
pub struct TestClock {
    start: tokio::time::Instant,
}

impl TestClock {
    pub fn new() -> Self {
        TestClock {
            start: tokio::time::Instant::now(),
        }
    }
}

#[async_trait]
impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        let elapsed = tokio::time::Instant::now() - self.start;
        epoch() + chrono::TimeDelta::from_std(elapsed).unwrap()
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// What a scripted detector answers.
#[derive(Debug, Clone)]
pub enum Look {
    Healthy,
    Symptom(Impact),
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
    pub facts: Vec<(String, i64)>,
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
    pub fn fact(mut self, name: &str, value: i64) -> Self {
        self.facts.push((name.into(), value));
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
            finding = finding.with_fact(name.clone(), *value);
        }
        let mut report = DiagnosisReport::finding(finding);
        if let Some((cause, confidence)) = &self.cause {
            report = report.with_cause(RootCause::new(cause.clone(), *confidence));
        }
        Ok(report)
    }
}

/// Every call a step double receives, in order, across steps: `apply:restart`, …
pub type CallLog = Arc<Mutex<Vec<String>>>;

#[derive(Debug)]
pub struct FakeStep {
    pub name: String,
    pub risk: Risk,
    pub reversible: bool,
    pub approval: bool,
    pub verify_passes: bool,
    pub apply_fails: bool,
    pub verify_after: Duration,
    pub needs_fact: Option<(String, f64)>,
    pub quantities: Vec<Quantity>,
    pub cost: f64,
    pub log: CallLog,
    pub keys: Mutex<Vec<String>>,
}

impl FakeStep {
    pub fn new(name: &str, log: &CallLog) -> Self {
        FakeStep {
            name: name.into(),
            risk: Risk::Medium,
            reversible: false,
            approval: false,
            verify_passes: true,
            apply_fails: false,
            verify_after: Duration::from_secs(60),
            needs_fact: None,
            quantities: Vec::new(),
            cost: 0.0,
            log: log.clone(),
            keys: Mutex::new(Vec::new()),
        }
    }
    pub fn risk(mut self, risk: Risk) -> Self {
        self.risk = risk;
        self
    }
    pub fn reversible(mut self) -> Self {
        self.reversible = true;
        self
    }
    pub fn needs_approval(mut self) -> Self {
        self.approval = true;
        self
    }
    pub fn verify_fails(mut self) -> Self {
        self.verify_passes = false;
        self
    }
    pub fn apply_fails(mut self) -> Self {
        self.apply_fails = true;
        self
    }
    pub fn when(mut self, fact: &str, value: f64) -> Self {
        self.needs_fact = Some((fact.into(), value));
        self
    }
    pub fn quantity(mut self, q: Quantity) -> Self {
        self.quantities.push(q);
        self
    }
    pub fn cost(mut self, usd: f64) -> Self {
        self.cost = usd;
        self
    }
    pub fn arc(self) -> Arc<Self> {
        Arc::new(self)
    }
    fn note(&self, what: &str) {
        self.log
            .lock()
            .unwrap()
            .push(format!("{what}:{}", self.name));
    }
}

pub fn calls(log: &CallLog) -> Vec<String> {
    log.lock().unwrap().clone()
}

#[async_trait]
impl Mitigation for FakeStep {
    fn name(&self) -> &str {
        &self.name
    }
    fn risk(&self) -> Risk {
        self.risk
    }
    fn requires_approval(&self) -> bool {
        self.approval
    }
    fn reversible(&self) -> bool {
        self.reversible
    }
    fn verify_after(&self) -> Duration {
        self.verify_after
    }
    fn precondition(&self, findings: Findings<'_>) -> bool {
        match &self.needs_fact {
            Some((fact, value)) => findings.number(fact) == Some(*value),
            None => true,
        }
    }
    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        self.note("plan");
        let mut plan = Plan::new(self, ctx, format!("{} {}", self.name, ctx.resource))
            .change(format!("{} state", ctx.resource), "before", "after")
            .cost(self.cost)
            .remember("previous", "before");
        for q in &self.quantities {
            plan = plan.quantity(*q);
        }
        Ok(plan)
    }
    async fn apply(&self, _ctx: &StepContext, plan: &Plan) -> Result<String> {
        self.note("apply");
        self.keys
            .lock()
            .unwrap()
            .push(plan.idempotency_key.to_string());
        if self.apply_fails {
            return Err(Error::new(
                ErrorKind::Conflict,
                "UpdateEndpoint",
                "endpoint is updating",
            ));
        }
        Ok(format!("{} done", self.name))
    }
    async fn verify(&self, _ctx: &StepContext, _plan: &Plan) -> Result<Verification> {
        self.note("verify");
        Ok(if self.verify_passes {
            Verification::Passed("healthy again".into())
        } else {
            Verification::Failed("still failing".into())
        })
    }
    async fn revert(&self, _ctx: &StepContext, plan: &Plan) -> Result<String> {
        self.note("revert");
        Ok(format!("back to {}", plan.require("previous")?))
    }
}

#[derive(Debug, Default)]
pub struct RecordingPager {
    pub fail: std::sync::atomic::AtomicBool,
    pub pages: Mutex<Vec<Page>>,
    pub acks: Mutex<Vec<(String, String)>>,
    pub resolves: Mutex<Vec<(String, String)>>,
}

impl RecordingPager {
    pub fn targets(&self) -> Vec<String> {
        self.pages
            .lock()
            .unwrap()
            .iter()
            .map(|p| p.target.clone())
            .collect()
    }
}

impl fmt::Display for RecordingPager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("recording pager")
    }
}

#[async_trait]
impl Pager for RecordingPager {
    async fn trigger(&self, page: &Page) -> Result<()> {
        if self.fail.load(Ordering::SeqCst) {
            return Err(Error::new(
                ErrorKind::Unavailable,
                "events.enqueue",
                "PagerDuty answered 503",
            ));
        }
        self.pages.lock().unwrap().push(page.clone());
        Ok(())
    }
    async fn acknowledge(&self, target: &str, dedup_key: &str) -> Result<()> {
        self.acks
            .lock()
            .unwrap()
            .push((target.into(), dedup_key.into()));
        Ok(())
    }
    async fn resolve(&self, target: &str, dedup_key: &str) -> Result<()> {
        self.resolves
            .lock()
            .unwrap()
            .push((target.into(), dedup_key.into()));
        Ok(())
    }
}

#[derive(Debug, Default)]
pub struct RecordingChat {
    pub messages: Mutex<Vec<ChatMessage>>,
}

impl RecordingChat {
    pub fn texts(&self) -> Vec<String> {
        self.messages
            .lock()
            .unwrap()
            .iter()
            .map(|m| m.text.clone())
            .collect()
    }
}

impl fmt::Display for RecordingChat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("recording chat")
    }
}

#[async_trait]
impl Chat for RecordingChat {
    async fn post(&self, message: &ChatMessage) -> Result<Posted> {
        let mut messages = self.messages.lock().unwrap();
        messages.push(message.clone());
        let thread = message
            .thread
            .clone()
            .unwrap_or_else(|| format!("T{}", messages.len()));
        Ok(Posted {
            channel: message.channel.clone(),
            thread,
        })
    }
}

#[derive(Debug, Default)]
pub struct RecordingMail {
    pub sent: Mutex<Vec<Email>>,
}

impl fmt::Display for RecordingMail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("recording mail")
    }
}

#[async_trait]
impl Mail for RecordingMail {
    async fn send(&self, email: &Email) -> Result<()> {
        self.sent.lock().unwrap().push(email.clone());
        Ok(())
    }
}

/// Coordination where another replica holds every step claim (but not the others).
#[derive(Debug, Default)]
pub struct OtherReplicaActs {
    pub claims: Mutex<Vec<String>>,
}

impl fmt::Display for OtherReplicaActs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("other replica acts")
    }
}

#[async_trait]
impl Coordination for OtherReplicaActs {
    fn replica(&self) -> &str {
        "replica-a"
    }
    async fn claim(&self, key: &IdempotencyKey, _ttl: Duration) -> Result<Claim> {
        self.claims.lock().unwrap().push(key.to_string());
        let step = key.as_str().rsplit(':').next().unwrap_or("");
        Ok(if step == "restart" {
            Claim::HeldBy("replica-b".into())
        } else {
            Claim::Granted
        })
    }
    async fn release(&self, _key: &IdempotencyKey) -> Result<()> {
        Ok(())
    }
}

/// An in-memory store whose saves fail while `fail` is set.
#[derive(Debug, Default)]
pub struct FlakyStore {
    pub fail: std::sync::atomic::AtomicBool,
    pub inner: InMemoryIncidentStore,
}

impl fmt::Display for FlakyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("flaky store")
    }
}

#[async_trait]
impl IncidentStore for FlakyStore {
    async fn save(&self, incident: &Incident) -> Result<()> {
        if self.fail.load(Ordering::SeqCst) {
            return Err(Error::new(
                ErrorKind::Unavailable,
                "PutItem",
                "table unavailable",
            ));
        }
        self.inner.save(incident).await
    }
    async fn get(&self, id: &cato_runbook_core::IncidentId) -> Result<Option<Incident>> {
        self.inner.get(id).await
    }
    async fn open(&self) -> Result<Vec<Incident>> {
        self.inner.open().await
    }
    async fn all(&self) -> Result<Vec<Incident>> {
        self.inner.all().await
    }
}

/// An engine on doubles.
pub struct Harness {
    pub engine: Engine,
    pub clock: Arc<TestClock>,
    pub store: Arc<InMemoryIncidentStore>,
    pub pager: Arc<RecordingPager>,
    pub chat: Arc<RecordingChat>,
    pub mail: Arc<RecordingMail>,
}

pub struct Setup {
    pub runbooks: Vec<Runbook>,
    pub policy: Policy,
    pub config: EngineConfig,
    pub store: Arc<InMemoryIncidentStore>,
    pub other_store: Option<Arc<dyn IncidentStore>>,
    pub coordination: Option<Arc<dyn Coordination>>,
    pub mail: bool,
}

impl Setup {
    pub fn new(runbook: Runbook, policy: Policy) -> Self {
        Setup {
            runbooks: vec![runbook],
            policy,
            config: EngineConfig::default(),
            store: Arc::new(InMemoryIncidentStore::new()),
            other_store: None,
            coordination: None,
            mail: true,
        }
    }

    pub fn build(self) -> Harness {
        let clock = Arc::new(TestClock::new());
        let pager = Arc::new(RecordingPager::default());
        let chat = Arc::new(RecordingChat::default());
        let mail = Arc::new(RecordingMail::default());
        let mut builder = Engine::builder()
            .runbooks(self.runbooks)
            .clock(clock.clone())
            .store(self.other_store.unwrap_or_else(|| self.store.clone()))
            .pager(pager.clone())
            .chat(chat.clone())
            .policy(self.policy)
            .config(self.config);
        if self.mail {
            builder = builder.mail(mail.clone());
        }
        if let Some(coordination) = self.coordination {
            builder = builder.coordination(coordination);
        }
        Harness {
            engine: builder.build().unwrap(),
            clock,
            store: self.store,
            pager,
            chat,
            mail,
        }
    }
}

impl Harness {
    /// Ticks once.
    pub async fn tick(&self) -> cato_runbook_core::engine::TickReport {
        self.engine.tick().await.unwrap()
    }

    /// Waits `wait` of virtual time, then ticks.
    pub async fn tick_after(&self, wait: Duration) -> cato_runbook_core::engine::TickReport {
        tokio::time::sleep(wait).await;
        self.tick().await
    }

    /// Every incident in the store.
    pub async fn incidents(&self) -> Vec<Incident> {
        self.store.all().await.unwrap()
    }

    /// The only incident in the store.
    pub async fn only(&self) -> Incident {
        let all = self.incidents().await;
        assert_eq!(all.len(), 1, "expected one incident, got {}", all.len());
        all.into_iter().next().unwrap()
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}

/// The timeline's labels, in order.
pub fn labels(incident: &Incident) -> Vec<&'static str> {
    incident.timeline().iter().map(|e| e.kind.label()).collect()
}

/// Details of the entries with `label`.
pub fn details(incident: &Incident, label: &str) -> Vec<String> {
    incident
        .timeline()
        .with_label(label)
        .map(|e| e.detail.clone())
        .collect()
}

/// Skip reasons on the timeline, as `step: reason`.
pub fn skips(incident: &Incident) -> Vec<String> {
    incident
        .timeline()
        .iter()
        .filter_map(|e| match &e.kind {
            cato_runbook_core::EntryKind::MitigationSkipped { step, reason } => {
                Some(format!("{step}: {reason}"))
            }
            _ => None,
        })
        .collect()
}

pub fn fact_map(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}
