//! SendGrid's `GET /v3/scopes` answer, decoded as the provider decodes it
//! (`http::transport::decode_json`) and read by `Scopes::may_send`. The documented rule: the
//! key may send mail when its scopes, a list of strings, hold `mail.send`; a list without it
//! is `PermissionDenied`; anything else is a typed error naming the field, never a panic.

use cato_runbook_core::ErrorKind;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::{absurd, config, field, json, object_of};
use crate::http::transport::decode_json;
use crate::sendgrid::scopes::Scopes;

/// `Ok` when the key may send, or the error's kind (none: the body did not decode) and text.
fn may_send(bytes: &[u8]) -> Result<(), (Option<ErrorKind>, String)> {
    let answer: Scopes = decode_json(bytes).map_err(|e| (None, e))?;
    answer
        .may_send("scopes")
        .map_err(|e| (Some(e.kind()), e.to_string()))
}

fn sound() -> Value {
    json!({"scopes": ["alerts.read", "mail.send", "user.profile.read"]})
}

/// Whether `value` is a scope list holding `mail.send`.
fn holds_mail_send(value: &Value) -> bool {
    field(value, "scopes", 0)
        .as_array()
        .is_some_and(|s| s.iter().all(Value::is_string) && s.iter().any(|s| s == "mail.send"))
}

#[test]
fn a_list_with_mail_send_may_send_and_anything_else_is_refused() {
    assert_eq!(may_send(sound().to_string().as_bytes()), Ok(()));
    let (kind, text) = may_send(br#"{"scopes": ["alerts.read"]}"#).unwrap_err();
    assert_eq!(kind, Some(ErrorKind::PermissionDenied));
    assert!(text.contains("mail.send"), "{text}");
    let (kind, text) = may_send(br#"{"scopes": "mail.send"}"#).unwrap_err();
    assert_eq!(kind, None);
    assert!(text.contains("`scopes`"), "{text}");
    let (kind, text) = may_send(br#"{"scopes": ["mail.send", 7]}"#).unwrap_err();
    assert_eq!(kind, None);
    assert!(text.contains("`scopes[1]`"), "{text}");
    let (kind, text) =
        may_send(br#"{"errors": [{"message": "authorization required"}]}"#).unwrap_err();
    assert_eq!(kind, None);
    assert!(text.contains("scopes"), "{text}");
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_are_a_scope_list_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if may_send(&bytes).is_ok() {
            let value: Value = serde_json::from_slice(&bytes).unwrap();
            prop_assert!(holds_mail_send(&value), "{value}");
        }
    }

    #[test]
    fn any_json_is_a_scope_list_or_an_error(
        value in prop_oneof![
            json(),
            object_of(&["scopes", "errors"]),
            prop::collection::vec(
                prop_oneof![Just(Value::from("mail.send")), json()],
                0..6,
            )
            .prop_map(|scopes| json!({"scopes": scopes})),
        ],
    ) {
        match may_send(value.to_string().as_bytes()) {
            Ok(()) => prop_assert!(holds_mail_send(&value), "{value}"),
            Err((Some(kind), text)) => {
                prop_assert_eq!(kind, ErrorKind::PermissionDenied, "{}", text);
                prop_assert!(!holds_mail_send(&value), "{value}");
            }
            Err((None, _)) => {}
        }
    }

    #[test]
    fn an_absurd_scope_list_or_scope_is_refused_naming_it(
        which in 0usize..2,
        bad in absurd(),
    ) {
        let (answer, name) = match which {
            0 => (json!({"scopes": bad.clone()}), "`scopes`"),
            _ => (json!({"scopes": ["mail.send", bad.clone()]}), "`scopes[1]`"),
        };
        match may_send(answer.to_string().as_bytes()) {
            // An empty list holds no scope; another string beside `mail.send` is not read.
            Ok(()) => prop_assert!(which == 1 && bad.is_string(), "{name}: {bad}"),
            Err((None, text)) => prop_assert!(text.contains(name), "{name}: {text}"),
            Err((Some(kind), text)) => {
                prop_assert_eq!(kind, ErrorKind::PermissionDenied, "{}", text);
                prop_assert!(which == 0 && bad == json!([]), "{name}: {bad}");
            }
        }
    }
}
