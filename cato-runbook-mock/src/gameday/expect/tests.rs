//! Every expectation kind, judged on hand-made outcomes: each holds when it should and fails
//! when it should, and those about a runbook's incident judge every incident, not the first.

use std::time::Duration;

use cato_runbook_core::incident::NewIncident;
use cato_runbook_core::runbook::RootCause;
use cato_runbook_core::{Actor, Error, ErrorKind, Impact, Status};
use chrono::{TimeZone, Utc};
use serde_json::json;

use super::*;
use crate::calls::CallOutcome;
use crate::ops::Op;

const RUNBOOK: &str = "shadow-self-down";
const RESTART: &str = "restart-endpoint";
const ROLLBACK: &str = "rollback-endpoint-config";
const LEAD: &str = "Engineering Lead";

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap()
}

/// T+`secs`.
fn at(secs: u64) -> Timestamp {
    time::add(t0(), Duration::from_secs(secs))
}

fn open(id: &str, runbook: &str, severity: Severity, secs: u64) -> Incident {
    Incident::open(
        NewIncident {
            id: id.into(),
            runbook: runbook.into(),
            resource: "cato-shadow-self".into(),
            title: "Shadow Self endpoint down".into(),
            impact: Impact::outage(),
            severity: Some(severity),
        },
        at(secs),
        Actor::Detector("endpoint-instances".into()),
    )
}

fn record(inc: &mut Incident, secs: u64, kind: EntryKind, detail: &str) {
    inc.record(at(secs), Actor::Engine, kind, detail).unwrap();
}

fn apply(inc: &mut Incident, secs: u64, step: &str) {
    record(
        inc,
        secs,
        EntryKind::MitigationApplied { step: step.into() },
        "applied",
    );
}

fn escalate(inc: &mut Incident, secs: u64, role: &str) {
    record(
        inc,
        secs,
        EntryKind::Escalated {
            role: role.into(),
            contact: "chat @lead-eng".into(),
        },
        "nobody acknowledged",
    );
}

fn resolve(inc: &mut Incident, secs: u64) {
    inc.transition(Status::Resolved, at(secs), Actor::Engine)
        .unwrap();
}

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

fn call(seq: u64, op: Op, args: Value, outcome: CallOutcome) -> CallRecord {
    CallRecord {
        seq,
        op,
        at: at(seq),
        args,
        key: None,
        outcome,
    }
}

/// What a run produced, owned; [`Seen::outcome`] lends it out as the runner does.
#[derive(Default)]
struct Seen {
    incidents: Vec<Incident>,
    pager: Vec<PagerEvent>,
    calls: Vec<CallRecord>,
}

impl Seen {
    fn of(incidents: Vec<Incident>) -> Self {
        Seen {
            incidents,
            ..Seen::default()
        }
    }

    fn outcome(&self) -> Outcome<'_> {
        Outcome {
            start: t0(),
            incidents: &self.incidents,
            pager: &self.pager,
            calls: &self.calls,
        }
    }

    /// Judges an expectation written as in a scenario's `[[expect]]` table.
    fn judge(&self, toml_text: &str) -> Verdict {
        expectation(toml_text).judge(&self.outcome())
    }
}

fn expectation(toml_text: &str) -> Expectation {
    toml::from_str(toml_text).unwrap_or_else(|e| panic!("{toml_text}: {e}"))
}

#[track_caller]
fn holds(v: &Verdict) {
    assert!(v.passed, "{}: {}", v.expectation, v.detail);
}

#[track_caller]
fn fails(v: &Verdict, detail: &str) {
    assert!(!v.passed, "{} held: {}", v.expectation, v.detail);
    assert!(
        v.detail.contains(detail),
        "{}: {:?} does not say {detail:?}",
        v.expectation,
        v.detail
    );
}

/// The restart works: opened as SEV1 at T+1m30s, escalated to the lead at T+16m30s, the
/// restart applied at T+2m and verified, resolved at T+14m.
fn restart_works(id: &str, offset: u64) -> Incident {
    let mut inc = open(id, RUNBOOK, Severity::Sev1, offset + 90);
    inc.set_root_causes(
        at(offset + 90),
        vec![
            RootCause::new("container crash loop", 0.8),
            RootCause::new("out of memory (model too large)", 0.2),
        ],
    );
    record(
        &mut inc,
        offset + 120,
        EntryKind::MitigationPlanned {
            step: RESTART.into(),
        },
        "restart on the current config",
    );
    apply(&mut inc, offset + 120, RESTART);
    record(
        &mut inc,
        offset + 720,
        EntryKind::VerificationPassed {
            step: RESTART.into(),
        },
        "10 instances in service",
    );
    escalate(&mut inc, offset + 990, LEAD);
    resolve(&mut inc, offset + 840);
    inc
}

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

// ---- steps_applied ----

