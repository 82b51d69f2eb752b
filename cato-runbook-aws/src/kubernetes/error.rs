//! Kubernetes client failures as core errors.

use std::time::Duration;

use cato_runbook_core::{Error, ErrorKind, Retry};

/// Where the client's credential comes from, and what to do when it is refused.
const CREDENTIAL: &str = "the API server refused the client's credential: check the user of the \
kubeconfig's current context (KUBECONFIG or ~/.kube/config; renew its token or run its exec \
plugin's login), or, in a pod, the service account token mounted at \
/var/run/secrets/kubernetes.io/serviceaccount/token";

/// The core error for a failed call on `resource` (`namespace/name`).
pub(super) fn map(operation: &'static str, resource: &str, err: kube::Error) -> Error {
    let (kind, message) = match &err {
        kube::Error::Api(status) => {
            let (kind, _) = ErrorKind::of_http_status(status.code);
            let reason = if status.reason.is_empty() {
                format!("HTTP {}", status.code)
            } else {
                format!("HTTP {} {}", status.code, status.reason)
            };
            let text: String = status.message.chars().take(200).collect();
            let text = if kind == ErrorKind::Unauthenticated {
                format!("{text}; {CREDENTIAL}")
            } else {
                text
            };
            (kind, format!("{reason}: {text}"))
        }
        kube::Error::HyperError(_) | kube::Error::Service(_) | kube::Error::ReadEvents(_) => (
            ErrorKind::Unavailable,
            "the API server could not be reached".to_owned(),
        ),
        kube::Error::SerdeError(_) | kube::Error::FromUtf8(_) => (
            ErrorKind::MalformedResponse,
            "the API server's answer is not a Kubernetes object".to_owned(),
        ),
        kube::Error::Auth(_) => (
            ErrorKind::Unauthenticated,
            format!("the client could not authenticate; {CREDENTIAL}"),
        ),
        _ => (
            ErrorKind::InvalidInput,
            "the request could not be made".to_owned(),
        ),
    };
    let retry = match kind {
        // Someone else changed the object: a fresh read and another try may succeed.
        ErrorKind::Conflict => Retry::Transient,
        other => other.default_retry(),
    };
    Error::new(kind, operation, message)
        .with_provider("kubernetes")
        .with_resource(resource)
        .with_retry(retry)
        .with_source(err)
}

/// The error for a call that had no answer within `timeout`.
pub(super) fn timeout(operation: &'static str, resource: &str, timeout: Duration) -> Error {
    Error::timeout(operation, timeout)
        .with_provider("kubernetes")
        .with_resource(resource)
}
