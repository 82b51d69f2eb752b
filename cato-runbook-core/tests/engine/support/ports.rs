//! Doubles of the ports the engine talks to: recording notifiers, a flaky store, a lease another
//! replica holds.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::ports::{
    Chat, ChatMessage, Clock, Created, Email, Fence, Guardrails, InMemoryIncidentStore,
    IncidentStore, Leadership, Lease, Mail, Page, Pager, Posted, Stored,
};
use cato_runbook_core::{Error, ErrorKind, Incident, Result};

#[derive(Debug, Default)]
pub struct RecordingPager {
    pub fail: std::sync::atomic::AtomicBool,
    /// While set, every call fails with this kind and message (as a refused routing key does).
    pub fail_with: Mutex<Option<(ErrorKind, &'static str)>>,
    /// While set, acknowledgements fail (PagerDuty answers 503).
    pub fail_acks: std::sync::atomic::AtomicBool,
    /// Triggers tried, delivered or not.
    pub tries: std::sync::atomic::AtomicUsize,
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
        self.tries.fetch_add(1, Ordering::SeqCst);
        if let Some((kind, why)) = *self.fail_with.lock().unwrap() {
            return Err(Error::new(kind, "events.enqueue", why));
        }
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
        if let Some((kind, why)) = *self.fail_with.lock().unwrap() {
            return Err(Error::new(kind, "events.enqueue", why));
        }
        if self.fail_acks.load(Ordering::SeqCst) {
            return Err(Error::new(
                ErrorKind::Unavailable,
                "events.enqueue",
                "PagerDuty answered 503",
            ));
        }
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
    /// The next post lands, and its answer is lost (as a reply past the timeout is).
    pub lose_answer: std::sync::atomic::AtomicBool,
    /// While set, every post fails with this kind and message, and lands nowhere.
    pub fail_with: Mutex<Option<(ErrorKind, &'static str)>>,
    /// Posts tried, landed or not.
    pub tries: std::sync::atomic::AtomicUsize,
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
        self.tries.fetch_add(1, Ordering::SeqCst);
        if let Some((kind, why)) = *self.fail_with.lock().unwrap() {
            return Err(Error::new(kind, "chat.post", why));
        }
        let mut messages = self.messages.lock().unwrap();
        messages.push(message.clone());
        if self.lose_answer.swap(false, Ordering::SeqCst) {
            return Err(Error::new(
                ErrorKind::DeliveryUnknown,
                "chat.post",
                "no answer after it was sent",
            ));
        }
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

/// A lease that always answers the same: another replica leads, this one leads at a fence,
/// or its backend is down.
#[derive(Debug)]
pub struct FixedLease {
    /// `None`: the backend is down.
    pub answer: Mutex<Option<Leadership>>,
    pub asked: std::sync::atomic::AtomicUsize,
    /// How long each answer takes (on tokio's clock).
    pub delay: std::time::Duration,
}

impl FixedLease {
    fn answering(answer: Option<Leadership>) -> Self {
        FixedLease {
            answer: Mutex::new(answer),
            asked: std::sync::atomic::AtomicUsize::new(0),
            delay: std::time::Duration::ZERO,
        }
    }

    /// The same lease, each answer `delay` late.
    pub fn slowly(mut self, delay: std::time::Duration) -> Self {
        self.delay = delay;
        self
    }

    /// From now on it answers as `other` does.
    pub fn answer_as(&self, other: FixedLease) {
        *self.answer.lock().unwrap() = other.answer.into_inner().unwrap();
    }

    /// `replica-b` leads, for good.
    pub fn other_replica_leads() -> Self {
        Self::answering(Some(Leadership::Follower {
            holder: "replica-b".into(),
            fence: Fence(3),
            expires: chrono::DateTime::<chrono::Utc>::MAX_UTC,
        }))
    }

    /// This replica leads at `fence`, for good.
    pub fn leads_at(fence: u64) -> Self {
        Self::answering(Some(Leadership::Leader {
            fence: Fence(fence),
            expires: chrono::DateTime::<chrono::Utc>::MAX_UTC,
        }))
    }

    /// The lease's backend cannot answer.
    pub fn down() -> Self {
        Self::answering(None)
    }
}

impl fmt::Display for FixedLease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("fixed lease")
    }
}

#[async_trait]
impl Lease for FixedLease {
    fn replica(&self) -> &str {
        "replica-a"
    }
    async fn acquire(&self, _ttl: Duration) -> Result<Leadership> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        if !self.delay.is_zero() {
            super::clock::TestClock::new().sleep(self.delay).await;
        }
        let answer = self.answer.lock().unwrap().clone();
        answer
            .ok_or_else(|| Error::new(ErrorKind::Unavailable, "GetItem", "lease table unavailable"))
    }
    async fn release(&self) -> Result<()> {
        Ok(())
    }
}

