//! Slack's `conversations.list` answer, decoded as the provider decodes it
//! (`http::transport::decode_json`) and read by `Channels::lookup`, which finds a channel's id
//! by its name before its history is read. The documented rule: the channel named gives its
//! id, which must be a channel id (`C` or `G`, then capitals and digits, at most 32
//! characters: it goes into the next request's query); a page without it gives its cursor,
//! which must be base64 of at most 1,000 characters, or none; a refusal is Slack's error;
//! anything else is a typed error, never a panic.

use cato_runbook_core::ErrorKind;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::{absurd, at, config, json, object_of};
use crate::http::transport::decode_json;
use crate::slack::history::{Channels, Lookup};

const NAME: &str = "cato-alerts";
const CURSOR: &str = "dGVhbTpDMDYxRkE1UEI=";

/// The lookup, or the error's kind (none: the body did not decode) and text.
fn lookup(bytes: &[u8]) -> Result<Lookup, (Option<ErrorKind>, String)> {
    let answer: Channels = decode_json(bytes).map_err(|e| (None, e))?;
    answer
        .lookup(NAME, "SLACK_BOT_TOKEN")
        .map_err(|e| (Some(e.kind()), e.to_string()))
}

/// A page with another channel, the one looked for, and a next page.
fn sound() -> Value {
    json!({"ok": true, "channels": [
        {"id": "C0OTHER", "name": "other", "is_archived": false},
        {"id": "C0ALERTS", "name": NAME, "is_private": false},
    ], "response_metadata": {"next_cursor": CURSOR}})
}

/// A page without the channel, whose cursor is `cursor`.
fn without(cursor: Value) -> Value {
    json!({"ok": true, "channels": [{"id": "C0OTHER", "name": "other"}],
        "response_metadata": {"next_cursor": cursor}})
}

fn sound_lookup(found: &Lookup) -> bool {
    match found {
        Lookup::Found(id) => {
            (1..=32).contains(&id.len())
                && id.starts_with(['C', 'G'])
                && id
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        }
        Lookup::Next(cursor) => {
            !cursor.is_empty()
                && cursor.len() <= 1_000
                && cursor
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+/=_-".contains(&b))
        }
        Lookup::Absent => true,
    }
}

/// Where a field of [`sound`] is.
const FIELDS: [(&[&str], &str); 7] = [
    (&["ok"], "ok"),
    (&["error"], "error"),
    (&["channels"], "channels"),
    (&["channels", "1", "id"], "channels[1].id"),
    (&["channels", "1", "name"], "channels[1].name"),
    (&["channels", "0", "id"], "channels[0].id"),
    (&["response_metadata"], "response_metadata"),
];

fn found(id: &str) -> Result<Lookup, (Option<ErrorKind>, String)> {
    Ok(Lookup::Found(id.into()))
}

