//! The admin API's JSON: `GET …/budget/status` and `GET …/traffic/status`, decoded as the
//! provider decodes them (`http::transport::decode_json`) and checked as every answer is
//! (`ports::check`). The documented rule: an amount is finite and not negative (any such
//! value is taken as sent), a share is within 0..=1; unknown keys are ignored.

use cato_runbook_core::ports::{BudgetStatus, TrafficState, check};
use proptest::prelude::*;
use serde_json::{Value, json};

use super::{absurd, config, json};
use crate::cato_api::wire::{BudgetStatusBody, TrafficStatusBody};
use crate::http::transport::decode_json;

/// Decoded and checked, or the error's text.
fn budget(bytes: &[u8]) -> Result<BudgetStatus, String> {
    let body: BudgetStatusBody = decode_json(bytes)?;
    check("budget.status", BudgetStatus::from(body)).map_err(|e| e.to_string())
}

fn traffic(bytes: &[u8]) -> Result<TrafficState, String> {
    let body: TrafficStatusBody = decode_json(bytes)?;
    check("traffic.state", TrafficState::from(body)).map_err(|e| e.to_string())
}

fn sound_budget() -> Value {
    json!({"mode": "WARNING", "spent": 812.5, "monthlyLimit": 1000, "nextReset": "2026-04-01T00:00:00Z", "curiosityEnabled": true})
}

fn sound_traffic() -> Value {
    json!({"shadowSelfShare": 0.3, "cacheSimilarityThreshold": 0.92, "emergencyMode": false, "regions": {"us-east-1": 1.0, "us-west-2": 0.0}})
}

/// The checked fields' names as the wire and the port spell them.
const BUDGET_FIELDS: [(&str, &str); 5] = [
    ("mode", "mode"),
    ("spent", "spent_usd"),
    ("monthlyLimit", "monthly_limit_usd"),
    ("nextReset", "nextReset"),
    ("curiosityEnabled", "curiosityEnabled"),
];
const TRAFFIC_FIELDS: [(&str, &str); 4] = [
    ("shadowSelfShare", "shadow_self_share"),
    ("cacheSimilarityThreshold", "cache_similarity_threshold"),
    ("emergencyMode", "emergencyMode"),
    ("regions", "regions"),
];

/// An amount no API sends: negative, past a finite double, NaN, infinite, null.
fn absurd_amount() -> impl Strategy<Value = String> {
    prop_oneof![
        (1e-9f64..1e300).prop_map(|v| format!("-{v}")),
        prop::sample::select(
            &[
                "1e400",
                "-1e400",
                "NaN",
                "Infinity",
                "-Infinity",
                "null",
                "\"12\""
            ][..]
        )
        .prop_map(str::to_owned),
    ]
}

/// A share no API sends: an absurd amount, or past 1.
fn absurd_share() -> impl Strategy<Value = String> {
    prop_oneof![
        absurd_amount(),
        (1.000_001f64..1e300).prop_map(|v| v.to_string())
    ]
}

/// A sound body with `key` set to the raw JSON text `raw`.
fn with_raw(sound: Value, key: &str, raw: &str) -> Vec<u8> {
    let mut body = sound;
    body[key] = json!("\u{0}placeholder");
    body.to_string()
        .replace("\"\\u0000placeholder\"", raw)
        .into_bytes()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_are_decoded_or_refused(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = budget(&bytes);
        let _ = traffic(&bytes);
    }

    #[test]
    fn any_json_is_decoded_into_a_sound_answer_or_refused(value in json()) {
        let bytes = value.to_string().into_bytes();
        if let Ok(status) = budget(&bytes) {
            prop_assert!(status.spent_usd.is_finite() && status.spent_usd >= 0.0);
            prop_assert!(status.monthly_limit_usd.is_finite() && status.monthly_limit_usd >= 0.0);
        }
        if let Ok(state) = traffic(&bytes) {
            prop_assert!((0.0..=1.0).contains(&state.shadow_self_share));
            prop_assert!((0.0..=1.0).contains(&state.cache_similarity_threshold));
        }
    }

    #[test]
    fn one_absurd_budget_field_is_refused_naming_it_unless_an_amount_may_take_it(
        which in 0usize..5,
        bad in absurd(),
    ) {
        prop_assume!(!(which == 4 && bad.is_boolean()));
        let (wire, port) = BUDGET_FIELDS[which];
        let mut body = sound_budget();
        body[wire] = bad.clone();
        let amount_may = which == 1 || which == 2;
        match budget(body.to_string().as_bytes()) {
            Ok(status) => {
                let taken = if which == 1 { status.spent_usd } else { status.monthly_limit_usd };
                prop_assert!(amount_may && bad.as_f64() == Some(taken), "{}: {:?}", wire, bad);
                prop_assert!(taken.is_finite() && taken >= 0.0);
            }
            Err(err) => prop_assert!(err.contains(&format!("`{wire}`")) || err.contains(port), "{}: {}", wire, err),
        }
    }

    #[test]
    fn an_amount_out_of_range_is_refused_naming_it(which in 1usize..3, raw in absurd_amount()) {
        let (wire, port) = BUDGET_FIELDS[which];
        let err = budget(&with_raw(sound_budget(), wire, &raw)).expect_err(&raw);
        prop_assert!(err.contains(port) || err.contains(&format!("`{wire}`")), "{}: {}", raw, err);
    }

    #[test]
    fn a_share_out_of_range_is_refused_naming_it(which in 0usize..2, raw in absurd_share()) {
        let (wire, port) = TRAFFIC_FIELDS[which];
        let err = traffic(&with_raw(sound_traffic(), wire, &raw)).expect_err(&raw);
        prop_assert!(err.contains(port) || err.contains(&format!("`{wire}`")), "{}: {}", raw, err);
    }

    #[test]
    fn a_region_share_out_of_range_is_refused(raw in absurd_share()) {
        let mut body = sound_traffic();
        body["regions"]["us-west-2"] = json!("\u{0}placeholder");
        let bytes = body.to_string().replace("\"\\u0000placeholder\"", &raw);
        let err = traffic(bytes.as_bytes()).expect_err(&raw);
        prop_assert!(err.contains("regions"), "{}: {}", raw, err);
    }

    #[test]
    fn a_missing_field_is_refused_naming_it(which in 0usize..5) {
        let (wire, _) = BUDGET_FIELDS[which];
        let mut body = sound_budget();
        body.as_object_mut().unwrap().remove(wire);
        let err = budget(body.to_string().as_bytes()).expect_err(wire);
        prop_assert!(err.contains(&format!("missing field `{wire}`")), "{}", err);
    }

    #[test]
    fn unknown_keys_are_ignored(key in "[a-z]{1,8}Extra", value in json()) {
        let mut body = sound_budget();
        body[key.as_str()] = value;
        prop_assert!(budget(body.to_string().as_bytes()).is_ok());
    }
}

#[test]
fn sound_bodies_are_read() {
    assert_eq!(
        budget(sound_budget().to_string().as_bytes())
            .unwrap()
            .monthly_limit_usd,
        1000.0
    );
    assert_eq!(
        traffic(sound_traffic().to_string().as_bytes())
            .unwrap()
            .shadow_self_share,
        0.3
    );
}
