//! `trace::parse_jsonl`: a recorded trace, one JSON record a line.

use cato_runbook_core::ErrorKind;
use cato_runbook_core::trace::{TraceRecord, parse_jsonl, to_jsonl};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::support::{absurd, config, json};

const ORIGIN: &str = "run.jsonl";

/// A sound record of a port call.
fn record(n: u32) -> Value {
    json!({
        "time": format!("2026-03-10T00:{:02}:00Z", n % 60),
        "port": "endpoint",
        "op": "describe",
        "args": {"endpoint": format!("cato-shadow-self-{n}")},
        "answer": {"name": "cato-shadow-self", "variants": []},
    })
}

/// A sound failed call.
fn failed(n: u32) -> Value {
    json!({
        "time": "2026-03-10T00:00:00Z",
        "port": "cache",
        "op": "counters",
        "args": {},
        "error": {
            "kind": "unavailable",
            "retry": "transient",
            "operation": format!("INFO stats {n}"),
            "message": "connection refused",
        },
    })
}

/// Refused as `InvalidInput` naming the origin and the 1-based `line`.
fn refused_at(text: &str, line: usize) {
    let err = parse_jsonl(ORIGIN, text).expect_err(text);
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(
        err.message().starts_with(&format!("{ORIGIN}:{line}: ")),
        "line {line}: {err}"
    );
}

/// Where a sound record is made absurd: a required key, a nested key, or a new key (`reply`
/// removes the answer or the error).
#[derive(Debug, Clone)]
enum Mutation {
    Set(&'static [&'static str], Value),
    Remove(&'static str),
}

/// The fields a mutation sets.
const PATHS: &[&[&str]] = &[
    &["time"],
    &["port"],
    &["op"],
    &["error", "kind"],
    &["error", "retry"],
    &["error", "operation"],
    &["error", "message"],
    &["error", "unknown"],
    &["unknown"],
];

fn mutation() -> impl Strategy<Value = Mutation> {
    let path = prop::sample::select(PATHS);
    prop_oneof![
        (path, absurd()).prop_map(|(p, v)| Mutation::Set(p, v)),
        prop::sample::select(&["time", "port", "op", "args", "reply"][..])
            .prop_map(Mutation::Remove),
    ]
}

fn apply(mut value: Value, mutation: &Mutation) -> Value {
    match mutation {
        Mutation::Remove(key) => {
            if let Some(object) = value.as_object_mut() {
                let keys: &[&str] = if *key == "reply" {
                    &["answer", "error"]
                } else {
                    &[key]
                };
                for key in keys {
                    object.remove(*key);
                }
            }
        }
        Mutation::Set(path, new) => {
            let mut at = &mut value;
            for key in &path[..path.len() - 1] {
                at = &mut at[*key];
            }
            at[path[path.len() - 1]] = new.clone();
        }
    }
    value
}

/// Whether `new` is a value the field may take (the mutation left the record sound).
fn harmless(mutation: &Mutation) -> bool {
    match mutation {
        // Strings are free text.
        Mutation::Set(path, Value::String(_)) => {
            matches!(
                **path,
                ["port"] | ["op"] | ["error", "operation"] | ["error", "message"]
            )
        }
        _ => false,
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_parses_or_is_refused_naming_a_line(text in "(\\PC{0,30}\n){0,5}|.{0,60}") {
        if let Err(err) = parse_jsonl(ORIGIN, &text) {
            prop_assert_eq!(err.kind(), ErrorKind::InvalidInput);
            let lines = text.lines().count().max(1);
            let named = (1..=lines).any(|n| err.message().starts_with(&format!("{ORIGIN}:{n}: ")));
            prop_assert!(named, "{}", err);
        }
    }

    #[test]
    fn any_json_line_parses_or_is_refused_naming_its_line(
        values in prop::collection::vec(json(), 1..4),
    ) {
        let text: String = values.iter().map(|v| format!("{v}\n")).collect();
        match parse_jsonl(ORIGIN, &text) {
            Ok(records) => prop_assert_eq!(records.len(), values.len()),
            Err(err) => {
                prop_assert_eq!(err.kind(), ErrorKind::InvalidInput);
                let first_bad = values
                    .iter()
                    .position(|v| serde_json::from_value::<TraceRecord>(v.clone()).is_err())
                    .map_or(0, |i| i + 1);
                prop_assert!(err.message().starts_with(&format!("{ORIGIN}:{first_bad}: ")), "{}", err);
            }
        }
    }

    #[test]
    fn a_record_with_one_absurd_field_is_refused_at_its_line(
        before in 0u32..4,
        which in any::<bool>(),
        mutation in mutation(),
    ) {
        let mut lines: Vec<Value> = (0..before).map(record).collect();
        let sound = if which { failed(before) } else { record(before) };
        let sound = if matches!(&mutation, Mutation::Set(p, _) if p[0] == "error") { failed(before) } else { sound };
        lines.push(apply(sound, &mutation));
        lines.push(record(99));
        let text: String = lines.iter().map(|v| format!("{v}\n")).collect();
        if harmless(&mutation) {
            let records = parse_jsonl(ORIGIN, &text).unwrap();
            prop_assert_eq!(records.len(), lines.len());
        } else {
            refused_at(&text, before as usize + 1);
        }
    }

    #[test]
    fn sound_records_round_trip(n in 0u32..1000, blank in "[ \t]{0,3}") {
        let text = format!("{}\n{blank}\n{}\n", record(n), failed(n));
        let records = parse_jsonl(ORIGIN, &text).unwrap();
        prop_assert_eq!(parse_jsonl(ORIGIN, &to_jsonl(&records)).unwrap(), records);
    }
}