#[test]
fn the_channel_is_found_by_name_and_an_absurd_id_or_cursor_refused() {
    assert_eq!(lookup(sound().to_string().as_bytes()), found("C0ALERTS"));
    let next = without(json!(CURSOR)).to_string();
    assert_eq!(lookup(next.as_bytes()), Ok(Lookup::Next(CURSOR.into())));
    let last = without(json!("")).to_string();
    assert_eq!(lookup(last.as_bytes()), Ok(Lookup::Absent));
    let bare = br#"{"ok": true, "channels": []}"#;
    assert_eq!(lookup(bare), Ok(Lookup::Absent));
    for id in [
        "",
        "c0alerts",
        "C0&channel=C1",
        "D0DIRECT",
        &"C".repeat(100_000),
    ] {
        let mut answer = sound();
        answer["channels"][1]["id"] = json!(id);
        let (kind, text) = lookup(answer.to_string().as_bytes()).unwrap_err();
        assert_eq!(kind, Some(ErrorKind::MalformedResponse), "{id:.40}: {text}");
        assert!(text.contains("channel id") && text.len() < 400, "{text}");
    }
    for cursor in ["a&b", "x".repeat(1_001).as_str()] {
        let answer = without(json!(cursor)).to_string();
        let (kind, text) = lookup(answer.as_bytes()).unwrap_err();
        assert_eq!(kind, Some(ErrorKind::MalformedResponse), "{text}");
        assert!(text.contains("next_cursor") && text.len() < 400, "{text}");
    }
    // A refusal is Slack's error, never a channel that is not there.
    let (kind, text) = lookup(br#"{"ok": false, "error": "missing_scope"}"#).unwrap_err();
    assert_ne!(kind, None);
    assert!(text.contains("missing_scope"), "{text}");
    let (kind, text) = lookup(br#"{"ok": false, "error": "invalid_auth"}"#).unwrap_err();
    assert_eq!(kind, Some(ErrorKind::Unauthenticated));
    assert!(text.contains("SLACK_BOT_TOKEN"), "{text}");
    let (kind, text) = lookup(br#"{"channels": []}"#).unwrap_err();
    assert_eq!(kind, None);
    assert!(text.contains("`ok`"), "{text}");
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_are_a_page_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(found) = lookup(&bytes) {
            prop_assert!(sound_lookup(&found), "{found:?}");
        }
    }

    #[test]
    fn any_json_is_a_page_or_an_error(
        value in prop_oneof![
            json(),
            object_of(&["ok", "error", "channels", "response_metadata"]),
            (
                prop::collection::vec(
                    prop_oneof![
                        json(),
                        object_of(&["id", "name"]),
                        ("[A-Z0-9&=]{0,12}", prop::sample::select(&[NAME, "other", ""][..]))
                            .prop_map(|(id, name)| json!({"id": id, "name": name})),
                    ],
                    0..6,
                ),
                json(),
            )
                .prop_map(|(channels, cursor)| json!({"ok": true, "channels": channels,
                    "response_metadata": {"next_cursor": cursor}})),
        ],
    ) {
        if let Ok(found) = lookup(value.to_string().as_bytes()) {
            prop_assert!(sound_lookup(&found), "{found:?}");
        }
    }

    #[test]
    fn an_absurd_field_is_refused_naming_it_or_not_the_channel(
        which in 0usize..7,
        bad in absurd(),
    ) {
        let (path, name) = FIELDS[which];
        let mut answer = sound();
        *at(&mut answer, path) = bad.clone();
        match lookup(answer.to_string().as_bytes()) {
            Ok(got) => {
                let documented = match name {
                    "ok" => bad == Value::Bool(true) && got == Lookup::Found("C0ALERTS".into()),
                    // Only an `error` beside `"ok": true` is ignored; another channel's id
                    // is not read past its type; the cursor is not read once it is found.
                    "error" | "channels[0].id" | "response_metadata" => {
                        got == Lookup::Found("C0ALERTS".into())
                    }
                    // No channels, or the one looked for renamed: the next page.
                    "channels" | "channels[1].name" => got == Lookup::Next(CURSOR.into()),
                    _ => false,
                };
                prop_assert!(documented, "{name}: {bad} gave {got:?}");
            }
            Err((None, text)) => {
                let named = text.contains(&format!("`{name}`"))
                    || (name == "channels[1].name" && text.contains("`name`"));
                prop_assert!(named, "{name}: {text}");
            }
            Err((Some(kind), text)) => {
                prop_assert_eq!(kind, ErrorKind::MalformedResponse, "{}", text);
                prop_assert_eq!(name, "channels[1].id", "{}", text);
                // Quoted, a character of the id escapes to at most 10 bytes.
                prop_assert!(text.contains("channel id") && text.len() < 1_000, "{text}");
                prop_assert!(bad.is_string(), "{bad}: {text}");
            }
        }
    }

    #[test]
    fn an_absurd_cursor_is_refused_naming_it_or_the_next_page(
        bad in prop_oneof![absurd(), "\\PC{0,1200}".prop_map(Value::String)],
    ) {
        match lookup(without(bad.clone()).to_string().as_bytes()) {
            Ok(got) => {
                prop_assert!(sound_lookup(&got), "{bad}: {got:?}");
                let documented = match &got {
                    Lookup::Next(cursor) => bad == json!(cursor),
                    Lookup::Absent => bad == json!(""),
                    Lookup::Found(_) => false,
                };
                prop_assert!(documented, "{bad} gave {got:?}");
            }
            Err((None, text)) => {
                prop_assert!(text.contains("`response_metadata.next_cursor`"), "{text}");
            }
            Err((Some(kind), text)) => {
                prop_assert_eq!(kind, ErrorKind::MalformedResponse, "{}", text);
                prop_assert!(text.contains("next_cursor") && text.len() < 1_000, "{text}");
                prop_assert!(bad.is_string(), "{bad}: {text}");
            }
        }
    }
}
