//! Slack's `chat.postMessage` answer, decoded as the provider decodes it
//! (`http::transport::decode_json`) and read by `Answer::posted`. The documented rule: an ok
//! answer carries a message `ts` of `digits.digits` (at most 32 characters), which becomes the
//! incident's thread; anything else is a typed error, never a panic.

use cato_runbook_core::ErrorKind;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::{absurd, config, json};
use crate::http::transport::decode_json;
use crate::slack::Answer;

/// The posted `ts`, or the error's kind and text.
fn posted(bytes: &[u8]) -> Result<String, (Option<ErrorKind>, String)> {
    let answer: Answer = decode_json(bytes).map_err(|e| (None, e))?;
    answer
        .posted("chat.postMessage", "#cato-incident", "SLACK_BOT_TOKEN")
        .map_err(|e| (Some(e.kind()), e.to_string()))
}

fn sound_ts(ts: &str) -> bool {
    ts.len() <= 32
        && ts.split_once('.').is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        })
}

#[test]
fn an_ok_answer_gives_its_ts_and_an_absurd_one_is_refused() {
    let ok = json!({"ok": true, "channel": "C1", "ts": "1712345678.000100"});
    assert_eq!(
        posted(ok.to_string().as_bytes()),
        Ok("1712345678.000100".into())
    );
    let huge = json!({"ok": true, "ts": format!("1.{}", "0".repeat(100_000))});
    let (kind, text) = posted(huge.to_string().as_bytes()).unwrap_err();
    assert_eq!(kind, Some(ErrorKind::MalformedResponse));
    assert!(text.contains("ts") && text.len() < 400, "{text}");
    let (kind, _) = posted(br#"{"ok": true, "ts": ""}"#).unwrap_err();
    assert_eq!(kind, Some(ErrorKind::MalformedResponse));
    let (kind, _) = posted(br#"{"ok": false, "error": "invalid_auth"}"#).unwrap_err();
    assert_eq!(kind, Some(ErrorKind::Unauthenticated));
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_are_an_answer_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(ts) = posted(&bytes) {
            prop_assert!(sound_ts(&ts), "{ts:?}");
        }
    }

    #[test]
    fn any_json_is_an_answer_or_an_error(value in json()) {
        if let Ok(ts) = posted(value.to_string().as_bytes()) {
            prop_assert!(sound_ts(&ts), "{ts:?}");
        }
    }

    #[test]
    fn an_absurd_field_is_refused_naming_it(
        field in prop::sample::select(vec!["ok", "error", "ts"]),
        bad in absurd(),
    ) {
        let mut answer = json!({"ok": true, "channel": "C1", "ts": "1712345678.000100"});
        answer[field] = bad.clone();
        match posted(answer.to_string().as_bytes()) {
            Ok(ts) => {
                // Only an `error` beside `"ok": true` is ignored (and `"ok": true` is sound):
                // the ts stands.
                prop_assert!(field == "error" || bad == Value::Bool(true), "{field}: {bad}");
                prop_assert_eq!(ts, "1712345678.000100");
            }
            Err((None, text)) => prop_assert!(text.contains(field), "{field}: {text}"),
            Err((Some(kind), text)) => {
                prop_assert!(matches!(kind, ErrorKind::MalformedResponse), "{kind:?}: {text}");
                prop_assert!(text.len() < 1_000, "{text}");
                prop_assert!(matches!(bad, Value::Null | Value::String(_)), "{bad}: {text}");
            }
        }
    }
}
