//! Property tests of the parsers of outside data in this crate, built into its unit tests (so
//! that they reach the wire types the providers decode): any text, bytes or JSON is refused
//! with a typed error naming the field or the line, never a panic, and an absurd value is
//! never taken. One configuration for all ([`config`]): a fixed seed, no failure files,
//! `CATO_PROPTEST_CASES` cases.

#[cfg(feature = "cato-api")]
mod admin_api;
#[cfg(feature = "config")]
mod config;
#[cfg(feature = "pagerduty")]
mod pagerduty_answer;
#[cfg(feature = "redis")]
mod redis_info;
#[cfg(feature = "sendgrid")]
mod sendgrid_scopes;
#[cfg(feature = "slack")]
mod slack_answer;
#[cfg(feature = "slack")]
mod slack_auth;
#[cfg(feature = "slack")]
mod slack_channels;
#[cfg(feature = "slack")]
mod slack_history;
#[cfg(feature = "pagerduty")]
mod webhook;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use serde_json::Value;

/// Cases per property when `CATO_PROPTEST_CASES` is unset: fast in a debug build.
const DEFAULT_CASES: u32 = 256;

/// The seed of every property: a failure is the same failure on every machine.
const SEED: u64 = 0x0ca7_0913_cbab_422f;

/// A fixed seed, no failure files written into the repository, `CATO_PROPTEST_CASES` cases
/// (default [`DEFAULT_CASES`]).
pub(crate) fn config() -> Config {
    let cases = match std::env::var("CATO_PROPTEST_CASES") {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("CATO_PROPTEST_CASES={text:?} is not a count")),
        Err(_) => DEFAULT_CASES,
    };
    let mut config = Config::with_cases(cases);
    config.rng_seed = RngSeed::Fixed(SEED);
    config.failure_persistence = None;
    // A property that skips a few cases (`prop_assume!`) must not give up on a long run.
    config.max_global_rejects = config.max_global_rejects.max(cases);
    config
}

/// Any JSON value, nested a few levels: structured garbage reaches past the first `{`.
pub(crate) fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Any JSON object whose keys are mostly `keys` (the fields a parser reads), with any values:
/// garbage that reaches past the first field.
#[cfg_attr(
    not(any(feature = "pagerduty", feature = "sendgrid", feature = "slack")),
    allow(dead_code)
)]
pub(crate) fn object_of(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        prop::sample::select(keys).prop_map(str::to_owned),
        "[a-z_]{1,10}",
    ];
    prop::collection::btree_map(key, json(), 0..6)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

/// A struct's field as serde reads it: by `name` from an object, by `position` from an array
/// (serde takes a struct from an array of its fields in order too; the same checks apply).
#[cfg_attr(
    not(any(feature = "pagerduty", feature = "sendgrid")),
    allow(dead_code)
)]
pub(crate) fn field<'a>(value: &'a Value, name: &str, position: usize) -> &'a Value {
    match value {
        Value::Array(fields) => fields.get(position).unwrap_or(&Value::Null),
        _ => &value[name],
    }
}

/// The value at `path` in `value`: object keys, and array indexes written as numbers.
#[cfg_attr(not(any(feature = "pagerduty", feature = "slack")), allow(dead_code))]
pub(crate) fn at<'a>(value: &'a mut Value, path: &[&str]) -> &'a mut Value {
    path.iter()
        .fold(value, |v, key| match key.parse::<usize>() {
            Ok(i) => &mut v[i],
            Err(_) => &mut v[*key],
        })
}

/// An object key: mostly names the parsers know, some garbage.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(
            &[
                "time",
                "port",
                "op",
                "args",
                "answer",
                "error",
                "kind",
                "retry",
                "operation",
                "message",
                "provider",
                "resource",
                "runbooks",
                "policy",
                "tick",
                "source",
            ][..]
        )
        .prop_map(str::to_owned),
        "[a-z_]{1,10}",
    ]
}

/// A value no field should take: NaN and infinities (as JSON can carry them: huge numbers),
/// extremes, huge strings, the wrong type.
#[cfg_attr(
    not(any(
        feature = "cato-api",
        feature = "pagerduty",
        feature = "sendgrid",
        feature = "slack"
    )),
    allow(dead_code)
)]
pub(crate) fn absurd() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::from(u64::MAX)),
        Just(Value::from(i64::MIN)),
        Just(Value::from(-1)),
        Just(Value::from(f64::MAX)),
        Just(Value::from(-f64::MAX)),
        Just(Value::Null),
        Just(Value::Bool(true)),
        Just(Value::Array(vec![])),
        Just(serde_json::json!({"nested": {"deeper": []}})),
        "\\PC{0,8}".prop_map(|s| Value::String(s.repeat(4096))),
    ]
}
