//! The one public error type.
//!
//! An [`Error`] says what failed ([`Error::operation`]), on which resource
//! ([`Error::resource`]), through which provider ([`Error::provider`]), what kind of failure it
//! was ([`ErrorKind`]) and whether trying again can help ([`Retry`]). Its `Display` never repeats
//! its source: walk [`std::error::Error::source`] for the cause, as the AWS SDK does.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A boxed underlying cause.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What the caller can do about a failure.
///
/// The retry wrappers read this: [`Retry::Transient`] and [`Retry::Throttled`] may succeed on a
/// later try (a throttled call after backing off), [`Retry::Permanent`] never will.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Retry {
    /// A passing fault: a 5xx, a timeout, a dropped connection. Trying again may help.
    Transient,
    /// The service is rate limiting us. Trying again after a back-off may help.
    Throttled,
    /// Trying again with the same input will fail the same way.
    Permanent,
}

impl Retry {
    /// Whether trying again can help.
    pub fn is_retryable(self) -> bool {
        !matches!(self, Retry::Permanent)
    }
}

impl fmt::Display for Retry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Retry::Transient => "transient",
            Retry::Throttled => "throttled",
            Retry::Permanent => "permanent",
        })
    }
}

/// What went wrong, as a category a caller can branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// Input (text, config, a request) is malformed or out of range.
    InvalidInput,
    /// The named resource does not exist.
    NotFound,
    /// The caller is not allowed to do this.
    PermissionDenied,
    /// The caller's credentials are missing, expired or refused: a person must act (log in,
    /// set or renew a credential; the message says which and where). Never retried.
    Unauthenticated,
    /// The resource is in a state that forbids the operation (e.g. an optimistic-concurrency
    /// conflict, or an endpoint that is already updating).
    Conflict,
    /// An incident lifecycle transition the runbook process does not allow.
    IllegalTransition,
    /// The service is unavailable or answered with a server error.
    Unavailable,
    /// The call did not finish in time.
    Timeout,
    /// A request that is not idempotent (a chat post, a mail) was sent, and no answer came
    /// (a timeout, a connection broken mid-request): it may or may not have landed. Never
    /// retried blindly — sending it again may deliver it twice; the caller's own record
    /// decides.
    DeliveryUnknown,
    /// The service is rate limiting us.
    Throttled,
    /// The service answered with something we could not understand.
    MalformedResponse,
    /// The operation is not supported by this provider or step (e.g. reverting an irreversible
    /// change).
    Unsupported,
    /// Automation is not allowed to act (kill switch, mode, guardrail).
    Refused,
    /// A write carried a fencing token older than one the store has seen: another replica
    /// leads now, and this one must stop acting.
    Fenced,
    /// A bug or an unexpected state inside this library.
    Internal,
}

impl ErrorKind {
    /// The retry class this kind has unless a provider says otherwise.
    pub fn default_retry(self) -> Retry {
        match self {
            ErrorKind::Unavailable | ErrorKind::Timeout => Retry::Transient,
            ErrorKind::Throttled => Retry::Throttled,
            _ => Retry::Permanent,
        }
    }

    /// Whether only a person can clear this failure (log in, renew or grant a credential):
    /// no retry, no waiting helps, and whoever shows it should say so.
    ///
    /// ```
    /// use cato_runbook_core::ErrorKind;
    /// assert!(ErrorKind::Unauthenticated.needs_a_person());
    /// assert!(!ErrorKind::Unavailable.needs_a_person());
    /// ```
    pub fn needs_a_person(self) -> bool {
        matches!(
            self,
            ErrorKind::Unauthenticated | ErrorKind::PermissionDenied
        )
    }

    /// The kind and retry class of a failed HTTP call by its status — the one table every
    /// provider that speaks HTTP reads (a provider may know better from the body's error code):
    ///
    /// | status | kind | retry |
    /// | --- | --- | --- |
    /// | 401 | `Unauthenticated` | permanent |
    /// | 403 | `PermissionDenied` | permanent |
    /// | 404, 410 | `NotFound` | permanent |
    /// | 409, 412 | `Conflict` | permanent (a provider that knows a conflict passes, such as an optimistic-concurrency miss, says so) |
    /// | 408, 504 | `Timeout` | transient |
    /// | 429 | `Throttled` | throttled |
    /// | 405, 501 | `Unsupported` | permanent |
    /// | other 5xx | `Unavailable` | transient |
    /// | other 4xx | `InvalidInput` | permanent |
    /// | anything else | `MalformedResponse` (not an error status we can read) | transient |
    ///
    /// ```
    /// use cato_runbook_core::{ErrorKind, Retry};
    /// assert_eq!(ErrorKind::of_http_status(429), (ErrorKind::Throttled, Retry::Throttled));
    /// assert_eq!(ErrorKind::of_http_status(409), (ErrorKind::Conflict, Retry::Permanent));
    /// assert_eq!(ErrorKind::of_http_status(502), (ErrorKind::Unavailable, Retry::Transient));
    /// ```
    pub fn of_http_status(status: u16) -> (ErrorKind, Retry) {
        let kind = match status {
            401 => ErrorKind::Unauthenticated,
            403 => ErrorKind::PermissionDenied,
            404 | 410 => ErrorKind::NotFound,
            409 | 412 => ErrorKind::Conflict,
            408 | 504 => ErrorKind::Timeout,
            429 => ErrorKind::Throttled,
            405 | 501 => ErrorKind::Unsupported,
            500..=599 => ErrorKind::Unavailable,
            400..=499 => ErrorKind::InvalidInput,
            _ => return (ErrorKind::MalformedResponse, Retry::Transient),
        };
        (kind, kind.default_retry())
    }

    fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::NotFound => "not found",
            ErrorKind::PermissionDenied => "permission denied",
            ErrorKind::Unauthenticated => "not authenticated",
            ErrorKind::Conflict => "conflict",
            ErrorKind::IllegalTransition => "illegal transition",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Timeout => "timed out",
            ErrorKind::DeliveryUnknown => "delivery unknown",
            ErrorKind::Throttled => "throttled",
            ErrorKind::MalformedResponse => "malformed response",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Refused => "refused",
            ErrorKind::Fenced => "fenced off",
            ErrorKind::Internal => "internal error",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error every fallible operation of this workspace returns.
///
/// # Examples
///
/// ```
/// use cato_runbook_core::{Error, ErrorKind, Retry};
///
/// let err = Error::new(ErrorKind::Throttled, "DescribeEndpoint", "AWS said slow down")
///     .with_provider("sagemaker")
///     .with_resource("cato-shadow-self");
/// assert_eq!(err.retry(), Retry::Throttled);
/// assert_eq!(
///     err.to_string(),
///     "sagemaker: DescribeEndpoint on cato-shadow-self failed (throttled, throttled): AWS said slow down"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub struct Error {
    kind: ErrorKind,
    retry: Retry,
    operation: Cow<'static, str>,
    provider: Option<Cow<'static, str>>,
    resource: Option<String>,
    message: String,
    #[source]
    source: Option<BoxError>,
}

impl Error {
    /// A new error of `kind` from `operation`, with the retry class the kind implies.
    pub fn new(
        kind: ErrorKind,
        operation: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            retry: kind.default_retry(),
            operation: operation.into(),
            provider: None,
            resource: None,
            message: message.into(),
            source: None,
        }
    }

    /// Bad input: text that does not parse, a value out of range.
    pub fn invalid_input(
        operation: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self::new(ErrorKind::InvalidInput, operation, message)
    }

    /// A resource that does not exist.
    pub fn not_found(operation: impl Into<Cow<'static, str>>, resource: impl Into<String>) -> Self {
        let resource = resource.into();
        Self::new(
            ErrorKind::NotFound,
            operation,
            format!("{resource} does not exist"),
        )
        .with_resource(resource)
    }

    /// An operation this provider or step does not support.
    pub fn unsupported(
        operation: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self::new(ErrorKind::Unsupported, operation, message)
    }

    /// A call that did not finish within `timeout`.
    pub fn timeout(operation: impl Into<Cow<'static, str>>, timeout: std::time::Duration) -> Self {
        Self::new(
            ErrorKind::Timeout,
            operation,
            format!("no answer within {}", crate::time::HumanDuration(timeout)),
        )
    }

    /// Names the provider (`sagemaker`, `redis`, `fake-endpoint`, …) that failed.
    pub fn with_provider(mut self, provider: impl Into<Cow<'static, str>>) -> Self {
        self.provider = Some(provider.into());
        self
    }

    /// Names the resource the operation was about.
    pub fn with_resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// Overrides the retry class (a provider knows better than the kind's default).
    pub fn with_retry(mut self, retry: Retry) -> Self {
        self.retry = retry;
        self
    }

    /// Attaches the underlying cause. It is reachable through `source()`, not `Display`.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Whether a retry can help.
    pub fn retry(&self) -> Retry {
        self.retry
    }

    /// Shorthand for `self.retry().is_retryable()`.
    pub fn is_retryable(&self) -> bool {
        self.retry.is_retryable()
    }

    /// The operation that failed, e.g. `DescribeEndpoint` or `incident.transition`.
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// The provider that failed, if one was named.
    pub fn provider(&self) -> Option<&str> {
        self.provider.as_deref()
    }

    /// The resource the operation was about, if one was named.
    pub fn resource(&self) -> Option<&str> {
        self.resource.as_deref()
    }

    /// The human-readable message, without provider, operation or resource.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(provider) = &self.provider {
            write!(f, "{provider}: ")?;
        }
        write!(f, "{}", self.operation)?;
        if let Some(resource) = &self.resource {
            write!(f, " on {resource}")?;
        }
        write!(f, " failed ({}, {})", self.kind, self.retry)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
