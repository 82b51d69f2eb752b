//! Slack's `{"ok": false, "error": "…"}` codes as core errors.

use cato_runbook_core::{Error, ErrorKind};

/// A refusal (`"ok": false`) as [`api_error`] makes it: its `error` code, `unknown_error` when
/// it gave none.
pub(super) fn refusal(
    provider: &'static str,
    operation: &'static str,
    resource: &str,
    code: Option<String>,
    credential: &str,
) -> Error {
    let code = code.as_deref().unwrap_or("unknown_error");
    api_error(provider, operation, resource, code, credential)
}

/// The error for Slack's error `code`; a token Slack refuses names `credential`, where it
/// comes from.
pub(super) fn api_error(
    provider: &'static str,
    operation: &'static str,
    channel: &str,
    code: &str,
    credential: &str,
) -> Error {
    let kind = match code {
        "channel_not_found" | "thread_not_found" | "message_not_found" => ErrorKind::NotFound,
        "not_in_channel"
        | "is_archived"
        | "restricted_action"
        | "missing_scope"
        | "no_permission"
        | "ekm_access_denied"
        | "team_access_not_granted" => ErrorKind::PermissionDenied,
        "invalid_auth" | "not_authed" | "account_inactive" | "token_revoked" | "token_expired" => {
            ErrorKind::Unauthenticated
        }
        "ratelimited" | "rate_limited" | "message_limit_exceeded" => ErrorKind::Throttled,
        "internal_error" | "fatal_error" | "service_unavailable" | "request_timeout" => {
            ErrorKind::Unavailable
        }
        _ => ErrorKind::InvalidInput,
    };
    let code = code
        .chars()
        .take(64)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>();
    let error = Error::new(kind, operation, format!("Slack says {code}"))
        .with_provider(provider)
        .with_resource(channel);
    if kind == ErrorKind::Unauthenticated {
        crate::http::transport::refused_credential(error, credential)
    } else {
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cato_runbook_core::Retry;

    #[test]
    fn codes_map_to_kinds() {
        let k = |c: &str| {
            let e = api_error("slack", "op", "#c", c, "SLACK_BOT_TOKEN");
            (e.kind(), e.retry())
        };
        assert_eq!(
            k("channel_not_found"),
            (ErrorKind::NotFound, Retry::Permanent)
        );
        for refused in [
            "invalid_auth",
            "not_authed",
            "token_revoked",
            "token_expired",
        ] {
            assert_eq!(
                k(refused),
                (ErrorKind::Unauthenticated, Retry::Permanent),
                "{refused}"
            );
        }
        let e = api_error("slack", "op", "#c", "invalid_auth", "SLACK_BOT_TOKEN");
        assert!(e.message().contains("SLACK_BOT_TOKEN"), "{e}");
        assert_eq!(
            k("missing_scope"),
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
