//! `calls` and `timeline`: the port calls made, and the entries on each incident's log.

use cato_runbook_core::{Error, ErrorKind};
use serde_json::json;

use super::*;
use crate::calls::CallOutcome;
use crate::ops::Op;

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

#[test]
fn timeline_says_holds_when_an_entry_of_the_label_contains_the_text() {
    let seen = Seen::of(vec![restart_works("INC-1", 0)]);
    let v = seen.judge(
        "expect = \"timeline_says\"\nrunbook = \"shadow-self-down\"\nentry = \"verification_passed\"\nstep = \"restart-endpoint\"\nsays = \"in service\"",
    );
    holds(&v);
    assert_eq!(v.detail, "INC-1 at T+12m: 10 instances in service");
    fails(
        &seen.judge(
            "expect = \"timeline_says\"\nrunbook = \"shadow-self-down\"\nentry = \"verification_passed\"\nsays = \"budget in EMERGENCY\"",
        ),
        "INC-1 says 10 instances in service",
    );
    fails(
        &seen.judge(
            "expect = \"timeline_says\"\nrunbook = \"shadow-self-down\"\nentry = \"approval_requested\"\nsays = \"x\"",
        ),
        "INC-1 has no such entry",
    );
}