#[test]
fn steps_applied_holds_per_incident_in_order() {
    let mut both = open("INC-1", RUNBOOK, Severity::Sev1, 60);
    apply(&mut both, 90, RESTART);
    apply(&mut both, 800, ROLLBACK);
    let v = Seen::of(vec![both]).judge(
        "expect = \"steps_applied\"\nrunbook = \"shadow-self-down\"\nsteps = [\"restart-endpoint\", \"rollback-endpoint-config\"]",
    );
    holds(&v);
    assert_eq!(
        v.detail,
        "INC-1 applied [restart-endpoint, rollback-endpoint-config]"
    );

    // Two incidents that each applied the restart: each applied [restart-endpoint].
    let twice = Seen::of(vec![
        restart_works("INC-1", 0),
        restart_works("INC-2", 1800),
    ]);
    holds(&twice.judge(
        "expect = \"steps_applied\"\nrunbook = \"shadow-self-down\"\nsteps = [\"restart-endpoint\"]",
    ));

    let none = Seen::of(vec![open("INC-1", RUNBOOK, Severity::Sev1, 60)]);
    holds(&none.judge("expect = \"steps_applied\"\nrunbook = \"shadow-self-down\"\nsteps = []"));
}

#[test]
fn steps_applied_fails_on_order_extra_steps_or_another_incident() {
    let mut reversed = open("INC-1", RUNBOOK, Severity::Sev1, 60);
    apply(&mut reversed, 90, ROLLBACK);
    apply(&mut reversed, 800, RESTART);
    fails(
        &Seen::of(vec![reversed]).judge(
            "expect = \"steps_applied\"\nrunbook = \"shadow-self-down\"\nsteps = [\"restart-endpoint\", \"rollback-endpoint-config\"]",
        ),
        "INC-1 applied [rollback-endpoint-config, restart-endpoint]",
    );

    let mut second = open("INC-2", RUNBOOK, Severity::Sev1, 1800);
    apply(&mut second, 1830, ROLLBACK);
    let v = Seen::of(vec![restart_works("INC-1", 0), second]).judge(
        "expect = \"steps_applied\"\nrunbook = \"shadow-self-down\"\nsteps = [\"restart-endpoint\"]",
    );
    fails(&v, "INC-2 applied [rollback-endpoint-config]");

    fails(
        &Seen::default()
            .judge("expect = \"steps_applied\"\nrunbook = \"shadow-self-down\"\nsteps = []"),
        "no shadow-self-down incident was opened",
    );
}

// ---- step_not_applied ----

const NEVER_ROLLS_BACK: &str = "expect = \"step_not_applied\"\nrunbook = \"shadow-self-down\"\nstep = \"rollback-endpoint-config\"";

#[test]
fn step_not_applied_holds_when_no_incident_applied_it() {
    let v = Seen::of(vec![restart_works("INC-1", 0)]).judge(NEVER_ROLLS_BACK);
    holds(&v);
    assert_eq!(v.detail, "applied 0 time(s)");
}

