//! `cato-runbook incidents`, `show`, `ack`, `declare`, `halt`, …: clients of the running
//! service's operator API.
//!
//! Each subcommand is one HTTP request to the service at `--server`, authenticated with the
//! bearer token held by the environment variable `--token-env` names (never the token on the
//! command line, where `ps` and shell history would show it). Replies print as tables and
//! text, or, with `--json`, as the service sent them.

#[cfg(feature = "providers")]
mod api;
mod args;
#[cfg(feature = "providers")]
mod render;

pub(crate) use args::{ClientCommand, ServerArgs};

#[cfg(feature = "providers")]
pub(crate) use api::run;

/// The clients are not in this build: the subcommand parses (the help is the same) and is
/// refused.
#[cfg(not(feature = "providers"))]
pub(crate) fn run(
    _out: &mut crate::output::Out,
    _server: &ServerArgs,
    _command: &ClientCommand,
) -> Result<(), crate::exit::Failure> {
    Err(crate::providers::missing("the operator API's clients"))
}
