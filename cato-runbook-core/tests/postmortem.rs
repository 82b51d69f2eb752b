//! The postmortem: every section of the runbook's template, rendered byte for byte (golden
//! files in `tests/golden/`; set `UPDATE_GOLDEN=1` to rewrite them after a deliberate change).

#![allow(clippy::unwrap_used, clippy::panic)] // A test that cannot set up fails loudly.

use std::path::Path;
use std::time::Duration;

use cato_runbook_core::catalog::facts;
use cato_runbook_core::incident::{Incident, NewIncident, Status};
use cato_runbook_core::postmortem::{Postmortem, PostmortemOptions};
use cato_runbook_core::runbook::{Finding, RootCause};
use cato_runbook_core::time::{self, Timestamp};
use cato_runbook_core::{Actor, EntryKind, Impact};
use chrono::{TimeZone, Utc};

fn at(min: u64, sec: u64) -> Timestamp {
    let t0 = Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap();
    time::add(t0, Duration::from_secs(min * 60 + sec))
}

fn engine(inc: &mut Incident, t: Timestamp, kind: EntryKind, detail: &str) {
    inc.record(t, Actor::Engine, kind, detail).unwrap();
}

/// The Shadow Self endpoint goes down; the restart does not help, the rollback does.
fn shadow_self_down() -> Incident {
    let mut inc = Incident::open(
        NewIncident {
            id: "INC-20260310-0001".into(),
            runbook: "shadow-self-down".into(),
            resource: "cato-shadow-self".into(),
            title: "Shadow Self Endpoint Down".into(),
            impact: Impact::outage().with_users_affected(12_000),
            severity: None,
        },
        at(1, 0),
        Actor::Engine,
    );
    let step = |s: &str| s.to_owned();
    inc.record(
        at(0, 30),
        Actor::Detector("endpoint-5xx".into()),
        EntryKind::SymptomObserved,
        "5XX rate 100 % > 5 %",
    )
    .unwrap();
    engine(
        &mut inc,
        at(1, 0),
        EntryKind::Notified {
            channel: "chat".into(),
            target: "#cato-incident".into(),
        },
        "",
    );
    engine(
        &mut inc,
        at(1, 0),
        EntryKind::Notified {
            channel: "pager".into(),
            target: "on-call".into(),
        },
        "",
    );
    inc.add_finding(
        at(1, 5),
        Finding::new("endpoint-status", "InService with 0 instances")
            .with(facts::INSTANCE_COUNT, 0),
    );
    inc.set_root_causes(
        at(1, 5),
        vec![
            RootCause::new("container crash loop", 0.2),
            RootCause::new("out of memory (model too large)", 0.8)
                .with_evidence("ERROR torch.cuda.OutOfMemoryError: CUDA out of memory"),
        ],
    );
    inc.transition(Status::Mitigating, at(1, 10), Actor::Engine)
        .unwrap();
    engine(
        &mut inc,
        at(1, 10),
        EntryKind::MitigationPlanned {
            step: step("restart-endpoint"),
        },
        "restart-endpoint on cato-shadow-self: update to cato-shadow-self-config (risk high)\n  config: a → a",
    );
    engine(
        &mut inc,
        at(1, 10),
        EntryKind::MitigationApplied {
            step: step("restart-endpoint"),
        },
        "updating to cato-shadow-self-config",
    );
    inc.transition(Status::Monitoring, at(1, 10), Actor::Engine)
        .unwrap();
    inc.acknowledge(at(3, 40), Actor::person("alice")).unwrap();
    engine(
        &mut inc,
        at(11, 10),
        EntryKind::VerificationFailed {
            step: step("restart-endpoint"),
        },
        "RollingBack with 0 instances",
    );
    inc.transition(Status::Mitigating, at(11, 10), Actor::Engine)
        .unwrap();
    engine(
        &mut inc,
        at(11, 10),
        EntryKind::MitigationSkipped {
            step: step("restart-endpoint"),
            reason: "cannot be undone".into(),
        },
        "",
    );
    engine(
        &mut inc,
        at(11, 40),
        EntryKind::MitigationApplied {
            step: step("rollback-endpoint-config"),
        },
        "updating to cato-shadow-self-config-v1",
    );
    inc.transition(Status::Monitoring, at(11, 40), Actor::Engine)
        .unwrap();
    engine(
        &mut inc,
        at(21, 40),
        EntryKind::VerificationPassed {
            step: step("rollback-endpoint-config"),
        },
        "10 instances in service",
    );
    inc.note(
        at(22, 0),
        Actor::person("alice"),
        "rollback confirmed on the dashboard",
    );
    inc.transition(Status::Resolved, at(23, 10), Actor::Engine)
        .unwrap();
    inc
}

