//! The API's errors: a status and `{"error": {"kind", "message"}}`, from the engine's errors.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cato_runbook_core::{Error, ErrorKind};

/// A request that was refused or failed; nothing changed unless the message says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    /// The HTTP status.
    pub(crate) status: StatusCode,
    /// A snake_case word for programs.
    pub(crate) kind: &'static str,
    /// What happened, for people.
    pub(crate) message: String,
}

impl ApiError {
    fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            kind,
            message: message.into(),
        }
    }

    /// 401: no token, or an unknown one.
    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 403: a token whose role does not allow this.
    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 400: a body or a value that cannot be taken.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 413: a body over `[service] body_limit`.
    pub(crate) fn too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
    }

    /// 404: no such incident.
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 500: the page could not be made.
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
}

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        let (status, kind) = match err.kind() {
            ErrorKind::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ErrorKind::InvalidInput => (StatusCode::BAD_REQUEST, "bad_request"),
            ErrorKind::IllegalTransition => (StatusCode::CONFLICT, "illegal_transition"),
            ErrorKind::Conflict => (StatusCode::CONFLICT, "conflict"),
            ErrorKind::Refused => (StatusCode::CONFLICT, "refused"),
            // A provider's credential, not the operator's token: the service cannot act until
            // a person renews it.
            ErrorKind::Unauthenticated => (StatusCode::BAD_GATEWAY, "provider_unauthenticated"),
            // A post whose answer was lost: it may have gone out, and is not sent again.
            ErrorKind::DeliveryUnknown => (StatusCode::BAD_GATEWAY, "delivery_unknown"),
            ErrorKind::Unavailable | ErrorKind::Timeout | ErrorKind::Fenced => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        ApiError::new(status, kind, err.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": { "kind": self.kind, "message": self.message }
        });
        (self.status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(kind: ErrorKind) -> (StatusCode, &'static str) {
        let api = ApiError::from(Error::new(kind, "chat.post", "answer lost"));
        (api.status, api.kind)
    }

    #[test]
    fn a_provider_a_person_must_see_to_is_a_bad_gateway_naming_why() {
        assert_eq!(
            mapped(ErrorKind::Unauthenticated),
            (StatusCode::BAD_GATEWAY, "provider_unauthenticated")
        );
        assert_eq!(
            mapped(ErrorKind::DeliveryUnknown),
            (StatusCode::BAD_GATEWAY, "delivery_unknown")
        );
        assert_eq!(
            mapped(ErrorKind::Timeout),
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        );
    }
}
