use super::*;
use crate::catalog::facts;
use crate::time;
use chrono::{TimeZone, Utc};
use std::time::Duration;

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

fn at(secs: u64) -> Timestamp {
    time::add(t0(), Duration::from_secs(secs))
}

fn incident(impact: Impact) -> Incident {
    Incident::open(
        NewIncident {
            id: "INC-1".into(),
            runbook: "high-latency".into(),
            resource: "cato-shadow-self".into(),
            title: "High latency".into(),
            impact,
            severity: None,
        },
        t0(),
        Actor::Detector("p99".into()),
    )
}

#[test]
fn every_legal_and_illegal_transition() {
    use Status::*;
    let legal = [
        (Detected, Acknowledged),
        (Detected, Mitigating),
        (Detected, Resolved),
        (Acknowledged, Mitigating),
        (Acknowledged, Resolved),
        (Mitigating, Monitoring),
        (Mitigating, Resolved),
        (Monitoring, Mitigating),
        (Monitoring, Resolved),
        (Resolved, Closed),
    ];
    for from in Status::ALL {
        for to in Status::ALL {
            assert_eq!(
                from.can_become(to),
                legal.contains(&(from, to)),
                "{from} → {to}"
            );
        }
    }
}

/// Drives a fresh incident to `status` along legal transitions.
fn incident_in(status: Status) -> Incident {
    let mut inc = incident(Impact::degraded(0.6).unwrap());
    let path: &[Status] = match status {
        Status::Detected => &[],
        Status::Acknowledged => &[Status::Acknowledged],
        Status::Mitigating => &[Status::Mitigating],
        Status::Monitoring => &[Status::Mitigating, Status::Monitoring],
        Status::Resolved => &[Status::Resolved],
        Status::Closed => &[Status::Resolved, Status::Closed],
    };
    for step in path {
        inc.transition(*step, at(1), Actor::Engine).unwrap();
    }
    assert_eq!(inc.status(), status);
    inc
}

#[test]
fn illegal_transitions_are_typed_errors_and_change_nothing() {
    for from in Status::ALL {
        for to in Status::ALL {
            let mut inc = incident_in(from);
            let before = inc.clone();
            let result = inc.transition(to, at(60), Actor::Engine);
            let legal = from.can_become(to)
                // Acknowledging twice is harmless (returns Ok, records nothing) while still open.
                || (to == Status::Acknowledged && from.is_open());
            if legal {
                assert!(result.is_ok(), "{from} → {to}: {result:?}");
            } else {
                let err = result.unwrap_err();
                assert_eq!(err.kind(), ErrorKind::IllegalTransition, "{from} → {to}");
                assert_eq!(inc, before, "{from} → {to} changed the incident");
            }
        }
    }
}

#[test]
fn acknowledging_during_mitigation_keeps_the_status() {
    let mut inc = incident_in(Status::Mitigating);
    assert!(inc.acknowledge(at(200), Actor::person("alice")).unwrap());
    assert_eq!(inc.status(), Status::Mitigating);
    assert_eq!(inc.acknowledged_by(), Some("alice"));
    assert_eq!(inc.time_to_acknowledge(), Some(Duration::from_secs(200)));
    // A second acknowledgement records nothing.
    let len = inc.timeline().len();
    assert!(!inc.acknowledge(at(300), Actor::person("bob")).unwrap());
    assert_eq!(inc.timeline().len(), len);
    assert_eq!(inc.acknowledged_by(), Some("alice"));
}

