//! The call record: bounded, with exact counts.

use super::*;
use cato_runbook_core::{Error, ErrorKind};
use serde_json::json;

#[test]
fn begin_finish_and_query() {
    let calls = Calls::new();
    let t = chrono::DateTime::UNIX_EPOCH;
    let key = IdempotencyKey::new("k");
    let a = calls.begin(Op::WorkloadsScale, t, json!({"replicas": 12}), Some(&key));
    let b = calls.begin(Op::WorkloadsGet, t, json!({}), None);
    calls.finish(a, CallOutcome::Ok);
    calls.finish(
        b,
        CallOutcome::failed(&Error::new(ErrorKind::Unavailable, "x", "down")),
    );
    assert_eq!(calls.count(Op::WorkloadsScale), 1);
    assert_eq!(calls.count(OpMatch::port("workloads").unwrap()), 2);
    assert_eq!(calls.applied(OpMatch::Any).len(), 1);
    assert_eq!(calls.failed(OpMatch::Any)[0].op, Op::WorkloadsGet);
    let scaled = calls.last(Op::WorkloadsScale).unwrap();
    assert_eq!(scaled.arg_u64("replicas"), Some(12));
    assert_eq!(scaled.key, Some(key));
    assert!(scaled.to_string().contains("workloads.scale"));
    assert_eq!(calls.sequence(), vec![Op::WorkloadsScale, Op::WorkloadsGet]);
    calls.clear();
    assert!(calls.all().is_empty());
    assert_eq!(calls.count(OpMatch::Any), 0);
}

#[test]
fn keeps_the_last_calls_and_counts_every_one() {
    let calls = Calls::new();
    calls.keep_last(3);
    let t = chrono::DateTime::UNIX_EPOCH;
    let key = IdempotencyKey::new("k");
    let hung = calls.begin(Op::WorkloadsScale, t, json!({}), Some(&key));
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(calls.begin(Op::WorkloadsGet, t, json!({}), None));
    }
    // The scale left the log while pending: its outcome is still counted, once.
    calls.finish(hung, CallOutcome::Ok);
    calls.finish(hung, CallOutcome::Ok);
    for id in ids {
        calls.finish(id, CallOutcome::Deduplicated);
    }
    assert_eq!(calls.len(), 3);
    assert_eq!(calls.total(), 6);
    assert_eq!(calls.all()[0].seq, 3);
    assert_eq!(calls.count(Op::WorkloadsScale), 1);
    assert_eq!(calls.count_applied(Op::WorkloadsScale), 1);
    assert!(calls.applied(Op::WorkloadsScale).is_empty());
    assert_eq!(calls.count(Op::WorkloadsGet), 5);
    assert_eq!(calls.count_deduplicated(Op::WorkloadsGet), 5);
    assert_eq!(calls.count_failed(OpMatch::Any), 0);
    calls.clear();
    assert_eq!(calls.kept(), 3);
    assert!(calls.is_empty());
}
