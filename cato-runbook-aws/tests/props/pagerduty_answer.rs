//! The Events API's answer to an accepted event, decoded as the provider decodes it
//! (`http::transport::decode_json`) and read by `Accepted::check`. The documented rule: the
//! answer confirms the event when its `status` is `success` and its `dedup_key`, when present,
//! is the event's; anything else is a typed error naming the field (logged: the 2xx accepted
//! the event), never a panic.

use cato_runbook_core::ErrorKind;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::{absurd, config, field, json, object_of};
use crate::http::transport::decode_json;
use crate::pagerduty::event::Accepted;

const DEDUP: &str = "cato-budget-7";

/// `Ok` when the answer confirms the event, or the error's kind (none: the body did not
/// decode) and text.
fn check(bytes: &[u8]) -> Result<(), (Option<ErrorKind>, String)> {
    let answer: Accepted = decode_json(bytes).map_err(|e| (None, e))?;
    answer
        .check("pager.trigger", DEDUP)
        .map_err(|e| (Some(e.kind()), e.to_string()))
}

fn sound() -> Value {
    json!({"status": "success", "message": "Event processed", "dedup_key": DEDUP})
}

#[test]
fn a_success_for_the_event_is_confirmed_and_anything_else_refused() {
    assert_eq!(check(sound().to_string().as_bytes()), Ok(()));
    assert_eq!(check(br#"{"status": "success"}"#), Ok(()));
    let (kind, text) = check(br#"{"status": "success", "dedup_key": "other"}"#).unwrap_err();
    assert_eq!(kind, Some(ErrorKind::MalformedResponse));
    assert!(text.contains("dedup_key"), "{text}");
    let (kind, text) =
        check(br#"{"status": "invalid event", "dedup_key": "cato-budget-7"}"#).unwrap_err();
    assert_eq!(kind, Some(ErrorKind::MalformedResponse));
    assert!(text.contains("status"), "{text}");
    let (kind, text) = check(b"{}").unwrap_err();
    assert_eq!(kind, Some(ErrorKind::MalformedResponse));
    assert!(text.contains("status"), "{text}");
    let huge = json!({"status": "s".repeat(100_000), "dedup_key": "k".repeat(100_000)});
    let (_, text) = check(huge.to_string().as_bytes()).unwrap_err();
    assert!(text.contains("status") && text.len() < 400, "{text}");
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_are_a_confirmation_or_an_error(
        bytes in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        if check(&bytes).is_ok() {
            let value: Value = serde_json::from_slice(&bytes).unwrap();
            prop_assert_eq!(field(&value, "status", 0), "success");
        }
    }

    #[test]
    fn any_json_is_a_confirmation_or_an_error(
        value in prop_oneof![json(), object_of(&["status", "message", "dedup_key", "errors"])],
    ) {
        match check(value.to_string().as_bytes()) {
            Ok(()) => {
                prop_assert_eq!(field(&value, "status", 0), "success");
                let dedup_key = field(&value, "dedup_key", 1);
                prop_assert!(dedup_key.is_null() || dedup_key == DEDUP, "{value}");
            }
            Err((Some(kind), text)) => {
                prop_assert_eq!(kind, ErrorKind::MalformedResponse, "{}", text);
                prop_assert!(text.len() < 1_000, "{text}");
            }
            Err((None, _)) => {}
        }
    }

    #[test]
    fn an_absurd_field_is_refused_naming_it(
        field in prop::sample::select(vec!["status", "dedup_key", "message"]),
        bad in absurd(),
    ) {
        let mut answer = sound();
        answer[field] = bad.clone();
        match check(answer.to_string().as_bytes()) {
            // The message is not read; a null dedup_key is an absent one.
            Ok(()) => prop_assert!(
                field == "message" || (field == "dedup_key" && bad.is_null()),
                "{field}: {bad}"
            ),
            Err((None, text)) => {
                prop_assert!(text.contains(&format!("`{field}`")), "{field}: {text}");
            }
            Err((Some(kind), text)) => {
                prop_assert_eq!(kind, ErrorKind::MalformedResponse, "{}", text);
                prop_assert!(text.contains(field) && text.len() < 1_000, "{field}: {text}");
            }
        }
    }
}
