//! Slack's `{"ok": false, "error": "…"}` codes as core errors.

use cato_runbook_core::{Error, ErrorKind};

/// The error for Slack's error `code`.
pub(super) fn api_error(
    provider: &'static str,
    operation: &'static str,
    channel: &str,
    code: &str,
) -> Error {
    let kind = match code {
        "channel_not_found" | "thread_not_found" | "message_not_found" => ErrorKind::NotFound,
        "not_in_channel"
        | "is_archived"
        | "restricted_action"
        | "invalid_auth"
        | "not_authed"
        | "account_inactive"
        | "token_revoked"
        | "token_expired"
        | "missing_scope"
        | "no_permission"
        | "ekm_access_denied"
        | "team_access_not_granted" => ErrorKind::PermissionDenied,
        "ratelimited" | "rate_limited" | "message_limit_exceeded" => ErrorKind::Throttled,
        "internal_error" | "fatal_error" | "service_unavailable" | "request_timeout" => {
            ErrorKind::Unavailable
        }
        _ => ErrorKind::InvalidInput,
    };
    let code = code.chars().take(64).collect::<String>();
    Error::new(kind, operation, format!("Slack says {code}"))
        .with_provider(provider)
        .with_resource(channel)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cato_runbook_core::Retry;

    #[test]
    fn codes_map_to_kinds() {
        let k = |c: &str| {
            let e = api_error("slack", "op", "#c", c);
            (e.kind(), e.retry())
        };
        assert_eq!(
            k("channel_not_found"),
            (ErrorKind::NotFound, Retry::Permanent)
        );
        assert_eq!(
            k("invalid_auth"),
            (ErrorKind::PermissionDenied, Retry::Permanent)
        );
        assert_eq!(
            k("not_in_channel"),
            (ErrorKind::PermissionDenied, Retry::Permanent)
        );
        assert_eq!(k("ratelimited"), (ErrorKind::Throttled, Retry::Throttled));
        assert_eq!(
            k("internal_error"),
            (ErrorKind::Unavailable, Retry::Transient)
        );
        assert_eq!(k("no_text"), (ErrorKind::InvalidInput, Retry::Permanent));
        assert_eq!(
            k("msg_too_long"),
            (ErrorKind::InvalidInput, Retry::Permanent)
        );
    }
}
