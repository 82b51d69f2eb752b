//! Expectations in words, and their serde round trip.

use super::*;

// ---- in words ----

#[test]
fn new_fields_read_in_words_and_round_trip() {
    for (text, words) in [
        (
            "expect = \"incidents\"\nrunbook = \"shadow-self-down\"\ncount = 1",
            "shadow-self-down opens 1 incident(s)",
        ),
        (
            "expect = \"timeline\"\nrunbook = \"shadow-self-down\"\nentry = \"sla_breached\"\nat = \"T+6m30s\"",
            "shadow-self-down timeline has sla_breached at T+6m30s",
        ),
        (
            "expect = \"calls\"\nop = \"traffic.set_cache_similarity_threshold\"\ncount = 1\nargs = { threshold = 0.87 }",
            "traffic.set_cache_similarity_threshold with threshold=0.87 succeeds 1 time(s)",
        ),
        (
            "expect = \"escalated\"\nrunbook = \"shadow-self-down\"\nrole = \"Engineering Lead\"\nat = \"T+16m30s\"",
            "shadow-self-down escalated to Engineering Lead at T+16m30s",
        ),
    ] {
        let e = expectation(text);
        assert_eq!(e.to_string(), words);
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            serde_json::from_str::<Expectation>(&json).unwrap(),
            e,
            "{json}"
        );
    }
    assert!(
        toml::from_str::<Expectation>(
            "expect = \"incidents\"\nrunbook = \"shadow-self-down\"\ncount = 1\nby = \"T+1m\""
        )
        .is_err(),
        "unknown fields are refused"
    );
}
