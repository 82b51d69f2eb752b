//! One port call: names what it does for every error, bounds it in time, maps the SDK's errors.

use std::future::Future;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use cato_runbook_core::call;
use cato_runbook_core::{Error, ErrorKind, Result, Retry};

use super::credentials;
use super::error::{Classify, classify};
use super::settings::Settings;

/// What a call is about: provider, operation and resource, for every error it makes.
#[derive(Clone, Copy)]
pub(crate) struct Call<'a> {
    provider: &'static str,
    operation: &'static str,
    resource: Option<&'a str>,
    settings: &'a Settings,
    classify: Option<Classify>,
}

impl<'a> Call<'a> {
    /// A call of `operation` (the AWS operation's name, e.g. `DescribeEndpoint`).
    pub(crate) fn new(
        provider: &'static str,
        operation: &'static str,
        settings: &'a Settings,
    ) -> Self {
        Call {
            provider,
            operation,
            resource: None,
            settings,
            classify: None,
        }
    }

    /// About `resource`.
    pub(crate) fn on(mut self, resource: &'a str) -> Self {
        self.resource = Some(resource);
        self
    }

    /// Reads service errors with `classify` first.
    pub(crate) fn classify_with(mut self, classify: Classify) -> Self {
        self.classify = Some(classify);
        self
    }

    /// The same call, for another operation.
    pub(crate) fn op(mut self, operation: &'static str) -> Self {
        self.operation = operation;
        self
    }

    /// An error of `kind` from this call.
    pub(crate) fn error(&self, kind: ErrorKind, message: impl Into<String>) -> Error {
        let err = Error::new(kind, self.operation, message).with_provider(self.provider);
        match self.resource {
            Some(resource) => err.with_resource(resource),
            None => err,
        }
    }

    /// The caller asked for something the service would refuse.
    pub(crate) fn invalid(&self, message: impl Into<String>) -> Error {
        self.error(ErrorKind::InvalidInput, message)
    }

    /// The service answered something this provider cannot use.
    pub(crate) fn malformed(&self, message: impl Into<String>) -> Error {
        self.error(ErrorKind::MalformedResponse, message)
            .with_retry(Retry::Transient)
    }

    /// The core error for an SDK error of this call.
    pub(crate) fn sdk<E>(&self, err: SdkError<E, HttpResponse>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        // Credentials the chain could not load: the request was never sent.
        let not_loaded = match &err {
            SdkError::DispatchFailure(_) | SdkError::ConstructionFailure(_) => {
                credentials::not_loaded(&err)
            }
            _ => None,
        };
        let (kind, retry, message) = match not_loaded {
            Some((class, message)) => (class.kind, class.retry, message),
            None => self.read(&err),
        };
        tracing::debug!(
            provider = self.provider,
            operation = self.operation,
            resource = self.resource,
            %kind,
            %retry,
            "AWS call failed: {message}"
        );
        self.error(kind, message).with_retry(retry).with_source(err)
    }

    /// The kind, retry class and message of an SDK error that is not about loading
    /// credentials.
    fn read<E>(&self, err: &SdkError<E, HttpResponse>) -> (ErrorKind, Retry, String)
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        match err {
            SdkError::ServiceError(service) => {
                let code = service.err().code();
                let message = service.err().message().unwrap_or_default();
                let status = service.raw().status().as_u16();
                let class = classify(code, message, Some(status), self.classify);
                let shown = match (code, message) {
                    (Some(code), "") => code.to_owned(),
                    (Some(code), message) => format!("{code}: {message}"),
                    (None, "") => format!("HTTP {status}"),
                    (None, message) => format!("HTTP {status}: {message}"),
                };
                let shown = if class.kind == ErrorKind::Unauthenticated {
                    format!(
                        "{shown}; AWS refused the credentials: {}",
                        credentials::CHAIN
                    )
                } else {
                    shown
                };
                (class.kind, class.retry, shown)
            }
            SdkError::TimeoutError(_) => (
                ErrorKind::Timeout,
                Retry::Transient,
                "the SDK's timeout passed".to_owned(),
            ),
            SdkError::DispatchFailure(dispatch) if dispatch.is_timeout() => (
                ErrorKind::Timeout,
                Retry::Transient,
                "the connection timed out".to_owned(),
            ),
            SdkError::DispatchFailure(dispatch) if dispatch.is_user() => (
                ErrorKind::InvalidInput,
                Retry::Permanent,
                "the request could not be sent as configured".to_owned(),
            ),
            SdkError::DispatchFailure(_) => (
                ErrorKind::Unavailable,
                Retry::Transient,
                "the service could not be reached".to_owned(),
            ),
            SdkError::ResponseError(response) => {
                // A server error's page need not be the protocol's: it is still a server error.
                let status = response.raw().status().as_u16();
                let kind = match status {
                    429 => ErrorKind::Throttled,
                    s if s >= 500 => ErrorKind::Unavailable,
                    _ => ErrorKind::MalformedResponse,
                };
                let retry = if kind == ErrorKind::Throttled {
                    Retry::Throttled
                } else {
                    Retry::Transient
                };
                (
                    kind,
                    retry,
                    format!("the reply (HTTP {status}) could not be read"),
                )
            }
            SdkError::ConstructionFailure(_) => (
                ErrorKind::InvalidInput,
                Retry::Permanent,
                "the request could not be built".to_owned(),
            ),
            _ => (
                ErrorKind::Internal,
                Retry::Permanent,
                "the SDK failed".to_owned(),
            ),
        }
    }

    /// Runs `call` within the provider's timeout, on its clock.
    ///
    /// # Cancel safety
    ///
    /// As cancel safe as `call`: dropping the future drops `call`.
    pub(crate) async fn run<T>(&self, call: impl Future<Output = Result<T>>) -> Result<T> {
        match call::within(self.settings.clock.as_ref(), self.settings.timeout, call).await {
            Some(result) => result,
            None => {
                let err = Error::timeout(self.operation, self.settings.timeout)
                    .with_provider(self.provider);
                Err(match self.resource {
                    Some(resource) => err.with_resource(resource),
                    None => err,
                })
            }
        }
    }
}
