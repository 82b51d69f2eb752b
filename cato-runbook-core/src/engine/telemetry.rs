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
