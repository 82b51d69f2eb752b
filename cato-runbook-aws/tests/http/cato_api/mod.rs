//! The Cato admin API provider.

mod conformance;
mod failures;
pub(crate) mod fake;
mod routes;
