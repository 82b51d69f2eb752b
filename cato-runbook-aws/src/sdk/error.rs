//! From the SDK's errors to the core [`Error`]: kind and retry class from the error code, the
//! HTTP status, and what kind of failure the SDK saw.
//!
//! | the SDK saw | kind | retry |
//! |---|---|---|
//! | a throttling code (`ThrottlingException`, `Throttling`, `TooManyRequestsException`, `ProvisionedThroughputExceededException`, `RequestLimitExceeded`, …) or HTTP 429 | throttled | throttled |
//! | `RequestTimeout(Exception)`, an SDK timeout, a connection that timed out | timeout | transient |
//! | a server-error code (`InternalFailure`, `ServiceUnavailable`, `ServiceException`, …) or HTTP 5xx, a connection error | unavailable | transient |
//! | credentials the chain could not load, or that AWS refused (`ExpiredToken`, `InvalidClientTokenId`, `UnrecognizedClientException`, `SignatureDoesNotMatch`, "the security token included in the request is invalid", …) or HTTP 401 | unauthenticated, naming the credential chain ([`credentials`](super::credentials)) | permanent |
//! | an access code (`AccessDenied(Exception)`, `UnauthorizedOperation`, …) or HTTP 403 | permission denied | permanent |
//! | a not-found code (`…NotFound`, `…NotFoundException`, `…NotFoundFault`, `NoSuchResourceException`) or HTTP 404 | not found | permanent |
//! | a resource busy with another change (`ResourceInUseException`, `Invalid…StateFault`) | conflict | transient |
//! | `ConflictException`, `ResourceAlreadyExistsException`, `ConditionalCheckFailedException` | conflict | permanent |
//! | any other 4xx (validation) or a request that could not be built | invalid input | permanent |
//! | a reply that could not be read | malformed response | transient |
//!
//! A provider may look at a code and message first ([`Classify`]): SageMaker answers
//! `ValidationException: Could not find endpoint …` for a missing endpoint.
//!
//! [`Error`]: cato_runbook_core::Error

use cato_runbook_core::{ErrorKind, Retry};

/// A kind and a retry class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Class {
    pub(crate) kind: ErrorKind,
    pub(crate) retry: Retry,
}

impl Class {
    pub(crate) const fn new(kind: ErrorKind, retry: Retry) -> Self {
        Class { kind, retry }
    }

    const fn of(kind: ErrorKind) -> Self {
        let retry = match kind {
            ErrorKind::Unavailable | ErrorKind::Timeout => Retry::Transient,
            ErrorKind::Throttled => Retry::Throttled,
            _ => Retry::Permanent,
        };
        Class { kind, retry }
    }
}

/// A provider's own reading of a service error's code and message, before the generic one.
pub(crate) type Classify = fn(code: &str, message: &str) -> Option<Class>;

const THROTTLING: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "RequestThrottled",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "SlowDown",
    "PriorRequestNotComplete",
];

const TIMEOUT: &[&str] = &["RequestTimeout", "RequestTimeoutException"];

const SERVER: &[&str] = &[
    "InternalFailure",
    "InternalError",
    "InternalServerError",
    "InternalServerException",
    "InternalServiceError",
    "InternalServiceException",
    "InternalServiceFault",
    "ServiceException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
];

const ACCESS: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "AuthorizationError",
    "NotAuthorized",
    "UnauthorizedOperation",
];

const NOT_FOUND: &[&str] = &[
    "NoSuchEntity",
    "NoSuchResourceException",
    "ResourceNotFound",
    "ResourceNotFoundException",
];

const BUSY: &[&str] = &["ResourceInUseException", "OperationAbortedException"];

const CONFLICT: &[&str] = &[
    "ConflictException",
    "ConditionalCheckFailedException",
    "ResourceAlreadyExistsException",
    "TransactionConflictException",
];

/// The class of a service error with `code` (if the reply had one), `message` and HTTP
/// `status`, after the provider's own reading.
pub(crate) fn classify(
    code: Option<&str>,
    message: &str,
    status: Option<u16>,
    provider: Option<Classify>,
) -> Class {
    if let (Some(code), Some(own)) = (code, provider)
        && let Some(class) = own(code, message)
    {
        return class;
    }
    if super::credentials::refused(code, message) {
        return Class::of(ErrorKind::Unauthenticated);
    }
    if let Some(class) = code.and_then(by_code) {
        return class;
    }
    by_status(status)
}

