//! Property tests of the parsers of outside data in core: any text or JSON is refused with a
//! typed error naming the line or the value, never a panic, and an absurd value is never
//! taken. Seeded and bounded (`support::config`); `CATO_PROPTEST_CASES` sets the count.
// Test code: a failed unwrap is a failed test.
#![allow(
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

mod alarm_state;
mod support;
mod trace_jsonl;
