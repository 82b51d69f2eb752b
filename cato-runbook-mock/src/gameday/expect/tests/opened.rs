//! `incident_opened`, `no_incident`, `incidents` and `severity`: which incidents opened, and how
//! bad they were.

use super::*;

// ---- incident_opened ----

const OPENED_SEV1_BY_2M: &str = "expect = \"incident_opened\"\nrunbook = \"shadow-self-down\"\nseverity = \"SEV1\"\nby = \"T+2m\"";

#[test]
fn incident_opened_holds_with_the_severity_by_the_time() {
    let seen = Seen::of(vec![restart_works("INC-1", 0)]);
    let v = seen.judge(OPENED_SEV1_BY_2M);
    holds(&v);
    assert_eq!(v.detail, "INC-1 opened at T+1m30s as SEV1");
    holds(&seen.judge("expect = \"incident_opened\"\nrunbook = \"shadow-self-down\""));
}

#[test]
fn incident_opened_fails_on_the_severity_the_time_or_no_incident() {
    let seen = Seen::of(vec![open("INC-1", RUNBOOK, Severity::Sev2, 90)]);
    fails(
        &seen.judge(OPENED_SEV1_BY_2M),
        "INC-1 opened at T+1m30s as SEV2",
    );

    let late = Seen::of(vec![open("INC-1", RUNBOOK, Severity::Sev1, 150)]);
    fails(&late.judge(OPENED_SEV1_BY_2M), "opened at T+2m30s");

    let other = Seen::of(vec![open("INC-1", "high-latency", Severity::Sev1, 60)]);
    fails(
        &other.judge(OPENED_SEV1_BY_2M),
        "no shadow-self-down incident was opened",
    );
}

#[test]
fn incident_opened_judges_every_incident() {
    let seen = Seen::of(vec![
        restart_works("INC-1", 0),
        open("INC-2", RUNBOOK, Severity::Sev3, 1800),
    ]);
    let v = seen.judge(OPENED_SEV1_BY_2M);
    fails(&v, "failed for 1 of 2 shadow-self-down incidents");
    assert!(
        v.detail.contains("INC-2 opened at T+30m as SEV3"),
        "{}",
        v.detail
    );
    assert!(
        !v.detail.contains("INC-1"),
        "names only the failure: {}",
        v.detail
    );
}

// ---- no_incident ----

#[test]
fn no_incident_holds_when_only_other_runbooks_opened() {
    let seen = Seen::of(vec![open("INC-1", "high-latency", Severity::Sev2, 60)]);
    let v = seen.judge("expect = \"no_incident\"\nrunbook = \"shadow-self-down\"");
    holds(&v);
    assert_eq!(v.detail, "none opened");
}

#[test]
fn no_incident_fails_naming_the_incident() {
    let seen = Seen::of(vec![open("INC-1", RUNBOOK, Severity::Sev1, 60)]);
    fails(
        &seen.judge("expect = \"no_incident\"\nrunbook = \"shadow-self-down\""),
        "opened INC-1",
    );
}

// ---- incidents ----

#[test]
fn incidents_holds_on_the_exact_count() {
    let seen = Seen::of(vec![
        restart_works("INC-1", 0),
        open("INC-2", "high-latency", Severity::Sev2, 60),
        open("INC-3", RUNBOOK, Severity::Sev1, 1800),
    ]);
    let v = seen.judge("expect = \"incidents\"\nrunbook = \"shadow-self-down\"\ncount = 2");
    holds(&v);
    assert_eq!(v.detail, "2 opened: INC-1 at T+1m30s, INC-3 at T+30m");
    holds(
        &Seen::default().judge("expect = \"incidents\"\nrunbook = \"shadow-self-down\"\ncount = 0"),
    );
}

#[test]
fn incidents_fails_on_more_or_fewer() {
    let seen = Seen::of(vec![
        restart_works("INC-1", 0),
        open("INC-2", RUNBOOK, Severity::Sev1, 1800),
    ]);
    fails(
        &seen.judge("expect = \"incidents\"\nrunbook = \"shadow-self-down\"\ncount = 1"),
        "2 opened: INC-1 at T+1m30s, INC-2 at T+30m",
    );
    fails(
        &Seen::default().judge("expect = \"incidents\"\nrunbook = \"shadow-self-down\"\ncount = 1"),
        "none opened",
    );
}

// ---- severity ----

const ENDS_SEV1: &str =
    "expect = \"severity\"\nrunbook = \"shadow-self-down\"\nseverity = \"SEV1\"";

#[test]
fn severity_holds_on_the_severity_at_the_end() {
    let mut inc = open("INC-1", RUNBOOK, Severity::Sev2, 60);
    assert!(inc.set_severity(Severity::Sev1, at(300), Actor::Engine, "complete outage"));
    let v = Seen::of(vec![inc]).judge(ENDS_SEV1);
    holds(&v);
    assert_eq!(v.detail, "INC-1 ended as SEV1");
}

#[test]
fn severity_fails_when_any_incident_ends_otherwise() {
    let mut second = open("INC-2", RUNBOOK, Severity::Sev1, 1800);
    assert!(second.set_severity(Severity::Sev3, at(1900), Actor::Engine, "partial recovery"));
    let seen = Seen::of(vec![restart_works("INC-1", 0), second]);
    let v = seen.judge(ENDS_SEV1);
    fails(&v, "INC-2 ended as SEV3");
    assert!(!v.detail.contains("INC-1"), "{}", v.detail);
    fails(
        &Seen::default().judge(ENDS_SEV1),
        "no shadow-self-down incident",
    );
}