fn by_code(code: &str) -> Option<Class> {
    let is = |list: &[&str]| list.contains(&code);
    Some(if is(THROTTLING) {
        Class::of(ErrorKind::Throttled)
    } else if is(TIMEOUT) {
        Class::of(ErrorKind::Timeout)
    } else if is(SERVER) {
        Class::of(ErrorKind::Unavailable)
    } else if is(super::credentials::REFUSED) {
        Class::of(ErrorKind::Unauthenticated)
    } else if is(ACCESS) {
        Class::of(ErrorKind::PermissionDenied)
    } else if is(NOT_FOUND)
        || code.ends_with("NotFound")
        || code.ends_with("NotFoundException")
        || code.ends_with("NotFoundFault")
    {
        Class::of(ErrorKind::NotFound)
    } else if is(BUSY)
        || (code.starts_with("Invalid")
            && (code.ends_with("State") || code.ends_with("StateFault")))
    {
        Class::new(ErrorKind::Conflict, Retry::Transient)
    } else if is(CONFLICT) {
        Class::of(ErrorKind::Conflict)
    } else {
        return None;
    })
}

fn by_status(status: Option<u16>) -> Class {
    match status {
        Some(status) => {
            let (kind, retry) = ErrorKind::of_http_status(status);
            Class::new(kind, retry)
        }
        // A service error without a status we cannot read.
        None => Class::new(ErrorKind::MalformedResponse, Retry::Transient),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(code: Option<&str>, status: u16) -> (ErrorKind, Retry) {
        let c = classify(code, "", Some(status), None);
        (c.kind, c.retry)
    }

    #[test]
    fn codes_decide_before_statuses() {
        use ErrorKind::*;
        assert_eq!(
            kind(Some("ThrottlingException"), 400),
            (Throttled, Retry::Throttled)
        );
        assert_eq!(kind(Some("Throttling"), 400), (Throttled, Retry::Throttled));
        assert_eq!(
            kind(Some("ProvisionedThroughputExceededException"), 400),
            (Throttled, Retry::Throttled)
        );
        assert_eq!(
            kind(Some("InternalFailure"), 500),
            (Unavailable, Retry::Transient)
        );
        assert_eq!(
            kind(Some("ServiceUnavailable"), 503),
            (Unavailable, Retry::Transient)
        );
        assert_eq!(
            kind(Some("ReplicationGroupNotFoundFault"), 404),
            (NotFound, Retry::Permanent)
        );
        assert_eq!(
            kind(Some("ResourceNotFoundException"), 400),
            (NotFound, Retry::Permanent)
        );
        assert_eq!(
            kind(Some("NoSuchResourceException"), 400),
            (NotFound, Retry::Permanent)
        );
        assert_eq!(
            kind(Some("AccessDeniedException"), 400),
            (PermissionDenied, Retry::Permanent)
        );
        for refused in [
            "ExpiredToken",
            "ExpiredTokenException",
            "InvalidClientTokenId",
            "UnrecognizedClientException",
            "SignatureDoesNotMatch",
        ] {
            assert_eq!(
                kind(Some(refused), 403),
                (Unauthenticated, Retry::Permanent),
                "{refused}"
            );
        }
        let c = classify(
            Some("SomethingNew"),
            "The security token included in the request is invalid.",
            Some(403),
            None,
        );
        assert_eq!(c.kind, Unauthenticated);
        assert_eq!(
            kind(Some("ResourceInUseException"), 400),
            (Conflict, Retry::Transient)
        );
        assert_eq!(
            kind(Some("InvalidReplicationGroupStateFault"), 400),
            (Conflict, Retry::Transient)
        );
        assert_eq!(
            kind(Some("ResourceAlreadyExistsException"), 400),
            (Conflict, Retry::Permanent)
        );
        assert_eq!(
            kind(Some("ValidationException"), 400),
            (InvalidInput, Retry::Permanent)
        );
        assert_eq!(
            kind(Some("InvalidParameterValue"), 400),
            (InvalidInput, Retry::Permanent)
        );
    }

    #[test]
    fn statuses_decide_without_a_known_code() {
        use ErrorKind::*;
        assert_eq!(kind(None, 429), (Throttled, Retry::Throttled));
        assert_eq!(kind(None, 500), (Unavailable, Retry::Transient));
        assert_eq!(
            kind(Some("SomethingNew"), 502),
            (Unavailable, Retry::Transient)
        );
        assert_eq!(kind(None, 403), (PermissionDenied, Retry::Permanent));
        assert_eq!(kind(None, 401), (Unauthenticated, Retry::Permanent));
        assert_eq!(kind(None, 404), (NotFound, Retry::Permanent));
        assert_eq!(
            kind(Some("SomethingNew"), 400),
            (InvalidInput, Retry::Permanent)
        );
    }

    #[test]
    fn a_provider_reads_first() {
        fn sagemaker(code: &str, message: &str) -> Option<Class> {
            (code == "ValidationException" && message.starts_with("Could not find"))
                .then_some(Class::of(ErrorKind::NotFound))
        }
        let c = classify(
            Some("ValidationException"),
            "Could not find endpoint x",
            Some(400),
            Some(sagemaker),
        );
        assert_eq!(c.kind, ErrorKind::NotFound);
        let c = classify(
            Some("ValidationException"),
            "bad",
            Some(400),
            Some(sagemaker),
        );
        assert_eq!(c.kind, ErrorKind::InvalidInput);
    }
}
