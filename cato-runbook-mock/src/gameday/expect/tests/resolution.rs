//! `resolved`, `still_open` and `root_cause`: how each incident ended, and why.

use super::*;

// ---- resolved ----

const RESOLVED_BY_15M: &str =
    "expect = \"resolved\"\nrunbook = \"shadow-self-down\"\nby = \"T+15m\"";

#[test]
fn resolved_holds_by_the_time() {
    let v = Seen::of(vec![restart_works("INC-1", 0)]).judge(RESOLVED_BY_15M);
    holds(&v);
    assert_eq!(v.detail, "INC-1 resolved at T+14m");
}

#[test]
fn resolved_fails_late_or_when_an_incident_is_still_open() {
    fails(
        &Seen::of(vec![restart_works("INC-1", 120)]).judge(RESOLVED_BY_15M),
        "INC-1 resolved at T+16m",
    );
    let v = Seen::of(vec![
        restart_works("INC-1", 0),
        open("INC-2", RUNBOOK, Severity::Sev1, 1800),
    ])
    .judge("expect = \"resolved\"\nrunbook = \"shadow-self-down\"");
    fails(&v, "INC-2 is still detected");
    assert!(v.detail.contains("1 of 2"), "{}", v.detail);
    fails(
        &Seen::default().judge(RESOLVED_BY_15M),
        "no shadow-self-down",
    );
}

// ---- still_open ----

const STILL_OPEN: &str = "expect = \"still_open\"\nrunbook = \"shadow-self-down\"";

#[test]
fn still_open_holds_for_open_incidents() {
    let v = Seen::of(vec![open("INC-1", RUNBOOK, Severity::Sev1, 60)]).judge(STILL_OPEN);
    holds(&v);
    assert_eq!(v.detail, "INC-1 is detected");
}

#[test]
fn still_open_fails_when_any_incident_is_resolved() {
    let v = Seen::of(vec![
        restart_works("INC-1", 0),
        open("INC-2", RUNBOOK, Severity::Sev1, 1800),
    ])
    .judge(STILL_OPEN);
    fails(&v, "INC-1 is resolved");
    fails(&Seen::default().judge(STILL_OPEN), "no shadow-self-down");
}

// ---- root_cause ----

const CRASH_LOOP: &str =
    "expect = \"root_cause\"\nrunbook = \"shadow-self-down\"\ncause = \"Crash Loop\"";

#[test]
fn root_cause_holds_on_the_top_cause() {
    let v = Seen::of(vec![restart_works("INC-1", 0)]).judge(CRASH_LOOP);
    holds(&v);
    assert_eq!(v.detail, "INC-1 top cause: container crash loop (80 %)");
}

#[test]
fn root_cause_fails_on_a_lower_cause_or_none() {
    fails(
        &Seen::of(vec![restart_works("INC-1", 0)]).judge(
            "expect = \"root_cause\"\nrunbook = \"shadow-self-down\"\ncause = \"out of memory\"",
        ),
        "top cause: container crash loop",
    );
    fails(
        &Seen::of(vec![
            restart_works("INC-1", 0),
            open("INC-2", RUNBOOK, Severity::Sev1, 1800),
        ])
        .judge(CRASH_LOOP),
        "INC-2 has no root cause ranked",
    );
}
