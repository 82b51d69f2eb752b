//! `AlarmValue::parse`: CloudWatch's spelling of an alarm's state.

use cato_runbook_core::ErrorKind;
use cato_runbook_core::ports::AlarmValue;
use proptest::prelude::*;

use crate::support::config;

const SPELLINGS: [&str; 3] = ["ALARM", "OK", "INSUFFICIENT_DATA"];

/// A valid spelling, changed: case, padding, a character more or less, repeated.
fn mutated() -> impl Strategy<Value = String> {
    let word = || prop::sample::select(&SPELLINGS[..]);
    prop_oneof![
        word().prop_map(str::to_lowercase),
        (word(), "[ \t\r\n]{1,3}").prop_map(|(w, pad)| format!("{pad}{w}")),
        (word(), "[ \t\r\n]{1,3}").prop_map(|(w, pad)| format!("{w}{pad}")),
        word().prop_map(|w| w[..w.len() - 1].to_owned()),
        (word(), "\\PC").prop_map(|(w, c)| format!("{w}{c}")),
        word().prop_map(|w| w.repeat(10_000)),
        Just(String::new()),
    ]
}

/// Refused as malformed, quoting the text's first 40 characters and no more.
fn refused_naming(text: &str) {
    let err = AlarmValue::parse(text).expect_err(text);
    assert_eq!(err.kind(), ErrorKind::MalformedResponse, "{text:?}");
    assert!(!err.is_retryable(), "{text:?}");
    let shown: String = text.chars().take(40).collect();
    assert!(
        err.message().contains(&format!("{shown:?}")),
        "{text:?}: {err}"
    );
    assert!(err.message().len() < 600, "{err}");
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_is_one_of_the_three_states_or_refused_naming_it(text in "\\PC{0,40}|.{0,40}") {
        match AlarmValue::parse(&text) {
            Ok(value) => prop_assert_eq!(value.as_str(), text.as_str()),
            Err(_) => {
                prop_assert!(!SPELLINGS.contains(&text.as_str()));
                refused_naming(&text);
            }
        }
    }

    #[test]
    fn a_spelling_a_little_wrong_is_refused(text in mutated()) {
        refused_naming(&text);
    }
}

#[test]
fn every_spelling_round_trips() {
    for word in SPELLINGS {
        assert_eq!(AlarmValue::parse(word).unwrap().as_str(), word);
    }
}

#[test]
fn a_page_of_garbage_is_quoted_cut_to_forty_characters() {
    let err = AlarmValue::parse(&"x".repeat(100_000)).unwrap_err();
    assert!(
        err.message().contains(&format!("{:?}", "x".repeat(40))),
        "{err}"
    );
    assert!(err.message().len() < 100, "{err}");
}