#[test]
fn deadlines_and_durations() {
    let mut inc = incident(Impact::outage());
    assert_eq!(inc.severity(), Severity::Sev1);
    assert_eq!(inc.response_deadline(), at(300));
    assert_eq!(inc.response_sla_met(at(299)), None);
    assert!(!inc.response_overdue(at(300)));
    assert!(inc.response_overdue(at(301)));
    assert_eq!(inc.response_sla_met(at(301)), Some(false));
    assert_eq!(inc.postmortem_due(), None);

    inc.acknowledge(at(240), Actor::person("on-call")).unwrap();
    assert_eq!(inc.response_sla_met(at(10_000)), Some(true));
    inc.transition(Status::Mitigating, at(300), Actor::Engine)
        .unwrap();
    inc.transition(Status::Monitoring, at(420), Actor::Engine)
        .unwrap();
    inc.transition(Status::Mitigating, at(600), Actor::Engine)
        .unwrap();
    inc.transition(Status::Monitoring, at(700), Actor::Engine)
        .unwrap();
    inc.transition(Status::Resolved, at(1800), Actor::Engine)
        .unwrap();

    assert_eq!(inc.time_to_acknowledge(), Some(Duration::from_secs(240)));
    // The first mitigation applied counts, not the last.
    assert_eq!(inc.time_to_mitigate(), Some(Duration::from_secs(420)));
    assert_eq!(inc.time_to_resolve(), Some(Duration::from_secs(1800)));
    assert_eq!(inc.postmortem_due(), Some(at(1800 + 48 * 3600)));
    assert_eq!(inc.phases().mitigating, Some(at(300)));

    inc.transition(Status::Closed, at(1900), Actor::person("alice"))
        .unwrap();
    assert_eq!(inc.phases().closed, Some(at(1900)));
    assert!(!inc.is_open());
}

#[test]
fn severity_changes_are_recorded_and_move_the_deadline() {
    let mut inc = incident(Impact::degraded(0.2).unwrap());
    assert_eq!(inc.severity(), Severity::Sev3);
    assert_eq!(inc.response_deadline(), at(3600));
    assert!(!inc.worsen(Impact::degraded(0.3).unwrap(), at(60), Actor::Engine));
    assert!(inc.worsen(Impact::degraded(0.7).unwrap(), at(120), Actor::Engine));
    assert_eq!(inc.severity(), Severity::Sev2);
    assert_eq!(inc.response_deadline(), at(900));
    // A milder observation never lowers it.
    assert!(!inc.worsen(Impact::degraded(0.1).unwrap(), at(180), Actor::Engine));
    assert_eq!(inc.severity(), Severity::Sev2);
    assert!(!inc.set_severity(Severity::Sev2, at(200), Actor::Engine, "same"));
    assert!(inc.set_severity(
        Severity::Sev4,
        at(240),
        Actor::person("lead"),
        "no user impact after all"
    ));
    let changes: Vec<_> = inc
        .timeline()
        .iter()
        .filter_map(|e| match e.kind {
            EntryKind::SeverityChanged { from, to } => Some((from, to)),
            _ => None,
        })
        .collect();
    assert_eq!(
        changes,
        [
            (Severity::Sev3, Severity::Sev2),
            (Severity::Sev2, Severity::Sev4)
        ]
    );
}

#[test]
fn lifecycle_entries_cannot_be_forged() {
    let mut inc = incident(Impact::none());
    for kind in [
        EntryKind::Resolved,
        EntryKind::Closed,
        EntryKind::Acknowledged,
        EntryKind::IncidentOpened {
            severity: Severity::Sev1,
        },
        EntryKind::SeverityChanged {
            from: Severity::Sev4,
            to: Severity::Sev1,
        },
        EntryKind::StatusChanged {
            from: Status::Detected,
            to: Status::Resolved,
        },
    ] {
        let err = inc.record(at(1), Actor::Engine, kind, "").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    }
    assert_eq!(inc.timeline().len(), 1);
    inc.record(
        at(2),
        Actor::Engine,
        EntryKind::Notified {
            channel: "chat".into(),
            target: "#cato-incident".into(),
        },
        "",
    )
    .unwrap();
    inc.note(at(3), Actor::person("alice"), "deploy at 11:50");
    assert_eq!(inc.timeline().len(), 3);
}

#[test]
fn serde_round_trip_keeps_everything() {
    let mut inc = incident_in(Status::Monitoring);
    inc.add_finding(
        at(5),
        Finding::new("endpoint-status", "0 instances in service").with(facts::INSTANCE_COUNT, 0),
    );
    inc.set_root_causes(
        at(6),
        vec![
            RootCause::new("GPU driver error", 0.2),
            RootCause::new("out of memory (model too large)", 0.7),
        ],
    );
    let json = serde_json::to_string_pretty(&inc).unwrap();
    let back: Incident = serde_json::from_str(&json).unwrap();
    assert_eq!(back, inc);
    assert_eq!(
        back.root_causes()[0].cause,
        "out of memory (model too large)"
    );
    assert_eq!(back.dedup_key().as_str(), "high-latency/cato-shadow-self");
}