#[test]
fn step_not_applied_fails_naming_the_incident_that_applied_it() {
    let mut second = open("INC-2", RUNBOOK, Severity::Sev1, 1800);
    apply(&mut second, 1830, ROLLBACK);
    fails(
        &Seen::of(vec![restart_works("INC-1", 0), second]).judge(NEVER_ROLLS_BACK),
        "INC-2 applied it 1 time(s)",
    );
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

// ---- calls ----

fn traffic_calls() -> Seen {
    let threshold = Op::TrafficSetCacheSimilarityThreshold;
    Seen {
        calls: vec![
            call(0, threshold, json!({ "threshold": 0.87 }), CallOutcome::Ok),
            // A retry with the same idempotency key: not applied again.
            call(
                1,
                threshold,
                json!({ "threshold": 0.87 }),
                CallOutcome::Deduplicated,
            ),
            call(
                2,
                threshold,
                json!({ "threshold": 0.87 }),
                CallOutcome::failed(&Error::new(ErrorKind::Unavailable, "traffic", "down")),
            ),
            call(3, threshold, json!({ "threshold": 0.92 }), CallOutcome::Ok),
            call(
                4,
                Op::WorkloadsScale,
                json!({ "replicas": 12 }),
                CallOutcome::Ok,
            ),
        ],
        ..Seen::default()
    }
}

#[test]
fn calls_counts_applied_calls_with_their_arguments() {
    let seen = traffic_calls();
    let v = seen
        .judge("expect = \"calls\"\nop = \"traffic.set_cache_similarity_threshold\"\ncount = 2");
    holds(&v);
    assert_eq!(v.detail, "2 successful call(s)");
    holds(&seen.judge("expect = \"calls\"\nop = \"traffic.*\"\ncount = 2"));
    holds(&seen.judge("expect = \"calls\"\nop = \"*\"\ncount = 3"));
    let v = seen.judge(
        "expect = \"calls\"\nop = \"traffic.set_cache_similarity_threshold\"\ncount = 1\nargs = { threshold = 0.87 }",
    );
    holds(&v);
    assert!(
        v.detail
            .starts_with("1 of 2 successful call(s) with threshold=0.87"),
        "{}",
        v.detail
    );
    // Numbers compare by value: the recorded 12 is the written 12.0.
    holds(&seen.judge(
        "expect = \"calls\"\nop = \"workloads.scale\"\ncount = 1\nargs = { replicas = 12.0 }",
    ));
}

#[test]
fn calls_fails_on_another_count_or_other_arguments() {
    let seen = traffic_calls();
    fails(
        &seen.judge(
            "expect = \"calls\"\nop = \"traffic.set_cache_similarity_threshold\"\ncount = 3",
        ),
        "2 successful call(s)",
    );
    let v = seen.judge(
        "expect = \"calls\"\nop = \"traffic.set_cache_similarity_threshold\"\ncount = 1\nargs = { threshold = 0.85 }",
    );
    fails(&v, "0 of 2 successful call(s) with threshold=0.85");
    assert!(
        v.detail.contains("{\"threshold\":0.87}"),
        "shows what was seen: {}",
        v.detail
    );
    fails(
        &seen.judge(
            "expect = \"calls\"\nop = \"workloads.scale\"\ncount = 1\nargs = { namespace = \"cato\" }",
        ),
        "0 of 1",
    );
    fails(
        &Seen::default().judge("expect = \"calls\"\nop = \"endpoint.update_config\"\ncount = 1"),
        "0 successful call(s)",
    );
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

// ---- timeline ----

#[test]
fn timeline_holds_with_the_step_at_or_by_the_time() {
    let seen = Seen::of(vec![restart_works("INC-1", 0)]);
    let v = seen.judge(
        "expect = \"timeline\"\nrunbook = \"shadow-self-down\"\nentry = \"verification_passed\"\nstep = \"restart-endpoint\"\nat = \"T+12m\"",
    );
    holds(&v);
    assert_eq!(v.detail, "INC-1 at T+12m: 10 instances in service");
    holds(&seen.judge(
        "expect = \"timeline\"\nrunbook = \"shadow-self-down\"\nentry = \"verification_passed\"\nby = \"T+12m\"",
    ));
    holds(
        &seen.judge("expect = \"timeline\"\nrunbook = \"shadow-self-down\"\nentry = \"resolved\""),
    );
}

#[test]
fn timeline_fails_off_time_for_another_step_or_another_incident() {
    let seen = Seen::of(vec![restart_works("INC-1", 0)]);
    fails(
        &seen.judge(
            "expect = \"timeline\"\nrunbook = \"shadow-self-down\"\nentry = \"verification_passed\"\nat = \"T+11m30s\"",
        ),
        "INC-1 at T+12m",
    );
    fails(
        &seen.judge(
            "expect = \"timeline\"\nrunbook = \"shadow-self-down\"\nentry = \"verification_passed\"\nby = \"T+11m\"",
        ),
        "INC-1 at T+12m",
    );
    fails(
        &seen.judge(
            "expect = \"timeline\"\nrunbook = \"shadow-self-down\"\nentry = \"verification_passed\"\nstep = \"rollback-endpoint-config\"",
        ),
        "INC-1 has no such entry",
    );
    fails(
        &Seen::of(vec![
            restart_works("INC-1", 0),
            open("INC-2", RUNBOOK, Severity::Sev1, 1800),
        ])
        .judge(
            "expect = \"timeline\"\nrunbook = \"shadow-self-down\"\nentry = \"verification_passed\"",
        ),
        "INC-2 has no such entry",
    );
}

// ---- in words ----

#[test]
fn new_fields_read_in_words_and_round_trip() {
    for (text, words) in [
        (
            "expect = \"incidents\"\nrunbook = \"shadow-self-down\"\ncount = 1",
            "shadow-self-down opens 1 incident(s)",
        ),
        (
            "expect = \"timeline\"\nrunbook = \"shadow-self-down\"\nentry = \"sla_breached\"\nat = \"T+6m30s\"",
            "shadow-self-down timeline has sla_breached at T+6m30s",
        ),
        (
            "expect = \"calls\"\nop = \"traffic.set_cache_similarity_threshold\"\ncount = 1\nargs = { threshold = 0.87 }",
            "traffic.set_cache_similarity_threshold with threshold=0.87 succeeds 1 time(s)",
        ),
        (
            "expect = \"escalated\"\nrunbook = \"shadow-self-down\"\nrole = \"Engineering Lead\"\nat = \"T+16m30s\"",
            "shadow-self-down escalated to Engineering Lead at T+16m30s",
        ),
    ] {
        let e = expectation(text);
        assert_eq!(e.to_string(), words);
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            serde_json::from_str::<Expectation>(&json).unwrap(),
            e,
            "{json}"
        );
    }
    assert!(
        toml::from_str::<Expectation>(
            "expect = \"incidents\"\nrunbook = \"shadow-self-down\"\ncount = 1\nby = \"T+1m\""
        )
        .is_err(),
        "unknown fields are refused"
    );
}
