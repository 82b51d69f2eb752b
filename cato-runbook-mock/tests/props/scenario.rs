//! `Scenario::from_toml`: a game-day scenario file. Every scenario of `scenarios/` is a sound
//! document; each of its values is set in turn to an absurd one.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use cato_runbook_mock::gameday::{Scenario, ScenarioError};
use proptest::prelude::*;
use toml::{Table, Value};

use crate::support::config;

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios")
}

/// Every scenario file: its path and its text, read once for every case.
fn scenarios() -> &'static [(PathBuf, String)] {
    static SCENARIOS: LazyLock<Vec<(PathBuf, String)>> = LazyLock::new(|| {
        let mut out: Vec<(PathBuf, String)> = std::fs::read_dir(scenarios_dir())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                (p, text)
            })
            .collect();
        out.sort();
        out
    });
    &SCENARIOS
}

/// Every scenario file as a TOML document, parsed once.
fn documents() -> &'static [Value] {
    static DOCS: LazyLock<Vec<Value>> = LazyLock::new(|| {
        scenarios()
            .iter()
            .map(|(_, text)| Value::Table(text.parse::<Table>().unwrap()))
            .collect()
    });
    &DOCS
}

/// A step into a document: a key of a table or an index of an array.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// Every leaf of `value` (strings, numbers, booleans, datetimes) by its steps.
fn leaves(value: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match value {
        Value::Table(t) => {
            for (k, v) in t {
                at.push(Step::Key(k.clone()));
                leaves(v, at, out);
                at.pop();
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                at.push(Step::Index(i));
                leaves(v, at, out);
                at.pop();
            }
        }
        _ => out.push(at.clone()),
    }
}

fn slot<'a>(value: &'a mut Value, steps: &[Step]) -> &'a mut Value {
    steps.iter().fold(value, |v, step| match step {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

/// The last key on the way to a leaf (the field an error names).
fn field(steps: &[Step]) -> &str {
    steps
        .iter()
        .rev()
        .find_map(|s| match s {
            Step::Key(k) => Some(k.as_str()),
            Step::Index(_) => None,
        })
        .unwrap_or("")
}

/// Whether the leaf is inside an `args` table: the arguments an expectation matches a call
/// against, free-form (any value is a value to match).
fn free_form(steps: &[Step]) -> bool {
    steps
        .iter()
        .any(|s| matches!(s, Step::Key(k) if k == "args"))
}

/// Every (scenario, leaf) pair outside the free-form tables.
fn cases() -> Vec<(usize, Vec<Step>)> {
    documents()
        .iter()
        .enumerate()
        .flat_map(|(n, doc)| {
            let mut out = Vec::new();
            leaves(doc, &mut Vec::new(), &mut out);
            out.into_iter()
                .filter(|steps| !free_form(steps))
                .map(move |steps| (n, steps))
        })
        .collect()
}

/// Values no field of a scenario takes.
fn absurd() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Float(f64::NAN)),
        Just(Value::Float(f64::INFINITY)),
        Just(Value::Float(f64::NEG_INFINITY)),
        Just(Value::Float(-1.5)),
        Just(Value::Integer(-1)),
        Just(Value::Integer(i64::MIN)),
        Just(Value::Array(vec![Value::Boolean(true)])),
        Just(Value::Table(Table::new())),
    ]
}

/// The error names the file and either the field or a line.
fn names_place(err: &ScenarioError, file: &Path, field: &str) -> bool {
    err.file() == file && (err.field().is_some_and(|f| f.contains(field)) || err.line().is_some())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_is_a_scenario_or_refused_naming_the_file(text in "(\\PC{0,40}\n){0,6}|.{0,80}") {
        let file = Path::new("scenarios/any.toml");
        if let Err(err) = Scenario::from_toml(file, &text) {
            prop_assert_eq!(err.file(), file);
            prop_assert!(err.to_string().starts_with("scenarios/any.toml"), "{}", err);
        }
    }

    #[test]
    fn a_line_of_garbage_in_a_sound_scenario_is_refused_at_its_line(
        which in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        garbage in "[^\n]{1,40}",
    ) {
        let all = scenarios();
        let (file, text) = &all[which.index(all.len())];
        let mut lines: Vec<&str> = text.lines().collect();
        let n = at.index(lines.len() + 1);
        // Inside a multi-line string a line of garbage is text, and taken.
        let quotes: usize = lines[..n].iter().map(|l| l.matches("\"\"\"").count() + l.matches("'''").count()).sum();
        prop_assume!(quotes.is_multiple_of(2));
        let line = format!("= {garbage}");
        lines.insert(n, &line);
        let err = Scenario::from_toml(file, &lines.join("\n")).expect_err(&line);
        prop_assert!(err.line().is_some(), "{}", err);
    }

    #[test]
    fn one_absurd_value_is_refused_naming_its_field_or_line(
        case in prop::sample::select(cases()),
        bad in absurd(),
    ) {
        let file = &scenarios()[case.0].0;
        let mut doc = documents()[case.0].clone();
        let sound = slot(&mut doc, &case.1).clone();
        prop_assume!(std::mem::discriminant(&sound) != std::mem::discriminant(&bad) || sound.is_float() || sound.is_integer());
        *slot(&mut doc, &case.1) = bad.clone();
        let mutated = toml::to_string(&doc).unwrap();
        let name = field(&case.1);
        match Scenario::from_toml(file, &mutated) {
            Err(err) => prop_assert!(names_place(&err, file, name), "{}: {}", name, err),
            Ok(_) => prop_assert!(false, "{} = {} taken in {}", name, bad, file.display()),
        }
    }

    #[test]
    fn an_unknown_key_is_refused_naming_it(
        case in prop::sample::select(cases()),
        key in "[a-z]{3,8}_unknown",
    ) {
        let file = &scenarios()[case.0].0;
        let mut doc = documents()[case.0].clone();
        let steps = &case.1[..case.1.len() - 1];
        let Some(table) = slot(&mut doc, steps).as_table_mut() else { return Ok(()) };
        table.insert(key.clone(), Value::Integer(1));
        let mutated = toml::to_string(&doc).unwrap();
        let err = Scenario::from_toml(file, &mutated).expect_err(&key);
        prop_assert!(names_place(&err, file, &key), "{}: {}", key, err);
    }
}