/// Budget exceeded: nobody acknowledges in time, nothing automated helps, still open.
fn budget_exceeded_open() -> Incident {
    let mut inc = Incident::open(
        NewIncident {
            id: "INC-20260330-0002".into(),
            runbook: "budget-exceeded".into(),
            resource: "cato-llm-budget".into(),
            title: "Budget Exceeded (Emergency Mode)".into(),
            impact: Impact::degraded(0.3).unwrap(),
            severity: None,
        },
        at(0, 0),
        Actor::Engine,
    );
    engine(
        &mut inc,
        at(0, 30),
        EntryKind::ApprovalRequested {
            step: "raise-monthly-limit".into(),
        },
        "",
    );
    inc.record(
        at(20, 0),
        Actor::person("lead"),
        EntryKind::ApprovalDenied {
            step: "raise-monthly-limit".into(),
        },
        "wait for the reset",
    )
    .unwrap();
    engine(
        &mut inc,
        at(61, 0),
        EntryKind::SlaBreached,
        "not acknowledged within 1h",
    );
    inc
}

/// Whether to rewrite the golden files: only with `UPDATE_GOLDEN=1` (not `0`, not empty), and
/// never under `CATO_TEST_PEERS=require` (CI, `scripts/test.sh`), where goldens are compared.
fn update_golden() -> bool {
    let asked = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let strict = std::env::var("CATO_TEST_PEERS").is_ok_and(|v| v == "require");
    assert!(
        !(asked && strict),
        "UPDATE_GOLDEN=1 under CATO_TEST_PEERS=require: goldens are compared there, never \
         rewritten; update them with `UPDATE_GOLDEN=1 cargo test` alone"
    );
    asked
}

fn check_golden(name: &str, text: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if update_golden() {
        std::fs::write(&path, text).unwrap();
    }
    let golden = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    assert_eq!(
        text,
        golden,
        "{} differs; run with UPDATE_GOLDEN=1 after a deliberate change",
        path.display()
    );
}

#[test]
fn resolved_incident_golden() {
    let options = PostmortemOptions {
        prevention: vec!["Alert on endpoint memory above 90 %".into()],
        revenue_per_minute_usd: Some(40.0),
        ..PostmortemOptions::default()
    };
    let text = Postmortem::draft(&shadow_self_down(), &options)
        .render()
        .unwrap();
    check_golden("shadow-self-down.md", &text);
}

#[test]
fn open_incident_golden() {
    let options = PostmortemOptions {
        author: Some("Alice Example".into()),
        owner: "@finops".into(),
        prevention: vec![
            "Set appropriate budget limits".into(),
            "Monitor spend daily".into(),
            "Enable budget alerts".into(),
        ],
        ..PostmortemOptions::default()
    };
    let text = Postmortem::draft(&budget_exceeded_open(), &options)
        .render()
        .unwrap();
    check_golden("budget-exceeded-open.md", &text);
}

#[test]
fn the_same_incident_renders_the_same_bytes() {
    let options = PostmortemOptions::default();
    let a = Postmortem::draft(&shadow_self_down(), &options)
        .render()
        .unwrap();
    let b = Postmortem::draft(&shadow_self_down(), &options)
        .render()
        .unwrap();
    assert_eq!(a, b);
}

