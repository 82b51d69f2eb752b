//! `Replay::parse`: a recorded trace (`run`'s JSON lines), as `replay` reads it. The traces of
//! `scenarios/traces/` are sound documents; one line of one is made absurd.

use std::path::Path;
use std::sync::LazyLock;

use cato_runbook_core::ErrorKind;
use cato_runbook_mock::replay::Replay;
use proptest::prelude::*;
use serde_json::Value;

use crate::support::{absurd, config, json};

const ORIGIN: &str = "run.jsonl";

/// The recorded traces, read once for every case.
fn traces() -> &'static [String] {
    static TRACES: LazyLock<Vec<String>> = LazyLock::new(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/traces");
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    });
    &TRACES
}

/// Each recorded trace's lines as JSON values, parsed once.
fn trace_lines() -> &'static [Vec<Value>] {
    static LINES: LazyLock<Vec<Vec<Value>>> = LazyLock::new(|| {
        traces()
            .iter()
            .map(|text| {
                text.lines()
                    .map(|l| serde_json::from_str(l).unwrap())
                    .collect()
            })
            .collect()
    });
    &LINES
}

/// Refused as `InvalidInput`, naming the origin and the 1-based `line`.
fn refused_at(text: &str, line: usize) {
    let err = Replay::parse(ORIGIN, text).expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(
        err.message().starts_with(&format!("{ORIGIN}:{line}: ")),
        "line {line}: {err}"
    );
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_is_a_replay_or_refused(text in "(\\PC{0,30}\n){0,5}|.{0,60}") {
        if let Err(err) = Replay::parse(ORIGIN, &text) {
            prop_assert_eq!(err.kind(), ErrorKind::InvalidInput);
            prop_assert!(err.message().starts_with(ORIGIN) || err.message().contains("empty"), "{}", err);
        }
    }

    #[test]
    fn any_json_lines_are_a_replay_or_refused(values in prop::collection::vec(json(), 1..4)) {
        let text: String = values.iter().map(|v| format!("{v}\n")).collect();
        if let Err(err) = Replay::parse(ORIGIN, &text) {
            prop_assert_eq!(err.kind(), ErrorKind::InvalidInput);
        }
    }

    #[test]
    fn one_absurd_field_of_a_recorded_line_is_refused_at_its_line(
        which in any::<prop::sample::Index>(),
        line in any::<prop::sample::Index>(),
        key in prop::sample::select(&["time", "port", "op", "args", "answer", "unknown"][..]),
        bad in absurd(),
    ) {
        let all = trace_lines();
        let mut lines = all[which.index(all.len())].clone();
        let n = line.index(lines.len());
        let record = &mut lines[n];
        let start = record["port"] == "trace" && record["op"] == "start";
        // Free text and any answer are a record's to carry, and any arguments but a start's.
        let harmless = match key {
            "port" | "op" => bad.is_string(),
            "answer" => true,
            "args" => !start,
            _ => false,
        };
        prop_assume!(!harmless);
        record[key] = bad;
        let text: String = lines.iter().map(|v| format!("{v}\n")).collect();
        if key == "args" {
            let err = Replay::parse(ORIGIN, &text).expect_err("a start that is not one");
            prop_assert!(err.message().contains(&format!("record {}: `trace.start`", n + 1)), "{}", err);
        } else {
            refused_at(&text, n + 1);
        }
    }
}

#[test]
fn every_recorded_trace_is_read() {
    for text in traces() {
        Replay::parse(ORIGIN, text).unwrap();
    }
}

#[test]
fn a_start_line_that_is_not_a_start_is_refused() {
    let text = traces()[0].clone();
    let mut lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    lines[0]["args"]["tick"] = Value::from(-1);
    let text: String = lines.iter().map(|v| format!("{v}\n")).collect();
    let err = Replay::parse(ORIGIN, &text).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("record 1: `trace.start`"), "{err}");
}