/// A scenario whose line `key = …` (a key some scenario sets) reads `key = value` instead: its
/// file, and the changed text.
fn with_value(key: &str, value: &str) -> (&'static Path, String) {
    let (file, text) = scenarios()
        .iter()
        .find(|(_, t)| t.contains(&format!("\n{key} = ")))
        .unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{key} = ")))
        .unwrap();
    (file, text.replace(line, &format!("{key} = {value}")))
}

#[test]
fn every_scenario_is_sound() {
    for (file, text) in scenarios() {
        Scenario::from_toml(file, text).unwrap();
    }
}

#[test]
fn an_event_with_a_key_its_change_lacks_or_a_nan_is_refused_naming_it() {
    let (file, text) = scenarios()
        .iter()
        .find(|(_, t)| t.contains("change = \"spend_reaches_limit\""))
        .unwrap();
    let with_key = text.replace(
        "change = \"spend_reaches_limit\"",
        "change = \"spend_reaches_limit\"\nspend = 12",
    );
    let err = Scenario::from_toml(file, &with_key).unwrap_err();
    assert_eq!(err.field(), Some("spend"), "{err}");
    let (file, nan) = with_value("per_minute", "nan");
    let err = Scenario::from_toml(file, &nan).unwrap_err();
    assert_eq!(err.field(), Some("per_minute"), "{err}");
    assert!(err.line().is_some(), "{err}");
}

/// Found by the million-case run: a fault of a kind without fields took any key beside `kind`
/// (serde ignores them beside an internally tagged unit variant), and the world's Bedrock
/// retry time took NaN.
#[test]
fn a_key_beside_a_fieldless_fault_and_a_nan_retry_time_are_refused_naming_them() {
    let (file, text) = scenarios()
        .iter()
        .find(|(_, t)| t.contains("fault = { kind = \"hang\" }"))
        .unwrap();
    let with_key = text.replace(
        "fault = { kind = \"hang\" }",
        "fault = { kind = \"hang\", aaa_unknown = 1 }",
    );
    let err = Scenario::from_toml(file, &with_key).unwrap_err();
    assert!(names_place(&err, file, "aaa_unknown"), "{err}");
    assert!(err.to_string().contains("aaa_unknown"), "{err}");

    let (file, nan) = with_value("throttle_retry_ms", "nan");
    let err = Scenario::from_toml(file, &nan).unwrap_err();
    assert!(err.to_string().contains("throttle_retry_ms"), "{err}");
}

/// Found by the million-case run: a scenario's policy was checked only when its engine was
/// built, so a NaN approval threshold loaded, and the error, when it came, had no line.
#[test]
fn a_nan_or_unknown_name_in_the_policy_is_refused_at_its_line() {
    let (file, nan) = with_value("monthly_cost_above_usd", "nan");
    let err = Scenario::from_toml(file, &nan).unwrap_err();
    assert_eq!(
        err.field(),
        Some("policy.approval.monthly_cost_above_usd"),
        "{err}"
    );
    let at = err.line().unwrap();
    assert_eq!(
        nan.lines().nth(at - 1),
        Some("monthly_cost_above_usd = nan"),
        "{err}"
    );
    let (_, text) = scenarios().iter().find(|(f, _)| f == file).unwrap();
    let typo = text.replace(
        "[policy.runbook_modes]",
        "[policy.runbook_modes]\nshadow-self-dwn = \"auto\"",
    );
    let err = Scenario::from_toml(file, &typo).unwrap_err();
    assert!(err.to_string().contains("shadow-self-dwn"), "{err}");
    assert!(err.line().is_some(), "{err}");
}
