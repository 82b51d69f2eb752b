//! The Cato admin API provider.

mod conformance;
mod failures;
pub(crate) mod fake;
mod regions;
mod routes;
