//! The PagerDuty Events v2 provider.

mod conformance;
mod events;
pub(crate) mod fake;
mod rate;
mod retries;
