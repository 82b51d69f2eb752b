//! The Kubernetes providers against a stateful fake API server (wiremock): the shared
//! conformance checks, the exact requests of a scale, a rollback and the lease, optimistic concurrency,
//! the cap, two replicas racing for the lease, and every failure class.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod conformance;
mod errors;
mod fake;
mod lease;
mod lease_requests;
mod rollback;
mod scale;
