//! Redis client failures as core errors.

use std::time::Duration;

use ::redis::{ErrorKind as RedisKind, RedisError, ServerErrorKind};
use cato_runbook_core::{Error, ErrorKind};

/// What a refused password means, and where it comes from.
const REFUSED: &str = "the server refused the credentials: check the user and password of the \
cache's `url`, or the variable its `password_env` names, in [providers.redis]";

/// The core error for a failed Redis call.
pub(super) fn map(operation: &'static str, cache: &str, err: RedisError) -> Error {
    let (kind, message) = if err.is_timeout() {
        (ErrorKind::Timeout, "no answer in time")
    } else if err.is_connection_refusal() {
        (ErrorKind::Unavailable, "connection refused")
    } else if err.is_connection_dropped() || err.is_io_error() {
        (ErrorKind::Unavailable, "the connection failed")
    } else {
        match err.kind() {
            RedisKind::AuthenticationFailed => (ErrorKind::Unauthenticated, REFUSED),
            RedisKind::Server(ServerErrorKind::NoPerm) => {
                (ErrorKind::PermissionDenied, "not allowed")
            }
            RedisKind::Server(
                ServerErrorKind::BusyLoading
                | ServerErrorKind::TryAgain
                | ServerErrorKind::ClusterDown
                | ServerErrorKind::MasterDown,
            ) => (ErrorKind::Unavailable, "the server is not ready"),
            RedisKind::Parse | RedisKind::UnexpectedReturnType => (
                ErrorKind::MalformedResponse,
                "the answer is not what INFO returns",
            ),
            RedisKind::InvalidClientConfig => (ErrorKind::InvalidInput, "invalid client config"),
            RedisKind::Extension if matches!(err.code(), Some("WRONGPASS" | "NOAUTH")) => {
                (ErrorKind::Unauthenticated, REFUSED)
            }
            RedisKind::Server(ServerErrorKind::ResponseError) | RedisKind::Extension => {
                // e.g. INFO renamed away or disabled on a managed service.
                (ErrorKind::Unsupported, "the server refused the command")
            }
            RedisKind::Client => (ErrorKind::Internal, "the client refused the command"),
            _ => (ErrorKind::Unavailable, "the server failed the command"),
        }
    };
    Error::new(kind, operation, message)
        .with_provider("redis")
        .with_resource(cache)
        .with_source(err)
}

/// The error for a call that had no answer within `timeout`.
pub(super) fn timeout(operation: &'static str, cache: &str, timeout: Duration) -> Error {
    Error::timeout(operation, timeout)
        .with_provider("redis")
        .with_resource(cache)
}
