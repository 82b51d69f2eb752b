//! The Kubernetes provider against a stateful fake API server (wiremock): the shared
//! conformance checks, the exact requests of a scale, optimistic concurrency, the cap, and
//! every failure class.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod conformance;
mod errors;
mod fake;
mod scale;
