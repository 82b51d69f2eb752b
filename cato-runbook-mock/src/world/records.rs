//! What the world keeps that only grows: logs written, custom metric points, deployments,
//! health events, pages, chat messages, the leader lease.

use std::collections::{BTreeMap, BTreeSet};

use cato_runbook_core::Timestamp;
use cato_runbook_core::ports::{Deployment, Dimension, HealthEvent, LogEvent, PageSeverity};
use serde::{Deserialize, Serialize};

/// A custom metric value recorded through `Metrics::put`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PutDatapoint {
    pub namespace: String,
    pub metric: String,
    /// Sorted.
    pub dimensions: Vec<Dimension>,
    pub value: f64,
    pub at: Timestamp,
}

/// Where a pager alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    /// Paging.
    Triggered,
    /// Someone is on it.
    Acknowledged,
    /// Over. Later events for its dedup key are dropped, except a trigger, which opens a new
    /// alert.
    Resolved,
}

/// One alert of the pager fake: what PagerDuty's incident list would show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Its number, from 1, in the order alerts opened.
    pub number: u64,
    /// The routing name it was sent to.
    pub target: String,
    /// Its dedup key.
    pub dedup_key: String,
    /// Where it is.
    pub status: AlertStatus,
    /// The first trigger's summary.
    pub summary: String,
    /// The first trigger's source.
    pub source: String,
    /// The first trigger's component.
    pub component: String,
    /// The first trigger's severity.
    pub severity: PageSeverity,
    /// Trigger events it absorbed (1 + repeats under the same dedup key).
    pub triggers: u32,
    /// When it opened.
    pub triggered_at: Timestamp,
    /// When it was first acknowledged.
    pub acknowledged_at: Option<Timestamp>,
    /// When it was resolved.
    pub resolved_at: Option<Timestamp>,
}

/// What the pager did with one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PagerAction {
    /// A trigger opened a new alert.
    Opened,
    /// A trigger joined the open alert with its dedup key.
    Deduplicated,
    /// An acknowledge moved the alert to acknowledged.
    Acknowledged,
    /// A resolve closed the alert.
    Resolved,
    /// The event had no open alert to act on (or nothing to change) and was dropped.
    Dropped,
}

/// One event the pager accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PagerEvent {
    /// When.
    pub at: Timestamp,
    /// `trigger`, `acknowledge` or `resolve`.
    pub event: String,
    /// The routing name.
    pub target: String,
    /// The dedup key.
    pub dedup_key: String,
    /// What happened.
    pub action: PagerAction,
    /// The alert it acted on, if any.
    pub alert: Option<u64>,
}

/// One message posted to chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatRecord {
    /// The channel, with its `#`.
    pub channel: String,
    /// The thread it is in (its own id when it started one).
    pub thread: String,
    /// Its own id (Slack's `ts`).
    pub ts: String,
    /// The text.
    pub text: String,
    /// When.
    pub at: Timestamp,
}

/// One email sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailRecord {
    /// The recipient.
    pub to: String,
    /// The subject.
    pub subject: String,
    /// The body.
    pub body: String,
    /// When.
    pub at: Timestamp,
}

/// The leader lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LeaseRecord {
    /// `None` once released.
    pub holder: Option<String>,
    pub fence: cato_runbook_core::ports::Fence,
    pub expires: Timestamp,
}

/// One CloudWatch alarm.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AlarmRecord {
    pub metric: Option<crate::config::AlarmMetric>,
    pub state: cato_runbook_core::ports::AlarmValue,
    pub reason: String,
    pub updated_at: Timestamp,
    /// The last minute a metric alarm was evaluated at.
    pub evaluated_at: Timestamp,
}

/// A deployment and the source that recorded it (`None`: the world's one history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Deployed {
    pub source: Option<String>,
    pub deployment: Deployment,
}

#[derive(Debug, Default)]
pub(crate) struct Records {
    pub logs: BTreeMap<String, Vec<LogEvent>>,
    pub datapoints: Vec<PutDatapoint>,
    pub deployments: Vec<Deployed>,
    /// Sources of deployments that do not answer.
    pub sources_down: BTreeSet<String>,
    pub health: Vec<HealthEvent>,
    pub alerts: Vec<Alert>,
    /// The number of the last alert opened (alerts resolved long ago may be forgotten).
    pub alert_seq: u64,
    pub pager_events: Vec<PagerEvent>,
    pub chat: Vec<ChatRecord>,
    pub chat_seq: u64,
    pub mail: Vec<MailRecord>,
    pub lease: Option<LeaseRecord>,
    /// By name.
    pub alarms: BTreeMap<String, AlarmRecord>,
}

impl Records {
    /// Appends a log event, keeping each group in time order.
    pub(crate) fn log(&mut self, group: &str, event: LogEvent) {
        let events = self.logs.entry(group.to_owned()).or_default();
        let at = events.partition_point(|e| e.at <= event.at);
        events.insert(at, event);
    }
}
