//! `pages`, `escalated` and `not_escalated`: who was paged and who was escalated to.

use super::*;
use crate::world::PagerAction;

fn page(secs: u64, target: &str, action: PagerAction) -> PagerEvent {
    PagerEvent {
        at: at(secs),
        event: "trigger".into(),
        target: target.into(),
        dedup_key: format!("{RUNBOOK}/cato-shadow-self"),
        action,
        alert: Some(1),
    }
}

// ---- pages ----

#[test]
fn pages_counts_alerts_opened_to_the_target() {
    let seen = Seen {
        pager: vec![
            page(90, "on-call", PagerAction::Opened),
            page(120, "on-call", PagerAction::Deduplicated),
            page(900, "vp-engineering", PagerAction::Opened),
            page(1000, "on-call", PagerAction::Resolved),
        ],
        ..Seen::default()
    };
    let v = seen.judge("expect = \"pages\"\ncount = 1\ntarget = \"on-call\"");
    holds(&v);
    assert_eq!(v.detail, "1 page(s) opened an alert");
    holds(&seen.judge("expect = \"pages\"\ncount = 2"));
}

#[test]
fn pages_fails_on_another_count() {
    let seen = Seen {
        pager: vec![
            page(90, "on-call", PagerAction::Opened),
            page(120, "on-call", PagerAction::Deduplicated),
        ],
        ..Seen::default()
    };
    fails(
        &seen.judge("expect = \"pages\"\ncount = 2\ntarget = \"on-call\""),
        "1 page(s) opened an alert",
    );
    fails(
        &Seen::default().judge("expect = \"pages\"\ncount = 1"),
        "0 page(s)",
    );
}

// ---- escalated ----

#[test]
fn escalated_holds_at_exactly_or_by_the_time() {
    let seen = Seen::of(vec![restart_works("INC-1", 0)]);
    let v = seen.judge(
        "expect = \"escalated\"\nrunbook = \"shadow-self-down\"\nrole = \"Engineering Lead\"\nat = \"T+16m30s\"",
    );
    holds(&v);
    assert_eq!(v.detail, "INC-1 escalated to Engineering Lead at T+16m30s");
    holds(&seen.judge(
        "expect = \"escalated\"\nrunbook = \"shadow-self-down\"\nrole = \"Engineering Lead\"\nby = \"T+17m\"",
    ));
}

#[test]
fn escalated_fails_off_time_never_or_for_another_incident() {
    let seen = Seen::of(vec![restart_works("INC-1", 0)]);
    fails(
        &seen.judge(
            "expect = \"escalated\"\nrunbook = \"shadow-self-down\"\nrole = \"Engineering Lead\"\nat = \"T+16m\"",
        ),
        "at T+16m30s",
    );
    fails(
        &seen.judge(
            "expect = \"escalated\"\nrunbook = \"shadow-self-down\"\nrole = \"Engineering Lead\"\nby = \"T+15m\"",
        ),
        "at T+16m30s",
    );
    fails(
        &seen.judge(
            "expect = \"escalated\"\nrunbook = \"shadow-self-down\"\nrole = \"VP Engineering\"",
        ),
        "INC-1 was never escalated to VP Engineering",
    );

    let two = Seen::of(vec![
        restart_works("INC-1", 0),
        open("INC-2", RUNBOOK, Severity::Sev1, 1800),
    ]);
    fails(
        &two.judge(
            "expect = \"escalated\"\nrunbook = \"shadow-self-down\"\nrole = \"Engineering Lead\"",
        ),
        "INC-2 was never escalated to Engineering Lead",
    );
}

// ---- not_escalated ----

#[test]
fn not_escalated_holds_when_no_incident_was() {
    let v = Seen::of(vec![restart_works("INC-1", 0)]).judge(
        "expect = \"not_escalated\"\nrunbook = \"shadow-self-down\"\nrole = \"VP Engineering\"",
    );
    holds(&v);
    assert_eq!(v.detail, "never escalated");
}

#[test]
fn not_escalated_fails_naming_the_incident_and_time() {
    let mut second = open("INC-2", RUNBOOK, Severity::Sev1, 1800);
    escalate(&mut second, 3600, "VP Engineering");
    fails(
        &Seen::of(vec![restart_works("INC-1", 0), second]).judge(
            "expect = \"not_escalated\"\nrunbook = \"shadow-self-down\"\nrole = \"VP Engineering\"",
        ),
        "INC-2 escalated at T+1h",
    );
}
