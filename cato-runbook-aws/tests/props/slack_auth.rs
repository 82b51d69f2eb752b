//! Slack's `auth.test` answer, decoded as the provider decodes it
//! (`http::transport::decode_json`) and read by `Identity::who`. The documented rule: an ok
//! answer names the workspace and the user (`team/user`), each non-empty, at most 256
//! characters and without control characters (they are shown to the operator); anything else
//! is a typed error, never a panic.

use cato_runbook_core::ErrorKind;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::{absurd, config, json, object_of};
use crate::http::transport::decode_json;
use crate::slack::auth::{Identity, MAX_NAME};

/// `team/user`, or the error's kind (none: the body did not decode) and text.
fn who(bytes: &[u8]) -> Result<String, (Option<ErrorKind>, String)> {
    let answer: Identity = decode_json(bytes).map_err(|e| (None, e))?;
    answer
        .who("auth.test", "SLACK_BOT_TOKEN")
        .map_err(|e| (Some(e.kind()), e.to_string()))
}

fn sound() -> Value {
    json!({"ok": true, "url": "https://cato.slack.com/", "team": "Cato", "user": "runbook",
           "team_id": "T1", "user_id": "U1"})
}

/// A name as `who` takes it.
fn sound_name(name: &str) -> bool {
    !name.is_empty() && name.chars().count() <= MAX_NAME && !name.chars().any(char::is_control)
}

/// An accepted answer is two sound names around the one `/` between them that `who` puts.
fn sound_who(who: &str) -> bool {
    // A name may hold `/` itself: some split must give two sound names.
    who.match_indices('/')
        .any(|(at, _)| sound_name(&who[..at]) && sound_name(&who[at + 1..]))
}

#[test]
fn an_ok_answer_names_team_and_user_and_an_absurd_one_is_refused() {
    assert_eq!(
        who(sound().to_string().as_bytes()),
        Ok("Cato/runbook".into())
    );
    let mut huge = sound();
    huge["team"] = Value::String("t".repeat(100_000));
    let (kind, text) = who(huge.to_string().as_bytes()).unwrap_err();
    assert_eq!(kind, Some(ErrorKind::MalformedResponse));
    assert!(text.contains("team") && text.len() < 400, "{text}");
    let (kind, text) = who(br#"{"ok": true, "team": "Cato", "user": "a\u001b[2Jb"}"#).unwrap_err();
    assert_eq!(kind, Some(ErrorKind::MalformedResponse));
    assert!(text.contains("user"), "{text}");
    let (kind, text) = who(br#"{"ok": true, "team": "Cato"}"#).unwrap_err();
    assert_eq!(kind, Some(ErrorKind::MalformedResponse));
    assert!(text.contains("user"), "{text}");
    let (kind, text) = who(br#"{"ok": false, "error": "invalid_auth"}"#).unwrap_err();
    assert_eq!(kind, Some(ErrorKind::Unauthenticated));
    assert!(text.contains("SLACK_BOT_TOKEN"), "{text}");
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_are_an_identity_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(who) = who(&bytes) {
            prop_assert!(sound_who(&who), "{who:?}");
        }
    }

    #[test]
    fn any_json_is_an_identity_or_an_error(
        value in prop_oneof![json(), object_of(&["ok", "error", "team", "user", "url"])],
    ) {
        match who(value.to_string().as_bytes()) {
            Ok(who) => prop_assert!(sound_who(&who), "{who:?}"),
            Err((_, text)) => prop_assert!(text.len() < 1_000, "{text}"),
        }
    }

    #[test]
    fn an_absurd_field_is_refused_naming_it(
        field in prop::sample::select(vec!["ok", "error", "team", "user"]),
        bad in absurd(),
    ) {
        let mut answer = sound();
        answer[field] = bad.clone();
        match who(answer.to_string().as_bytes()) {
            Ok(who) => {
                // Only an `error` beside `"ok": true` is ignored (and `"ok": true` is sound).
                prop_assert!(field == "error" || bad == Value::Bool(true), "{field}: {bad}");
                prop_assert_eq!(who, "Cato/runbook");
            }
            Err((None, text)) => prop_assert!(text.contains(field), "{field}: {text}"),
            Err((Some(kind), text)) => {
                prop_assert_eq!(kind, ErrorKind::MalformedResponse, "{}", text);
                prop_assert!(text.contains(field) && text.len() < 1_000, "{field}: {text}");
            }
        }
    }

    #[test]
    fn a_refusal_with_an_absurd_code_is_a_short_typed_error(bad in absurd()) {
        let answer = json!({"ok": false, "error": bad});
        match who(answer.to_string().as_bytes()) {
            Ok(who) => prop_assert!(false, "a refusal taken as {who:?}"),
            Err((None, text)) => prop_assert!(text.contains("error"), "{text}"),
            Err((Some(_), text)) => prop_assert!(text.len() < 1_000, "{text}"),
        }
    }
}
