//! Doubles of the ports the engine talks to: recording notifiers, a flaky store, a busy replica.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::incident::IdempotencyKey;
use cato_runbook_core::ports::{
    Chat, ChatMessage, Claim, Coordination, Email, InMemoryIncidentStore, IncidentStore, Mail,
    Page, Pager, Posted,
};
use cato_runbook_core::{Error, ErrorKind, Incident, Result};

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
