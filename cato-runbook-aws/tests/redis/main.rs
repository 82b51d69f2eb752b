//! The Redis provider against a real redis-server (`scripts/peers/redis.sh`): the shared
//! conformance checks, hit rates from real hits and misses, evictions, `CONFIG RESETSTAT`, a
//! restart, and every failure class.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

mod conformance;
mod errors;
mod server;
mod windows;
