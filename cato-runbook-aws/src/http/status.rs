//! HTTP statuses and transport failures as core errors.

use std::borrow::Cow;
use std::time::Duration;

use cato_runbook_core::call::Failure;
use cato_runbook_core::{Error, ErrorKind, Retry};
use reqwest::StatusCode;

/// The error for a non-success `status`, with an excerpt of the body for the message.
pub(crate) fn status_error(
    provider: &'static str,
    operation: impl Into<Cow<'static, str>>,
    resource: &str,
    status: StatusCode,
    body: &[u8],
) -> Error {
    let (kind, retry) = ErrorKind::of_http_status(status.as_u16());
    let mut message = format!("HTTP {status}");
    let text = excerpt(body);
    if !text.is_empty() {
        message.push_str(": ");
        message.push_str(&text);
    }
    Error::new(kind, operation, message)
        .with_retry(retry)
        .with_provider(provider)
        .with_resource(resource)
}

/// At most 200 characters of a body, on one line, for an error message.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect();
    if text.chars().count() > 200 {
        out.push('…');
    }
    out.trim().to_owned()
}

/// The message of a request that never left: nothing listened, or the connection was not made.
pub(crate) const NOT_CONNECTED: &str = "could not connect";

/// A failure of the transport itself (no HTTP status): connection refused or reset, a body
/// cut short, a request that could not be built.
pub(crate) fn transport_error(
    provider: &'static str,
    operation: &'static str,
    resource: &str,
    err: reqwest::Error,
) -> Error {
    let (kind, message) = if err.is_timeout() {
        (ErrorKind::Timeout, "no answer in time")
    } else if err.is_builder() {
        (ErrorKind::InvalidInput, "the request could not be built")
    } else if err.is_connect() {
        (ErrorKind::Unavailable, NOT_CONNECTED)
    } else if err.is_decode() {
        (
            ErrorKind::MalformedResponse,
            "the body could not be decoded",
        )
    } else {
        (ErrorKind::Unavailable, "the connection failed")
    };
    // Keep the URL out of the source chain's text: it is the base URL the host configured,
    // which may carry credentials in its user info.
    Error::new(kind, operation, message)
        .with_provider(provider)
        .with_resource(resource)
        .with_source(err.without_url())
}

/// The error for a try that had no answer within `timeout`.
pub(crate) fn timeout_error(
    provider: &'static str,
    operation: &'static str,
    resource: &str,
    timeout: Duration,
) -> Error {
    Error::timeout(operation, timeout)
        .with_provider(provider)
        .with_resource(resource)
        .with_retry(Retry::Transient)
}

/// `error` (unauthenticated) naming the credential that was refused and what to do.
pub(crate) fn refused_credential(error: Error, credential: &str) -> Error {
    let message = format!(
        "{}; the service refused the credential: check {credential} (set, not expired, not revoked)",
        error.message()
    );
    Error::new(
        ErrorKind::Unauthenticated,
        error.operation().to_owned(),
        message,
    )
    .with_provider(error.provider().unwrap_or_default().to_owned())
    .with_resource(error.resource().unwrap_or_default())
}

/// A try of a request that is not idempotent that failed without an answer: unknown whether it
/// landed unless no connection was made.
pub(crate) fn outcome_unknown(failure: Failure) -> Failure {
    let error = &failure.error;
    let sent = match error.kind() {
        ErrorKind::Timeout => true,
        ErrorKind::Unavailable => error.message() != NOT_CONNECTED,
        _ => false,
    };
    if !sent {
        return failure;
    }
    let message = format!(
        "{}: the request was sent and no answer came, so it may have been delivered; not sent \
         again",
        error.message()
    );
    Failure::from(
        Error::new(
            ErrorKind::DeliveryUnknown,
            error.operation().to_owned(),
            message,
        )
        .with_provider(error.provider().unwrap_or_default().to_owned())
        .with_resource(error.resource().unwrap_or_default()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(status: u16) -> (ErrorKind, Retry) {
        let e = status_error(
            "test",
            "op",
            "r",
            StatusCode::from_u16(status).unwrap(),
            b"",
        );
        (e.kind(), e.retry())
    }

    #[test]
    fn statuses_map_to_kinds_and_retry_classes() {
        assert_eq!(kind(400), (ErrorKind::InvalidInput, Retry::Permanent));
        assert_eq!(kind(422), (ErrorKind::InvalidInput, Retry::Permanent));
        assert_eq!(kind(401), (ErrorKind::Unauthenticated, Retry::Permanent));
        assert_eq!(kind(403), (ErrorKind::PermissionDenied, Retry::Permanent));
        assert_eq!(kind(404), (ErrorKind::NotFound, Retry::Permanent));
        assert_eq!(kind(409), (ErrorKind::Conflict, Retry::Permanent));
        assert_eq!(kind(408), (ErrorKind::Timeout, Retry::Transient));
        assert_eq!(kind(429), (ErrorKind::Throttled, Retry::Throttled));
        assert_eq!(kind(500), (ErrorKind::Unavailable, Retry::Transient));
        assert_eq!(kind(503), (ErrorKind::Unavailable, Retry::Transient));
        assert_eq!(kind(504), (ErrorKind::Timeout, Retry::Transient));
    }

    #[test]
    fn excerpts_are_short_and_on_one_line() {
        assert_eq!(excerpt(b"  bad\nthing  "), "bad thing");
        let long = "x".repeat(500);
        assert_eq!(excerpt(long.as_bytes()).chars().count(), 201);
    }
}
