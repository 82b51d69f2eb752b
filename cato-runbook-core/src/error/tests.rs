use super::*;
use std::error::Error as _;

#[test]
fn display_does_not_repeat_the_source() {
    let io = std::io::Error::other("connection reset by peer");
    let err = Error::new(ErrorKind::Unavailable, "INFO stats", "server went away")
        .with_provider("redis")
        .with_source(io);
    let shown = err.to_string();
    assert_eq!(
        shown,
        "redis: INFO stats failed (unavailable, transient): server went away"
    );
    assert!(!shown.contains("connection reset"));
    assert_eq!(
        err.source().map(ToString::to_string).as_deref(),
        Some("connection reset by peer")
    );
}

#[test]
fn kinds_imply_a_retry_class() {
    assert_eq!(ErrorKind::Timeout.default_retry(), Retry::Transient);
    assert_eq!(ErrorKind::Unavailable.default_retry(), Retry::Transient);
    assert_eq!(ErrorKind::Throttled.default_retry(), Retry::Throttled);
    assert_eq!(ErrorKind::NotFound.default_retry(), Retry::Permanent);
    assert_eq!(ErrorKind::InvalidInput.default_retry(), Retry::Permanent);
    assert_eq!(ErrorKind::Unauthenticated.default_retry(), Retry::Permanent);
    assert!(!Error::not_found("DescribeTable", "t").is_retryable());
    let overridden = Error::new(ErrorKind::Conflict, "op", "busy").with_retry(Retry::Transient);
    assert!(overridden.is_retryable());
}

#[test]
fn a_refused_credential_is_its_own_kind() {
    assert_eq!(
        ErrorKind::of_http_status(401),
        (ErrorKind::Unauthenticated, Retry::Permanent)
    );
    assert_eq!(
        ErrorKind::of_http_status(403),
        (ErrorKind::PermissionDenied, Retry::Permanent)
    );
    let err = Error::new(
        ErrorKind::Unauthenticated,
        "GetCallerIdentity",
        "no credentials",
    );
    assert_eq!(
        err.to_string(),
        "GetCallerIdentity failed (not authenticated, permanent): no credentials"
    );
    assert_eq!(
        serde_json::to_string(&ErrorKind::Unauthenticated)
            .ok()
            .as_deref(),
        Some("\"unauthenticated\"")
    );
}

#[test]
fn not_found_names_the_resource() {
    let err = Error::not_found("DescribeEndpoint", "cato-shadow-self");
    assert_eq!(err.resource(), Some("cato-shadow-self"));
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[test]
fn error_is_send_sync_static() {
    fn assert_bounds<T: Send + Sync + 'static>() {}
    assert_bounds::<Error>();
}
