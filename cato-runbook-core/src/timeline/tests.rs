//! Tests of the incident log: order, serde of every kind, one-line display.

use super::*;
use crate::severity::Severity;
use chrono::{TimeZone, Utc};

fn t(min: u32) -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, min, 0).unwrap()
}

#[test]
fn append_keeps_order_and_content() {
    let mut log = Timeline::default();
    log.append(
        t(0),
        Actor::Detector("p99".into()),
        EntryKind::SymptomObserved,
        "p99 2.4 s",
    );
    log.append(
        t(1),
        Actor::Engine,
        EntryKind::MitigationSkipped {
            step: "scale".into(),
            reason: "dry-run".into(),
        },
        "would scale 4 → 8",
    );
    log.append(t(0), Actor::person("bob"), EntryKind::Note, "back-dated");
    let labels: Vec<_> = log.iter().map(|e| e.kind.label()).collect();
    assert_eq!(labels, ["symptom_observed", "mitigation_skipped", "note"]);
    assert_eq!(log.entries()[1].kind.step(), Some("scale"));
    assert_eq!(log.first("note").map(|e| e.at), Some(t(0)));
    assert_eq!(log.with_label("note").count(), 1);
}

#[test]
fn serde_round_trip_of_every_kind() {
    use crate::incident::Status;
    let kinds = vec![
        EntryKind::SymptomObserved,
        EntryKind::IncidentOpened {
            severity: Severity::Sev2,
        },
        EntryKind::SeverityChanged {
            from: Severity::Sev3,
            to: Severity::Sev2,
        },
        EntryKind::StatusChanged {
            from: Status::Detected,
            to: Status::Mitigating,
        },
        EntryKind::Notified {
            channel: "pager".into(),
            target: "cato".into(),
        },
        EntryKind::NotificationFailed {
            channel: "mail".into(),
            target: "aws-support@company.com".into(),
        },
        EntryKind::Escalated {
            role: "Engineering Lead".into(),
            contact: "@lead-eng".into(),
        },
        EntryKind::Acknowledged,
        EntryKind::FindingRecorded {
            source: "endpoint-status".into(),
        },
        EntryKind::RootCausesRanked,
        EntryKind::MitigationPlanned { step: "s".into() },
        EntryKind::ApprovalRequested { step: "s".into() },
        EntryKind::ApprovalGranted { step: "s".into() },
        EntryKind::ApprovalDenied { step: "s".into() },
        EntryKind::ApprovalExpired { step: "s".into() },
        EntryKind::MitigationApplied { step: "s".into() },
        EntryKind::MitigationFailed { step: "s".into() },
        EntryKind::MitigationSkipped {
            step: "s".into(),
            reason: "cooldown".into(),
        },
        EntryKind::StepRetried {
            step: "s".into(),
            call: "apply".into(),
            attempt: 1,
        },
        EntryKind::MitigationUnknown { step: "s".into() },
        EntryKind::VerificationPassed { step: "s".into() },
        EntryKind::VerificationFailed { step: "s".into() },
        EntryKind::MitigationReverted { step: "s".into() },
        EntryKind::SlaBreached,
        EntryKind::Resolved,
        EntryKind::Closed,
        EntryKind::Note,
    ];
    let mut log = Timeline::default();
    for (i, kind) in kinds.into_iter().enumerate() {
        log.append(t(i as u32), Actor::Engine, kind, format!("entry {i}"));
    }
    let json = serde_json::to_string(&log).unwrap();
    let back: Timeline = serde_json::from_str(&json).unwrap();
    assert_eq!(back, log);
    assert_eq!(back.len(), 27);
}

#[test]
fn display_is_one_line() {
    let mut log = Timeline::default();
    let e = log
        .append(
            t(5),
            Actor::Engine,
            EntryKind::MitigationApplied {
                step: "restart".into(),
            },
            "ok",
        )
        .clone();
    assert_eq!(
        e.to_string(),
        "2026-03-01 12:05:00 [engine] mitigation_applied restart: ok"
    );
}
