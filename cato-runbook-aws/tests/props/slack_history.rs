//! Slack's `conversations.history` / `conversations.replies` answer, decoded as the provider
//! decodes it (`http::transport::decode_json`) and read by `Messages::posted`, which finds a
//! post whose answer was lost by the key it carried as metadata. The documented rule: the
//! newest message carrying the key gives its `ts`, which must be a message ts
//! (`digits.digits`, at most 32 characters: it becomes the incident's thread); a message whose
//! metadata is anything else is not the post; a refusal is Slack's error; anything else is a
//! typed error, never a panic.

use cato_runbook_core::ErrorKind;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::{absurd, at, config, json, object_of};
use crate::http::transport::decode_json;
use crate::slack::history::Messages;

const KEY: &str = "INC-1:notice-1";

/// The found `ts` (if any), or the error's kind (none: the body did not decode) and text.
fn posted(bytes: &[u8]) -> Result<Option<String>, (Option<ErrorKind>, String)> {
    let answer: Messages = decode_json(bytes).map_err(|e| (None, e))?;
    answer
        .posted("conversations.history", "C0ALERTS", KEY, "SLACK_BOT_TOKEN")
        .map_err(|e| (Some(e.kind()), e.to_string()))
}

fn notice(ts: &str, key: &str) -> Value {
    json!({"type": "message", "ts": ts, "text": "hello", "metadata": {
        "event_type": "cato_runbook_notice", "event_payload": {"key": key}}})
}

/// Newest first: another post, the one looked for, an older one with the same key.
fn sound() -> Value {
    json!({"ok": true, "has_more": false, "messages": [
        notice("7.000003", "INC-1:other"),
        notice("7.000002", KEY),
        {"type": "message", "ts": "7.000001", "text": "no metadata"},
        notice("7.000000", KEY),
    ]})
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

/// Where a field of [`sound`] is, and what an absurd value there may give besides an error
/// naming it: `Some(found)` when the reading documents taking it (the post found, or not).
const FIELDS: [(&[&str], &str); 7] = [
    (&["ok"], "ok"),
    (&["error"], "error"),
    (&["messages"], "messages"),
    (&["messages", "1", "ts"], "messages[1].ts"),
    (&["messages", "1", "metadata"], "messages[1].metadata"),
    (
        &["messages", "1", "metadata", "event_payload", "key"],
        "key",
    ),
    (&["messages", "0", "ts"], "messages[0].ts"),
];

#[test]
fn the_newest_post_with_the_key_is_found_and_an_absurd_ts_refused() {
    assert_eq!(
        posted(sound().to_string().as_bytes()),
        Ok(Some("7.000002".into()))
    );
    let none = json!({"ok": true, "messages": [notice("7.1", "INC-1:other")]});
    assert_eq!(posted(none.to_string().as_bytes()), Ok(None));
    let mut huge = sound();
    huge["messages"][1]["ts"] = Value::String(format!("7.{}", "0".repeat(100_000)));
    let (kind, text) = posted(huge.to_string().as_bytes()).unwrap_err();
    assert_eq!(kind, Some(ErrorKind::MalformedResponse));
    assert!(text.contains("ts") && text.len() < 400, "{text}");
    let (kind, _) = posted(br#"{"ok": false, "error": "channel_not_found"}"#).unwrap_err();
    assert_eq!(kind, Some(ErrorKind::NotFound));
    let (kind, text) = posted(br#"{"ok": false, "error": "invalid_auth"}"#).unwrap_err();
    assert_eq!(kind, Some(ErrorKind::Unauthenticated));
    assert!(text.contains("SLACK_BOT_TOKEN"), "{text}");
    // A refusal is never an empty history.
    let (kind, _) = posted(br#"{"ok": false, "messages": []}"#).unwrap_err();
    assert_eq!(kind, Some(ErrorKind::InvalidInput));
    let (kind, text) = posted(br#"{"messages": []}"#).unwrap_err();
    assert_eq!(kind, None);
    assert!(text.contains("ok"), "{text}");
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_are_a_history_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(Some(ts)) = posted(&bytes) {
            prop_assert!(sound_ts(&ts), "{ts:?}");
        }
    }

    #[test]
    fn any_json_is_a_history_or_an_error(
        value in prop_oneof![
            json(),
            object_of(&["ok", "error", "messages", "has_more"]),
            prop::collection::vec(
                prop_oneof![json(), object_of(&["ts", "metadata", "text", "type"])],
                0..6,
            )
            .prop_map(|messages| json!({"ok": true, "messages": messages})),
        ],
    ) {
        if let Ok(Some(ts)) = posted(value.to_string().as_bytes()) {
            prop_assert!(sound_ts(&ts), "{ts:?}");
        }
    }

    #[test]
    fn an_absurd_field_is_refused_naming_it_or_not_the_post(which in 0usize..7, bad in absurd()) {
        let (path, name) = FIELDS[which];
        let mut answer = sound();
        *at(&mut answer, path) = bad.clone();
        match posted(answer.to_string().as_bytes()) {
            Ok(found) => {
                let documented = match name {
                    // Only an `error` beside `"ok": true` is ignored; `"ok": true` is sound.
                    "error" => found.as_deref() == Some("7.000002"),
                    "ok" => bad == Value::Bool(true) && found.as_deref() == Some("7.000002"),
                    // No messages: the post is not there.
                    "messages" => bad == json!([]) && found.is_none(),
                    // Metadata that is not the key's: that message is not the post, the older
                    // one with the key is.
                    "messages[1].metadata" | "key" => found.as_deref() == Some("7.000000"),
                    // Another message's ts is not read past its type.
                    "messages[0].ts" => bad.is_string() && found.as_deref() == Some("7.000002"),
                    _ => false,
                };
                prop_assert!(documented, "{name}: {bad} gave {found:?}");
            }
            Err((None, text)) => {
                prop_assert!(text.contains(&format!("`{name}`")), "{name}: {text}");
            }
            Err((Some(kind), text)) => {
                prop_assert_eq!(kind, ErrorKind::MalformedResponse, "{}", text);
                prop_assert_eq!(name, "messages[1].ts", "{}", text);
                prop_assert!(text.contains("ts") && text.len() < 1_000, "{text}");
                prop_assert!(bad.is_string(), "{bad}: {text}");
            }
        }
    }
}
