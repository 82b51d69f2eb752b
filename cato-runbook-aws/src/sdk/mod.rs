//! What every AWS provider shares: how an SDK error becomes the core [`Error`], how a call is
//! bounded in time, and the per-provider settings.
//!
//! [`Error`]: cato_runbook_core::Error

// Each service uses some of these helpers; with one service enabled the rest are idle.
#![cfg_attr(not(feature = "aws"), allow(dead_code, unused_imports))]

mod applied;
mod call;
mod credentials;
mod error;
mod settings;
mod time;

pub(crate) use applied::Applied;
pub(crate) use call::Call;
pub(crate) use error::Class;
pub use settings::Settings;
pub(crate) use settings::settings_builders;
pub(crate) use time::{from_timestamp, to_timestamp};
