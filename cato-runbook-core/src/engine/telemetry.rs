//! The engine's metrics, through the [`metrics`] facade: a host installs the recorder it
//! exports with (Prometheus, StatsD, …); without one they cost nothing.
//!
//! | metric | kind | labels | when |
//! | --- | --- | --- | --- |
//! | `cato_runbook_store_unavailable_total` | counter | `what`: `open`, `guardrails`, `fence`, `create` | the store could not answer for the open incidents, the guardrails, a term's fence, or an incident to open |
//! | `cato_runbook_lease_unavailable_total` | counter | `replica` | the lease could not answer |
//! | `cato_runbook_leader` | gauge | `replica` | 1 while this replica leads, 0 otherwise |
//! | `cato_runbook_fenced_total` | counter | `replica` | the store refused a write of this replica's as fenced: another leads |
//! | `cato_runbook_notification_failed_total` | counter | `channel` | a delivery from the outbox failed (it is tried again) |
//! | `cato_runbook_ticks_total` | counter | `role`: `leader`, `standby` | a tick finished |
//! | `cato_runbook_tick_seconds` | histogram | | how long a tick took, on the engine's clock |
//! | `cato_runbook_detector_observations_total` | counter | `verdict`: `healthy`, `symptom`, `unknown` | a detector's look |
//! | `cato_runbook_open_incidents` | gauge | `severity`: `SEV1`…`SEV4` | open incidents after a tick |
//! | `cato_runbook_incidents_opened_total` | counter | `severity` | an incident opened |
//! | `cato_runbook_steps_total` | counter | `outcome`: `applied`, `failed`, `unknown`, `verified`, `verification_failed`, `reverted`, `skipped`, `approval_requested` | a mitigation step's outcome |
//! | `cato_runbook_notifications_total` | counter | `channel` | a delivery a provider took (page, chat, mail, escalation) |
//! | `cato_runbook_incidents_resolved_total` | counter | | an incident resolved |
//! | `cato_runbook_call_seconds` | histogram | `port`, `operation`, `outcome`: `ok` or the error kind | a provider call through the one call path |

/// The store could not answer for `what`.
pub(super) fn store_unavailable(what: &str) {
    metrics::counter!("cato_runbook_store_unavailable_total", "what" => what.to_owned())
        .increment(1);
}

/// The lease could not answer.
pub(super) fn lease_unavailable(replica: &str) {
    metrics::counter!("cato_runbook_lease_unavailable_total", "replica" => replica.to_owned())
        .increment(1);
}

/// Whether this replica leads.
pub(super) fn leading(replica: &str, leads: bool) {
    metrics::gauge!("cato_runbook_leader", "replica" => replica.to_owned()).set(if leads {
        1.0
    } else {
        0.0
    });
}

/// A write of this replica's was refused as fenced.
pub(super) fn fenced(replica: &str) {
    metrics::counter!("cato_runbook_fenced_total", "replica" => replica.to_owned()).increment(1);
}

/// A notification could not be delivered.
pub(super) fn notification_failed(channel: &str) {
    metrics::counter!("cato_runbook_notification_failed_total", "channel" => channel.to_owned())
        .increment(1);
}

/// A tick finished, after `seconds`, with `report`: the counters of what it did, and an
/// info-level event for each incident opened, step applied, delivery and resolution.
pub(super) fn tick(report: &super::TickReport, seconds: f64, standby: bool) {
    use super::TickEvent as E;
    let role = if standby { "standby" } else { "leader" };
    metrics::counter!("cato_runbook_ticks_total", "role" => role).increment(1);
    metrics::histogram!("cato_runbook_tick_seconds").record(seconds);
    for event in &report.events {
        let step = |outcome: &'static str| {
            metrics::counter!("cato_runbook_steps_total", "outcome" => outcome).increment(1);
        };
        match event {
            E::Opened { incident, severity } => {
                opened(*severity);
                tracing::info!(incident = %incident, severity = %severity, "incident opened");
            }
            E::Applied {
                incident,
                step: name,
            } => {
                step("applied");
                tracing::info!(incident = %incident, step = %name, "step applied");
            }
            E::Failed { .. } => step("failed"),
            E::Unknown { .. } => step("unknown"),
            E::Verified { passed: true, .. } => step("verified"),
            E::Verified { passed: false, .. } => step("verification_failed"),
            E::Reverted { .. } => step("reverted"),
            E::Skipped { .. } => step("skipped"),
            E::ApprovalRequested { .. } => step("approval_requested"),
            E::Notified {
                incident,
                channel,
                target,
            } => {
                metrics::counter!("cato_runbook_notifications_total", "channel" => channel.clone())
                    .increment(1);
                tracing::info!(incident = %incident, channel, target, "notification delivered");
            }
            E::Resolved { incident } => {
                metrics::counter!("cato_runbook_incidents_resolved_total").increment(1);
                tracing::info!(incident = %incident, "incident resolved");
            }
            _ => {}
        }
    }
}

/// The tick's detector looks, by verdict.
pub(super) fn observations(healthy: u64, symptom: u64, unknown: u64) {
    for (verdict, n) in [
        ("healthy", healthy),
        ("symptom", symptom),
        ("unknown", unknown),
    ] {
        if n > 0 {
            metrics::counter!("cato_runbook_detector_observations_total", "verdict" => verdict)
                .increment(n);
        }
    }
}

/// Open incidents by severity.
pub(super) fn open_incidents(by_severity: [u64; 4]) {
    for (index, n) in by_severity.iter().enumerate() {
        let severity = format!("SEV{}", index + 1);
        metrics::gauge!("cato_runbook_open_incidents", "severity" => severity).set(*n as f64);
    }
}

/// An incident opened (by a detector, or declared by a person).
pub(super) fn opened(severity: crate::Severity) {
    metrics::counter!("cato_runbook_incidents_opened_total", "severity" => severity.to_string())
        .increment(1);
}
