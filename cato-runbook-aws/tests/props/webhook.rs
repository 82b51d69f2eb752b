//! The PagerDuty v3 webhook body, as the service parses it (`pagerduty::webhook::parse`).

use cato_runbook_core::ports::MAX_TEXT;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::{absurd, at, config, json};
use crate::pagerduty::webhook::{EventKind, Malformed, parse};

fn sound() -> Value {
    json!({"event": {
        "id": "01DEN", "event_type": "incident.acknowledged", "resource_type": "incident",
        "occurred_at": "2026-03-10T00:00:00Z",
        "agent": {"summary": "Alice", "type": "user_reference"},
        "data": {"id": "Q1ABC", "type": "incident", "incident_key": "cato-budget-7"},
    }})
}

/// Every string field the parser reads, and whether it is required.
const FIELDS: [(&[&str], bool); 5] = [
    (&["event", "id"], true),
    (&["event", "event_type"], true),
    (&["event", "data", "incident_key"], false),
    (&["event", "data", "id"], false),
    (&["event", "agent", "summary"], false),
];

fn malformed(body: &[u8]) -> String {
    match parse(body) {
        Err(Malformed(why)) => why,
        other => panic!("{other:?}"),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_are_parsed_or_malformed(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if parse(&bytes).is_err() {
            malformed(&bytes);
        }
    }

    #[test]
    fn any_json_is_an_event_with_an_id_and_a_type_or_malformed(value in json()) {
        let body = value.to_string().into_bytes();
        match parse(&body) {
            Ok(event) => {
                prop_assert!(!event.id.is_empty());
                if let EventKind::Other(kind) = event.kind {
                    prop_assert!(!kind.is_empty());
                }
            }
            Err(_) => { malformed(&body); }
        }
    }

    #[test]
    fn a_field_of_the_wrong_type_is_malformed_naming_it(which in 0usize..5, bad in absurd()) {
        let (path, required) = FIELDS[which];
        let mut body = sound();
        *at(&mut body, path) = bad.clone();
        let name = path.join(".");
        match parse(body.to_string().as_bytes()) {
            Ok(event) => {
                // Null is an absent field; a short text is a text.
                let short_text = bad.as_str().is_some_and(|s| s.len() <= MAX_TEXT);
                prop_assert!(short_text || (bad.is_null() && !required), "{}: {:?}", name, bad);
                let _ = event;
            }
            Err(Malformed(why)) => {
                prop_assert!(why.contains(&format!("`{name}`")), "{}: {}", name, why);
            }
        }
    }

    #[test]
    fn a_text_past_the_limit_is_malformed_naming_it(which in 0usize..5, extra in 1usize..1000) {
        let (path, _) = FIELDS[which];
        let mut body = sound();
        *at(&mut body, path) = Value::String("k".repeat(MAX_TEXT + extra));
        let why = malformed(body.to_string().as_bytes());
        prop_assert!(why.contains(&format!("`{}`", path.join("."))), "{}", why);
    }

    #[test]
    fn a_missing_required_field_is_malformed_naming_it(which in 0usize..2) {
        let (path, _) = FIELDS[which];
        let mut body = sound();
        at(&mut body, &path[..1]).as_object_mut().unwrap().remove(path[1]);
        let why = malformed(body.to_string().as_bytes());
        prop_assert!(why.contains(&format!("missing field `{}`", path.join("."))), "{}", why);
    }

    #[test]
    fn unknown_keys_are_ignored(key in "[a-z]{1,8}_extra", value in json()) {
        let mut body = sound();
        body["event"][key.as_str()] = value;
        prop_assert_eq!(parse(body.to_string().as_bytes()).unwrap().kind, EventKind::Acknowledged);
    }
}

#[test]
fn a_dedup_key_longer_than_any_text_is_refused() {
    let mut body = sound();
    body["event"]["data"]["incident_key"] = Value::String("k".repeat(MAX_TEXT + 1));
    assert!(malformed(body.to_string().as_bytes()).contains("`event.data.incident_key`"));
}
