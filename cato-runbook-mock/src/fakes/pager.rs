//! The pager fake (PagerDuty Events v2).

use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::ports::{Page, Pager};
use cato_runbook_core::time::{self, Timestamp};
use cato_runbook_core::{Error, ErrorKind, Result, Retry};
use serde_json::json;

use super::FakePager;
use super::metrics::hash;
use crate::ops::Op;
use crate::world::{Alert, AlertStatus, PagerAction, PagerEvent, Reply, Sim};

const PROVIDER: &str = "fake-pagerduty";
/// PagerDuty truncates summaries beyond this many characters.
const MAX_SUMMARY: usize = 1024;
/// PagerDuty rejects dedup keys beyond this many characters.
const MAX_DEDUP_KEY: usize = 255;

/// Checks what PagerDuty checks before accepting any event.
fn admit(sim: &Sim, op: Op, target: &str, now: Timestamp) -> Result<()> {
    let targets = &sim.config.pager.targets;
    if !targets.is_empty() && !targets.iter().any(|t| t == target) {
        return Err(Error::not_found(op.as_str(), target));
    }
    let window = time::sub(now, Duration::from_secs(60));
    let recent = sim
        .records
        .pager_events
        .iter()
        .filter(|e| e.target == target && e.at > window)
        .count();
    if recent >= sim.config.pager.events_per_minute as usize {
        return Err(Error::new(
            ErrorKind::Throttled,
            op.as_str(),
            "429 Too Many Requests: event rate limit for this routing key",
        )
        .with_resource(target)
        .with_retry(Retry::Throttled));
    }
    Ok(())
}

fn open_alert<'a>(sim: &'a mut Sim, target: &str, dedup_key: &str) -> Option<&'a mut Alert> {
    sim.records.alerts.iter_mut().find(|a| {
        a.target == target && a.dedup_key == dedup_key && a.status != AlertStatus::Resolved
    })
}

fn record(
    sim: &mut Sim,
    at: Timestamp,
    event: &str,
    target: &str,
    dedup_key: &str,
    action: PagerAction,
    alert: Option<u64>,
) {
    sim.records.pager_events.push(PagerEvent {
        at,
        event: event.to_owned(),
        target: target.to_owned(),
        dedup_key: dedup_key.to_owned(),
        action,
        alert,
    });
}

impl FakePager {
    async fn follow_up(&self, op: Op, target: &str, dedup_key: &str) -> Result<()> {
        let event = if op == Op::PagerAcknowledge {
            "acknowledge"
        } else {
            "resolve"
        };
        let args = json!({ "target": target, "dedup_key": dedup_key });
        self.world
            .call(op, PROVIDER, args, None, |sim, now| {
                if dedup_key.is_empty() {
                    return Err(Error::invalid_input(
                        op.as_str(),
                        format!("400 Bad Request: dedup_key is required to {event}"),
                    ));
                }
                admit(sim, op, target, now)?;
                let (action, alert) = match open_alert(sim, target, dedup_key) {
                    Some(alert) if op == Op::PagerResolve => {
                        alert.status = AlertStatus::Resolved;
                        alert.resolved_at = Some(now);
                        (PagerAction::Resolved, Some(alert.number))
                    }
                    Some(alert) if alert.status == AlertStatus::Triggered => {
                        alert.status = AlertStatus::Acknowledged;
                        alert.acknowledged_at = Some(now);
                        (PagerAction::Acknowledged, Some(alert.number))
                    }
                    Some(alert) => (PagerAction::Dropped, Some(alert.number)),
                    None => (PagerAction::Dropped, None),
                };
                record(sim, now, event, target, dedup_key, action, alert);
                Ok(Reply::new(()))
            })
            .await
    }
}

#[async_trait]
impl Pager for FakePager {
    async fn trigger(&self, page: &Page) -> Result<()> {
        let op = Op::PagerTrigger;
        let args = json!({
            "target": page.target, "dedup_key": page.dedup_key, "summary": page.summary,
            "source": page.source, "component": page.component, "severity": page.severity,
        });
        self.world
            .call(op, PROVIDER, args, None, |sim, now| {
                let bad = |message: &str| {
                    Err(Error::invalid_input(
                        op.as_str(),
                        format!("400 Bad Request: {message}"),
                    ))
                };
                if page.summary.trim().is_empty() {
                    return bad("payload.summary is required");
                }
                if page.source.trim().is_empty() {
                    return bad("payload.source is required");
                }
                if page.dedup_key.chars().count() > MAX_DEDUP_KEY {
                    return bad("dedup_key is longer than 255 characters");
                }
                admit(sim, op, &page.target, now)?;
                let dedup_key = if page.dedup_key.is_empty() {
                    // PagerDuty makes one up and answers with it.
                    let n = sim.records.pager_events.len();
                    format!(
                        "{:016x}{:016x}",
                        hash(&format!("{n}/{}", page.summary)),
                        hash(&format!("{}/{n}", page.target))
                    )
                } else {
                    page.dedup_key.clone()
                };
                let (action, number) = match open_alert(sim, &page.target, &dedup_key) {
                    Some(alert) => {
                        alert.triggers += 1;
                        (PagerAction::Deduplicated, alert.number)
                    }
                    None => {
                        sim.records.alert_seq += 1;
                        let number = sim.records.alert_seq;
                        sim.records.alerts.push(Alert {
                            number,
                            target: page.target.clone(),
                            dedup_key: dedup_key.clone(),
                            status: AlertStatus::Triggered,
                            summary: page.summary.chars().take(MAX_SUMMARY).collect(),
                            source: page.source.clone(),
                            component: page.component.clone(),
                            severity: page.severity,
                            triggers: 1,
                            triggered_at: now,
                            acknowledged_at: None,
                            resolved_at: None,
                        });
                        (PagerAction::Opened, number)
                    }
                };
                record(
                    sim,
                    now,
                    "trigger",
                    &page.target,
                    &dedup_key,
                    action,
                    Some(number),
                );
                Ok(Reply::new(()))
            })
            .await
    }

    async fn acknowledge(&self, target: &str, dedup_key: &str) -> Result<()> {
        self.follow_up(Op::PagerAcknowledge, target, dedup_key)
            .await
    }

    async fn resolve(&self, target: &str, dedup_key: &str) -> Result<()> {
        self.follow_up(Op::PagerResolve, target, dedup_key).await
    }
}
