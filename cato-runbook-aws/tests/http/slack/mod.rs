//! The Slack provider.

mod failures;
pub(crate) mod fake;
mod threads;
