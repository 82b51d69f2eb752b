//! Property tests of the parsers of outside data in the mock crate (scenario files, replay
//! traces): any text is refused with a typed error naming the line or the field, never a
//! panic, and an absurd value is never taken. Seeded and bounded (`support::config`); `CATO_PROPTEST_CASES` sets the count.
// Test code: a failed unwrap is a failed test.
#![allow(
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

mod replay;
mod scenario;
mod support;
