//! `InfoStats::parse`: the text of Redis `INFO server` and `INFO stats`.

use cato_runbook_core::ErrorKind;
use cato_runbook_core::Timestamp;
use cato_runbook_core::ports::{CacheCounters, check};
use proptest::prelude::*;

use super::config;
use crate::redis::InfoStats;

const COUNTERS: [&str; 4] = [
    "keyspace_hits",
    "keyspace_misses",
    "evicted_keys",
    "expired_keys",
];

/// What the cache port makes of the text, checked as every answer is (`ports::check`).
fn read(text: &str) -> cato_runbook_core::Result<CacheCounters> {
    let info = InfoStats::parse(text)?;
    check(
        "cache.counters",
        CacheCounters {
            at: Timestamp::default(),
            run_id: info.run_id,
            hits: info.hits,
            misses: info.misses,
            evictions: info.evictions,
            expirations: info.expirations,
        },
    )
}

/// A sound reply with these counters, `\r\n` or `\n` lines.
fn document(values: [String; 4], run_id: &str, crlf: bool) -> String {
    let mut lines = vec![
        "# Server".to_owned(),
        "redis_version:7.0.15".to_owned(),
        format!("run_id:{run_id}"),
        String::new(),
        "# Stats".to_owned(),
    ];
    lines.extend(COUNTERS.iter().zip(values).map(|(k, v)| format!("{k}:{v}")));
    lines.push("errorstat_ERR:count=1".to_owned());
    lines.join(if crlf { "\r\n" } else { "\n" })
}

/// A counter's text no server sends: negative, fractional, NaN, infinite, past `u64::MAX`,
/// hexadecimal, empty, huge.
fn absurd_counter() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u64..).prop_map(|n| format!("-{n}")),
        (any::<u64>(), 1u32..1000).prop_map(|(n, f)| format!("{n}.{f}")),
        prop::sample::select(&["nan", "NaN", "inf", "-inf", "1e3", "0x10", "", "twelve"][..])
            .prop_map(str::to_owned),
        (1u64..=u64::MAX).prop_map(|n| format!("{}{n}", u64::MAX)),
        Just("9".repeat(100_000)),
    ]
}

/// Refused as malformed, naming `field`, the whole message short.
fn refused_naming(text: &str, field: &str) {
    let err = InfoStats::parse(text).expect_err(field);
    assert_eq!(err.kind(), ErrorKind::MalformedResponse, "{err}");
    assert!(!err.is_retryable());
    assert!(err.message().contains(field), "{field}: {err}");
    assert!(err.message().len() < 300, "{err}");
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_is_read_or_refused_naming_a_line_or_a_counter(text in "(\\PC{0,30}\r?\n){0,6}|.{0,80}") {
        if let Err(err) = InfoStats::parse(&text) {
            prop_assert_eq!(err.kind(), ErrorKind::MalformedResponse);
            let msg = err.message();
            prop_assert!(msg.contains("line ") || COUNTERS.iter().any(|c| msg.contains(c)), "{}", msg);
            // At most 80 characters of the line are quoted, each escaped to at most 10.
            prop_assert!(msg.len() < 1000, "{}", msg);
        }
    }

    #[test]
    fn any_bytes_are_read_or_refused(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(err) = InfoStats::parse(&text) {
            prop_assert_eq!(err.kind(), ErrorKind::MalformedResponse);
        }
    }

    #[test]
    fn sound_counters_are_read_exactly(
        values in prop::array::uniform4(any::<u64>()),
        run_id in "[0-9a-f]{40}",
        crlf in any::<bool>(),
    ) {
        let text = document(values.map(|v| v.to_string()), &run_id, crlf);
        let info = InfoStats::parse(&text).unwrap();
        prop_assert_eq!([info.hits, info.misses, info.evictions, info.expirations], values);
        prop_assert_eq!(info.run_id.as_deref(), Some(run_id.as_str()));
        // Counters whose sum overflows are never taken as an answer.
        let overflow = values[0].checked_add(values[1]).is_none();
        match read(&text) {
            Ok(_) => prop_assert!(!overflow),
            Err(err) => {
                prop_assert!(overflow, "{}", err);
                prop_assert!(err.message().contains("keyspace_hits"), "{}", err);
            }
        }
    }

    #[test]
    fn one_absurd_counter_is_refused_naming_it(which in 0usize..4, bad in absurd_counter()) {
        let mut values = ["1000", "250", "5", "2"].map(str::to_owned);
        values[which] = bad;
        refused_naming(&document(values, "9a6f", true), COUNTERS[which]);
    }

    #[test]
    fn a_missing_counter_is_refused_naming_it(which in 0usize..4) {
        let text = document(["1", "2", "3", "4"].map(str::to_owned), "9a6f", false);
        let without: Vec<&str> = text.lines().filter(|l| !l.starts_with(COUNTERS[which])).collect();
        refused_naming(&without.join("\n"), COUNTERS[which]);
    }

    #[test]
    fn a_huge_run_id_is_never_taken(len in 70_000usize..100_000) {
        let text = document(["1", "2", "3", "4"].map(str::to_owned), &"a".repeat(len), true);
        let err = read(&text).unwrap_err();
        prop_assert!(err.message().contains("run_id"), "{}", err);
    }
}

#[test]
fn hits_and_misses_that_overflow_are_refused() {
    let max = u64::MAX.to_string();
    let text = document(
        [max.clone(), "1".into(), "0".into(), "0".into()],
        "9a6f",
        true,
    );
    assert!(InfoStats::parse(&text).is_ok());
    let err = read(&text).unwrap_err();
    assert!(err.message().contains("overflow"), "{err}");
}
