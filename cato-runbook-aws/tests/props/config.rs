//! `Config::parse`: the text of `cato.toml`. Every key of the default file (and the optional
//! amounts it leaves out) is set in turn to an absurd value, `i64::MAX` included: every number
//! has a ceiling.

use std::sync::LazyLock;

use proptest::prelude::*;
use toml::{Table, Value};

use super::config;
use crate::config::{Config, ConfigError};

const ORIGIN: &str = "cato.toml";

/// Keys a default file leaves out (they are `None`), with a sound value each.
const OPTIONAL: [(&str, f64); 13] = [
    ("policy.caps.max_monthly_spend_usd", 5000.0),
    ("policy.caps.max_instances", 8.0),
    ("policy.caps.max_replicas", 20.0),
    ("postmortem.revenue_per_minute_usd", 120.0),
    ("policy.prices.pod_hourly_usd", 0.5),
    ("policy.prices.dynamodb.usd_per_million_reads", 0.25),
    ("policy.prices.dynamodb.usd_per_million_writes", 1.25),
    ("policy.prices.dynamodb.usd_per_rcu_hour", 0.0002),
    ("policy.prices.dynamodb.usd_per_wcu_hour", 0.0007),
    ("runbooks.high-latency.shadow_self.instance_hourly_usd", 7.0),
    ("runbooks.high-latency.orchestrator.replica_hourly_usd", 0.4),
    ("runbooks.high-latency.shadow_self.max_instances", 40.0),
    ("runbooks.failover.weight", 0.5),
];

/// The default file as a table (made once, a copy for each case).
fn default_table() -> Table {
    static DEFAULT: LazyLock<Table> = LazyLock::new(|| {
        let text = toml::to_string(&Config::default()).unwrap();
        text.parse::<Table>().unwrap()
    });
    DEFAULT.clone()
}

/// Every leaf of `table` by dotted path (arrays are leaves).
fn leaves(table: &Table, prefix: &str, out: &mut Vec<(String, Value)>) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::Table(inner) => leaves(inner, &path, out),
            leaf => out.push((path, leaf.clone())),
        }
    }
}

fn all_leaves() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    leaves(&default_table(), "", &mut out);
    for (path, sound) in OPTIONAL {
        let value = if path.contains("max_") {
            Value::Integer(sound as i64)
        } else {
            Value::Float(sound)
        };
        out.push((path.to_owned(), value));
    }
    out
}

fn set(table: &mut Table, path: &str, value: Value) {
    let mut keys: Vec<&str> = path.split('.').collect();
    let last = keys.pop().unwrap();
    let mut at = table;
    for key in keys {
        at = at
            .entry(key)
            .or_insert_with(|| Value::Table(Table::new()))
            .as_table_mut()
            .unwrap();
    }
    at.insert(last.to_owned(), value);
}

/// A value no key should take: every number has an upper bound (a share, a rate, a
/// percentage, a count, a threshold, an amount, a factor, a limit), so `i64::MAX` included.
fn absurd() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Float(f64::NAN)),
        Just(Value::Float(f64::INFINITY)),
        Just(Value::Float(f64::NEG_INFINITY)),
        Just(Value::Float(-1.5)),
        Just(Value::Integer(-1)),
        Just(Value::Integer(i64::MAX)),
        Just(Value::Integer(i64::MIN)),
        Just(Value::Array(vec![Value::Table(Table::new())])),
        Just(Value::Table(Table::new())),
    ]
}

/// Refused naming the key (its last part), the line it is on, or the line of its table's
/// header or its own (where `toml` places an error of a table as a whole).
fn refused_naming(text: &str, path: &str) -> String {
    let ConfigError::Invalid(why) = Config::parse(text, ORIGIN).expect_err(path) else {
        panic!("{path}: not Invalid");
    };
    let (table, key) = path.rsplit_once('.').unwrap_or(("", path));
    let headers = [
        format!("[{table}]"),
        format!("[{path}]"),
        format!("[[{path}]]"),
    ];
    let names_line = text.lines().enumerate().any(|(n, l)| {
        let l = l.trim_start();
        (l.starts_with(&format!("{key} ")) || headers.iter().any(|h| h == l))
            && why.contains(&format!("{ORIGIN}:{}:", n + 1))
    });
    assert!(why.contains(key) || names_line, "{path}: {why}\n{text}");
    why
}

