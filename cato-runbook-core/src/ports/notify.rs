//! The notifier ports: the pager (PagerDuty Events v2) and chat (Slack).

use std::collections::BTreeMap;
use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::severity::Severity;

/// A page's urgency, as PagerDuty names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PageSeverity {
    /// SEV1.
    Critical,
    /// SEV2.
    Error,
    /// SEV3.
    Warning,
    /// SEV4.
    Info,
}

impl From<Severity> for PageSeverity {
    fn from(severity: Severity) -> Self {
        match severity {
            Severity::Sev1 => PageSeverity::Critical,
            Severity::Sev2 => PageSeverity::Error,
            Severity::Sev3 => PageSeverity::Warning,
            Severity::Sev4 => PageSeverity::Info,
        }
    }
}

/// A page to trigger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// Who is paged: a routing name the provider maps to a routing key (`on-call`,
    /// `vp-engineering`).
    pub target: String,
    /// The alert's key: one alert per key until it is resolved.
    pub dedup_key: String,
    /// One line.
    pub summary: String,
    /// Where the problem is, e.g. `cato-shadow-self`.
    pub source: String,
    /// Which part of Cato, e.g. the runbook id.
    pub component: String,
    /// Urgency.
    pub severity: PageSeverity,
    /// Anything else.
    pub details: BTreeMap<String, String>,
}

/// A pager service.
#[async_trait]
pub trait Pager: fmt::Debug + fmt::Display + Send + Sync {
    /// Triggers (or re-triggers, under the same dedup key) an alert.
    async fn trigger(&self, page: &Page) -> Result<()>;

    /// Acknowledges the alert of `dedup_key` on `target`.
    async fn acknowledge(&self, target: &str, dedup_key: &str) -> Result<()>;

    /// Resolves the alert of `dedup_key` on `target`.
    async fn resolve(&self, target: &str, dedup_key: &str) -> Result<()>;
}

/// A chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// e.g. `#cato-incident`, `#cato-alerts`.
    pub channel: String,
    /// The text.
    pub text: String,
    /// The thread to post in (a previous [`Posted::thread`]), or `None` for a new thread.
    pub thread: Option<String>,
    /// The post's idempotency key (the incident or alert, and what the post is for): the
    /// engine decides each keyed post once, in the store, under the leader's lease; a provider
    /// that can pass it on does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<crate::incident::IdempotencyKey>,
}

/// Where a message landed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posted {
    /// The channel.
    pub channel: String,
    /// The thread the message is in (its own id when it started one).
    pub thread: String,
}

/// A chat service.
#[async_trait]
pub trait Chat: fmt::Debug + fmt::Display + Send + Sync {
    /// Posts a message.
    async fn post(&self, message: &ChatMessage) -> Result<Posted>;
}

/// An email to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    /// The recipient, e.g. `aws-support@company.com`.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
}

/// An email service: how the runbook's "AWS TAM, aws-support@company.com" is reached.
#[async_trait]
pub trait Mail: fmt::Debug + fmt::Display + Send + Sync {
    /// Sends an email.
    async fn send(&self, email: &Email) -> Result<()>;
}