/// An in-memory store whose writes fail while `fail` is set.
#[derive(Debug, Default)]
pub struct FlakyStore {
    pub fail: std::sync::atomic::AtomicBool,
    /// Reads fail too while set.
    pub fail_reads: std::sync::atomic::AtomicBool,
    /// Every call hangs while set.
    pub hang: std::sync::atomic::AtomicBool,
    /// The calls made while it hung.
    pub hung_calls: std::sync::atomic::AtomicUsize,
    /// Every call answers this much later while set.
    pub slow: Mutex<Option<std::time::Duration>>,
    pub inner: InMemoryIncidentStore,
}

impl fmt::Display for FlakyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("flaky store")
    }
}

impl FlakyStore {
    /// Never answers while `hang` is set; answers late while `slow` is.
    #[allow(clippy::disallowed_methods)] // a test drives tokio's time itself
    async fn hold(&self) {
        let slow = *self.slow.lock().unwrap();
        if let Some(wait) = slow {
            tokio::time::sleep(wait).await;
        }
        if self.hang.load(Ordering::SeqCst) {
            self.hung_calls.fetch_add(1, Ordering::SeqCst);
            cato_runbook_core::call::sleep_forever().await;
        }
    }

    fn check_read(&self) -> Result<()> {
        if self.fail_reads.load(Ordering::SeqCst) {
            return Err(Error::new(
                ErrorKind::Unavailable,
                "Scan",
                "table unavailable",
            ));
        }
        Ok(())
    }

    fn check(&self) -> Result<()> {
        if self.fail.load(Ordering::SeqCst) {
            return Err(Error::new(
                ErrorKind::Unavailable,
                "PutItem",
                "table unavailable",
            ));
        }
        Ok(())
    }
}

#[async_trait]
impl IncidentStore for FlakyStore {
    async fn create(&self, incident: &Incident, fence: Fence) -> Result<Created> {
        self.hold().await;
        self.check()?;
        self.inner.create(incident, fence).await
    }
    async fn update(&self, incident: &Incident, version: u64, fence: Fence) -> Result<u64> {
        self.hold().await;
        self.check()?;
        self.inner.update(incident, version, fence).await
    }
    async fn get(&self, id: &cato_runbook_core::IncidentId) -> Result<Option<Stored<Incident>>> {
        self.hold().await;
        self.check_read()?;
        self.inner.get(id).await
    }
    async fn open(&self) -> Result<Vec<Stored<Incident>>> {
        self.hold().await;
        self.check_read()?;
        self.inner.open().await
    }
    async fn all(&self) -> Result<Vec<Incident>> {
        self.inner.all().await
    }
    async fn guardrails(&self) -> Result<Stored<Guardrails>> {
        self.hold().await;
        self.check_read()?;
        self.inner.guardrails().await
    }
    async fn save_guardrails(
        &self,
        guardrails: &Guardrails,
        version: u64,
        fence: Fence,
    ) -> Result<u64> {
        self.hold().await;
        self.check()?;
        self.inner.save_guardrails(guardrails, version, fence).await
    }
}

/// A budget whose mode a test sets; `None` fails every read (the admin API is down).
#[derive(Debug)]
pub struct ScriptedBudget {
    pub mode: Mutex<Option<cato_runbook_core::ports::BudgetMode>>,
    pub reads: std::sync::atomic::AtomicUsize,
}

impl ScriptedBudget {
    pub fn new(mode: Option<cato_runbook_core::ports::BudgetMode>) -> std::sync::Arc<Self> {
        std::sync::Arc::new(ScriptedBudget {
            mode: Mutex::new(mode),
            reads: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    pub fn set(&self, mode: Option<cato_runbook_core::ports::BudgetMode>) {
        *self.mode.lock().unwrap() = mode;
    }
}

impl fmt::Display for ScriptedBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("scripted budget")
    }
}

#[async_trait]
impl cato_runbook_core::ports::Budget for ScriptedBudget {
    async fn status(&self) -> Result<cato_runbook_core::ports::BudgetStatus> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        match *self.mode.lock().unwrap() {
            Some(mode) => Ok(cato_runbook_core::ports::BudgetStatus {
                mode,
                spent_usd: 1000.0,
                monthly_limit_usd: 1000.0,
                next_reset: chrono::DateTime::UNIX_EPOCH,
                curiosity_enabled: false,
            }),
            None => Err(Error::new(
                ErrorKind::Unavailable,
                "budget.status",
                "admin API answered 503",
            )),
        }
    }

    async fn set_monthly_limit(
        &self,
        _usd: f64,
        _key: &cato_runbook_core::IdempotencyKey,
    ) -> Result<()> {
        Ok(())
    }
}