/// Any TOML value, a few levels deep, under keys the file knows.
fn toml_value(keys: Vec<String>) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(Value::Boolean),
        any::<i64>().prop_map(Value::Integer),
        any::<f64>().prop_map(Value::Float),
        ".{0,10}".prop_map(Value::String),
        Just(Value::String("30s".into())),
    ];
    leaf.prop_recursive(3, 24, 5, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(prop::sample::select(keys.clone()), inner, 0..5)
                .prop_map(|m| Value::Table(m.into_iter().collect())),
        ]
    })
}

fn known_keys() -> Vec<String> {
    let mut keys: Vec<String> = all_leaves()
        .iter()
        .flat_map(|(p, _)| p.split('.').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_is_a_config_or_refused_naming_the_file(text in "(\\PC{0,40}\n){0,6}|.{0,80}") {
        match Config::parse(&text, ORIGIN) {
            Ok(_) => {}
            Err(ConfigError::Invalid(why)) => prop_assert!(why.starts_with(ORIGIN), "{}", why),
            Err(other) => prop_assert!(false, "{}", other),
        }
    }

    #[test]
    fn any_toml_document_is_a_sound_config_or_refused(value in toml_value(known_keys())) {
        let Value::Table(table) = value else { return Ok(()) };
        let Ok(text) = toml::to_string(&table) else { return Ok(()) };
        if let Err(err) = Config::parse(&text, ORIGIN) {
            prop_assert!(matches!(err, ConfigError::Invalid(ref why) if why.starts_with(ORIGIN)), "{}", err);
        }
    }

    #[test]
    fn one_absurd_value_is_refused_naming_its_key(
        leaf in prop::sample::select(all_leaves()),
        bad in absurd(),
    ) {
        let (path, _) = leaf;
        let mut table = default_table();
        set(&mut table, &path, bad);
        let text = toml::to_string(&table).unwrap();
        refused_naming(&text, &path);
    }

    #[test]
    fn an_unknown_key_is_refused_naming_it(
        leaf in prop::sample::select(all_leaves()),
        name in "[a-z]{3,8}_unknown",
    ) {
        let (path, _) = leaf;
        let table_path = path.rsplit_once('.').map_or(String::new(), |(t, _)| format!("{t}."));
        let mut table = default_table();
        set(&mut table, &format!("{table_path}{name}"), Value::Integer(1));
        let text = toml::to_string(&table).unwrap();
        refused_naming(&text, &format!("{table_path}{name}"));
    }
}

#[test]
fn the_default_file_and_every_sound_optional_amount_are_taken() {
    let mut table = default_table();
    for (path, value) in all_leaves() {
        set(&mut table, &path, value);
    }
    let text = toml::to_string(&table).unwrap();
    Config::parse(&text, ORIGIN).unwrap();
}

#[test]
fn every_key_refuses_every_absurd_value() {
    let absurd = [
        Value::Float(f64::NAN),
        Value::Float(f64::INFINITY),
        Value::Float(f64::NEG_INFINITY),
        Value::Float(-1.5),
        Value::Integer(-1),
        Value::Integer(i64::MIN),
        Value::Integer(i64::MAX),
    ];
    let mut taken = Vec::new();
    for (path, _) in all_leaves() {
        for bad in &absurd {
            let mut table = default_table();
            set(&mut table, &path, bad.clone());
            let text = toml::to_string(&table).unwrap();
            if Config::parse(&text, ORIGIN).is_ok() {
                taken.push(format!("{path} = {bad}"));
            }
        }
    }
    assert!(taken.is_empty(), "taken:\n{}", taken.join("\n"));
}

#[test]
fn nan_in_a_runbook_or_the_postmortem_is_refused_naming_the_key() {
    for (key, why) in [
        (
            "runbooks.budget-exceeded.first_five_minutes.dashboard.max_error_rate",
            "runbooks.budget-exceeded.first_five_minutes.dashboard.max_error_rate",
        ),
        ("runbooks.failover.weight", "runbooks.failover.weight"),
        (
            "postmortem.revenue_per_minute_usd",
            "postmortem.revenue_per_minute_usd",
        ),
        ("runbooks.bedrock-throttling.quota.desired", "quota.desired"),
        (
            "runbooks.high-latency.cache.hit_rate_floor_percent",
            "hit_rate_floor_percent",
        ),
    ] {
        let mut table = default_table();
        set(&mut table, key, Value::Float(f64::NAN));
        let text = toml::to_string(&table).unwrap();
        let err = Config::parse(&text, ORIGIN).unwrap_err().to_string();
        assert!(err.contains(why), "{key}: {err}");
    }
}