#[test]
fn every_section_is_filled() {
    let pm = Postmortem::draft(&shadow_self_down(), &PostmortemOptions::default());
    assert_eq!(pm.date, "2026-03-10");
    assert_eq!(pm.duration, "0 hours 22 minutes");
    assert_eq!(pm.severity, "SEV1");
    assert!(pm.draft);
    assert_eq!(pm.response.detect, "30s");
    assert_eq!(pm.response.acknowledge, "2m40s");
    assert_eq!(pm.response.mitigate, "10s");
    assert_eq!(pm.response.resolve, "22m10s");
    assert_eq!(pm.response.sla, "met");
    assert!(
        pm.root_cause
            .text
            .starts_with("out of memory (model too large) (confidence 80 %")
    );
    assert_eq!(pm.root_cause.evidence.len(), 1);
    assert_eq!(
        pm.mitigation[0],
        "restart-endpoint: applied at 09:01, verification failed at 09:11, skipped (cannot be undone) at 09:11"
    );
    assert_eq!(
        pm.mitigation[1],
        "rollback-endpoint-config: applied at 09:11, verification passed at 09:21"
    );
    let texts: Vec<_> = pm
        .timeline
        .iter()
        .map(|l| format!("{} - {}", l.time, l.text))
        .collect();
    assert_eq!(
        texts[0],
        "09:00 - Symptom seen by detector endpoint-5xx: 5XX rate 100 % > 5 %"
    );
    assert!(texts.contains(&"09:01 - On-call paged (on-call)".to_owned()));
    assert!(texts.contains(&"09:01 - Mitigation started".to_owned()));
    assert_eq!(
        texts.last().unwrap(),
        "09:23 - Service restored (resolved by engine): monitoring → resolved"
    );
    assert_eq!(
        pm.impact.users,
        "100 % of users (about 12000), complete outage"
    );
    assert!(
        pm.impact
            .sla
            .starts_with("0 minutes (acknowledged after 2m40s against the 5m response time")
    );
}

#[test]
fn missed_sla_and_open_incident() {
    let pm = Postmortem::draft(&budget_exceeded_open(), &PostmortemOptions::default());
    assert_eq!(pm.duration, "ongoing (detected)");
    assert_eq!(pm.response.sla, "missed");
    assert_eq!(pm.response.acknowledge, "—");
    assert!(
        pm.impact
            .sla
            .starts_with("never acknowledged; 1 minute past the 1h response time"),
        "{}",
        pm.impact.sla
    );
    assert!(
        pm.summary.ends_with("The incident is still detected."),
        "{}",
        pm.summary
    );
}

#[test]
fn a_template_of_ones_own() {
    let pm = Postmortem::draft(&shadow_self_down(), &PostmortemOptions::default());
    assert_eq!(
        pm.render_with("{{ title }} / {{ severity }}").unwrap(),
        "Shadow Self Endpoint Down / SEV1"
    );
    let err = pm.render_with("{{ no_such_field }}").unwrap_err();
    assert_eq!(err.kind(), cato_runbook_core::ErrorKind::InvalidInput);
    assert!(pm.render_with("{% if %}").is_err());
}

#[test]
fn options_beyond_their_range_are_refused_naming_the_key() {
    assert!(PostmortemOptions::default().validate().is_ok());
    let revenue = |usd: f64| PostmortemOptions {
        revenue_per_minute_usd: Some(usd),
        ..PostmortemOptions::default()
    };
    for usd in [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -1.0,
        1e7 + 1.0,
        1e300,
    ] {
        let err = revenue(usd).validate().unwrap_err();
        assert!(
            err.message()
                .starts_with("postmortem.revenue_per_minute_usd: "),
            "{usd}: {err}"
        );
    }
    assert!(revenue(0.0).validate().is_ok() && revenue(1e7).validate().is_ok());
    let due = |after: Duration| PostmortemOptions {
        action_items_due_after: after,
        ..PostmortemOptions::default()
    };
    let year = Duration::from_secs(365 * 24 * 3600);
    for after in [Duration::ZERO, year + Duration::from_secs(1), Duration::MAX] {
        let err = due(after).validate().unwrap_err();
        assert!(
            err.message()
                .starts_with("postmortem.action_items_due_after: "),
            "{after:?}: {err}"
        );
    }
    assert!(due(year).validate().is_ok());
}
