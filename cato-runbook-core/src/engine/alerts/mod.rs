//! The alerts channel (the runbook's "custom metrics → Slack #cato-alerts"): what is abnormal
//! but opens no incident is posted to `#cato-alerts`; incidents keep their own thread in
//! `#cato-incident`.
//!
//! Two things are alerts:
//!
//! - a **blip**: a detector's symptom that went away before its key's `open_after` looks in a
//!   row opened an incident (below the incident threshold), posted once it clears;
//! - an **abnormal look** ([`Observation::Abnormal`]): a detector's "abnormal, not an incident"
//!   — every custom metric of [`AlertsConfig::metrics`] reports so
//!   ([`custom_metrics_runbook`]), and a runbook's own detector may too.
//!
//! Only the leader posts. Each post is booked first in the store's shared guardrail state,
//! under compare-and-swap and the leader's fence: the same alert (`runbook/detector/resource`)
//! is not posted again within [`AlertsConfig::dedupe_window`], whichever replica leads, and
//! at most [`AlertsConfig::max_per_hour`] alerts go out in any hour. A post carries its
//! idempotency key; one the store could not book is not sent (an alert is dropped, never
//! doubled; a page is never an alert).

mod config;
mod metric;

use tracing::{debug, warn};

pub use config::{AlertsConfig, Comparison, CustomMetric};
pub use metric::{CUSTOM_METRICS_RUNBOOK, CustomMetricDetector, custom_metrics_runbook};

use super::Inner;
use super::report::{TickEvent, TickReport};
use crate::call;
use crate::error::Result;
use crate::incident::IdempotencyKey;
use crate::ports::ChatMessage;
use crate::runbook::Observation;
use crate::time::{self, Timestamp};

/// A detector's bad looks in a row that opened no incident (yet).
#[derive(Debug, Clone, Default)]
pub(super) struct Blip {
    bad: u32,
    summary: String,
    since: Option<Timestamp>,
    /// An incident was open on its key meanwhile: no alert.
    escalated: bool,
}

/// Why the store's booking refused a post (not a store failure).
const DEDUPLICATED: &str = "posted already within the dedupe window";
const LIMITED: &str = "the hourly limit of alerts is reached";

impl Inner {
    fn blips(&self) -> std::sync::MutexGuard<'_, Vec<Blip>> {
        self.blips
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The leader's alerts of one tick, from the detectors' looks (by detector index).
    pub(super) async fn alert(&self, results: &[Result<Observation>], report: &mut TickReport) {
        if !self.config.alerts.enabled {
            return;
        }
        let now = self.now();
        let mut posts = Vec::new();
        {
            let table = self.table.lock().await;
            let mut blips = self.blips();
            blips.resize(self.detectors.len(), Blip::default());
            for ((slot, result), blip) in self.detectors.iter().zip(results).zip(blips.iter_mut()) {
                let runbook = &self.runbooks[slot.runbook];
                let key = format!(
                    "{}/{}/{}",
                    runbook.id,
                    slot.detector.name(),
                    slot.detector.resource()
                );
                let open_after = self.keys[slot.key].open_after;
                let incident_open = table
                    .keys
                    .get(slot.key)
                    .is_some_and(|k| k.incident.is_some());
                match result {
                    Ok(Observation::Symptom(symptom)) => {
                        if blip.bad == 0 {
                            blip.summary = symptom.summary.clone();
                            blip.since = Some(now);
                        }
                        blip.bad += 1;
                        blip.escalated |= incident_open;
                    }
                    Ok(Observation::Abnormal(symptom)) => {
                        *blip = Blip::default();
                        posts.push((key, format!("{}: {}", runbook.title, symptom.summary)));
                    }
                    Ok(Observation::Healthy) => {
                        if blip.bad > 0 && !blip.escalated && blip.bad < open_after {
                            let since = blip
                                .since
                                .map(|at| at.format(" since %H:%M:%S UTC").to_string())
                                .unwrap_or_default();
                            posts.push((
                                key,
                                format!(
                                    "{}: {} — {} look(s){since}, below the incident threshold of {open_after}; cleared, no incident opened",
                                    runbook.title, blip.summary, blip.bad
                                ),
                            ));
                        }
                        *blip = Blip::default();
                    }
                    // A look that failed neither ends nor adds to a blip.
                    Err(_) => {}
                }
            }
        }
        for (key, text) in posts {
            self.post_alert(key, text, now, report).await;
        }
    }

    /// Books the alert in the store (dedupe window, hourly limit), then posts it.
    async fn post_alert(&self, key: String, text: String, now: Timestamp, report: &mut TickReport) {
        let config = &self.config.alerts;
        let hour = std::time::Duration::from_secs(3600);
        let booked = self
            .change_guardrails(self.own_fence(), |g| {
                g.alert_posts.retain(|at| time::elapsed(*at, now) < hour);
                g.alerted
                    .retain(|_, at| time::elapsed(*at, now) < config.dedupe_window);
                if g.alerted.contains_key(&key) {
                    return Err(DEDUPLICATED.to_owned());
                }
                if g.alert_posts.len() >= config.max_per_hour as usize {
                    return Err(LIMITED.to_owned());
                }
                g.alerted.insert(key.clone(), now);
                g.alert_posts.push(now);
                Ok(())
            })
            .await;
        match booked {
            Ok(()) => {}
            Err(why) if why == DEDUPLICATED => {
                debug!(alert = %key, "alert not posted: {why}");
                return;
            }
            Err(why) => {
                warn!(alert = %key, "alert not posted: {why}");
                return;
            }
        }
        let message = ChatMessage {
            channel: config.channel.clone(),
            text,
            thread: None,
            key: Some(IdempotencyKey::new(format!(
                "alert:{key}:{}",
                now.timestamp()
            ))),
        };
        let posted = call::timed(
            self.clock.as_ref(),
            self.config.timeouts.call,
            "chat.post",
            &config.channel,
            self.notifiers.chat.post(&message),
        )
        .await;
        match posted {
            Ok(_) => report.events.push(TickEvent::Alerted {
                key,
                channel: config.channel.clone(),
            }),
            Err(err) => {
                super::telemetry::notification_failed("chat");
                warn!(alert = %key, error = %err, "the alert could not be posted");
            }
        }
    }
}
