//! Credentials the SDK could not find, or that AWS refused: [`ErrorKind::Unauthenticated`],
//! never retried, with a message that names the chain the SDK looks through and what to set.
//!
//! The SDK hides a failed credentials chain inside a dispatch failure (the request was never
//! sent): its source chain holds the chain's [`CredentialsError`], or, for a client without any
//! credentials provider, the orchestrator's private "no identity resolver" error, matched by
//! its text.
//!
//! [`ErrorKind::Unauthenticated`]: cato_runbook_core::ErrorKind::Unauthenticated

use aws_credential_types::provider::error::CredentialsError;
use cato_runbook_core::{ErrorKind, Retry};

use super::error::Class;

/// Where the SDK looks for credentials, in order, and what to set.
pub(crate) const CHAIN: &str = "the SDK's credential chain looks, in order, at the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, with \
AWS_SESSION_TOKEN for temporary ones), the profile (AWS_PROFILE or `profile` in \
[providers.aws]) in the shared files ~/.aws/credentials and ~/.aws/config (for SSO, run `aws \
sso login`), web identity (IRSA: AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE), then ECS \
container and EC2 instance metadata: set one of them, or renew the expired one";

/// The codes AWS answers for credentials it does not accept (missing, expired, unknown or
/// badly signed): a person must renew them.
pub(crate) const REFUSED: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "IncompleteSignature",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "MissingAuthenticationToken",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
];

/// The messages AWS sends with another code for a refused credential.
const REFUSED_MESSAGES: &[&str] = &[
    "security token included in the request is invalid",
    "security token included in the request is expired",
    "request signature we calculated does not match",
];

/// Whether a service error's code or message says the credentials were refused.
pub(crate) fn refused(code: Option<&str>, message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    code.is_some_and(|code| REFUSED.contains(&code))
        || REFUSED_MESSAGES.iter().any(|m| message.contains(m))
}

/// The class and message of an SDK error caused by loading credentials, if it was one.
pub(crate) fn not_loaded(err: &(dyn std::error::Error + 'static)) -> Option<(Class, String)> {
    let mut next = Some(err);
    while let Some(err) = next {
        if let Some(creds) = err.downcast_ref::<CredentialsError>() {
            return Some(of_credentials_error(creds));
        }
        if err.to_string().contains("no identity resolver") {
            return Some((
                Class::new(ErrorKind::Unauthenticated, Retry::Permanent),
                format!("no credentials provider is configured; {CHAIN}"),
            ));
        }
        next = err.source();
    }
    None
}

fn of_credentials_error(err: &CredentialsError) -> (Class, String) {
    let permanent = Class::new(ErrorKind::Unauthenticated, Retry::Permanent);
    // The chain's own words (which provider failed, and why) go first: they name the file or
    // the variable when it was the one that was wrong.
    let said = error_text(err);
    match err {
        CredentialsError::ProviderTimedOut(_) => (
            Class::new(ErrorKind::Timeout, Retry::Transient),
            format!("loading credentials timed out ({said}); {CHAIN}"),
        ),
        CredentialsError::Unhandled(_) => (
            Class::new(ErrorKind::Unavailable, Retry::Transient),
            format!("loading credentials failed ({said}); {CHAIN}"),
        ),
        _ => (
            permanent,
            format!("no usable AWS credentials ({said}); {CHAIN}"),
        ),
    }
}

/// An error with its causes, `a: b: c`, on one line.
fn error_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut next = err.source();
    while let Some(cause) = next {
        let said = cause.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        next = cause.source();
    }
    text.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_messages_of_a_refused_credential() {
        for code in [
            "ExpiredToken",
            "InvalidClientTokenId",
            "UnrecognizedClientException",
            "SignatureDoesNotMatch",
        ] {
            assert!(refused(Some(code), ""), "{code}");
        }
        assert!(refused(
            Some("UnrecognizedClient"),
            "The security token included in the request is invalid."
        ));
        assert!(refused(
            None,
            "The security token included in the request is expired"
        ));
        assert!(!refused(Some("AccessDeniedException"), "not allowed"));
        assert!(!refused(Some("ValidationException"), "bad"));
    }

    #[test]
    fn an_empty_chain_is_unauthenticated_and_names_what_to_set() {
        let err: Box<dyn std::error::Error + Send + Sync> = Box::new(CredentialsError::not_loaded(
            "no providers in chain provided credentials",
        ));
        let (class, message) = not_loaded(err.as_ref()).unwrap_or_else(|| unreachable!());
        assert_eq!(class.kind, ErrorKind::Unauthenticated);
        assert_eq!(class.retry, Retry::Permanent);
        for named in [
            "no providers in chain provided credentials",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_PROFILE",
            "~/.aws/credentials",
            "~/.aws/config",
            "aws sso login",
            "AWS_ROLE_ARN",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "ECS container",
            "EC2 instance metadata",
        ] {
            assert!(message.contains(named), "{named}: {message}");
        }
    }

    #[test]
    fn the_credentials_error_is_found_down_the_chain() {
        #[derive(Debug)]
        struct Wrap(CredentialsError);
        impl std::fmt::Display for Wrap {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("dispatch failure")
            }
        }
        impl std::error::Error for Wrap {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let expired = Wrap(CredentialsError::provider_error(
            "the SSO token has expired",
        ));
        let (class, message) = not_loaded(&expired).unwrap_or_else(|| unreachable!());
        assert_eq!(class.kind, ErrorKind::Unauthenticated);
        assert!(message.contains("the SSO token has expired"), "{message}");
        let slow = CredentialsError::provider_timed_out(std::time::Duration::from_secs(5));
        let (class, _) = not_loaded(&slow).unwrap_or_else(|| unreachable!());
        assert_eq!(class.kind, ErrorKind::Timeout);
        let other = std::io::Error::other("connection refused");
        assert!(not_loaded(&other).is_none());
    }

    #[test]
    fn a_client_without_a_credentials_provider_is_unauthenticated() {
        // The orchestrator's error type is private: its words are what can be matched.
        let err = std::io::Error::other(
            "no auth scheme matched auth scheme options. This is a bug. Please file an issue. \
             sigv4 (\"the service\"): there was no identity resolver for it.",
        );
        let (class, message) = not_loaded(&err).unwrap_or_else(|| unreachable!());
        assert_eq!(class.kind, ErrorKind::Unauthenticated);
        assert!(message.contains("AWS_ACCESS_KEY_ID"), "{message}");
    }
}
