//! SendGrid's Mail Send API (v3) as the [`Mail`] port: how the runbook's "AWS TAM,
//! aws-support@company.com" is reached.
//!
//! `POST /v3/mail/send` with `Authorization: Bearer <API key>` and
//!
//! ```json
//! {"personalizations": [{"to": [{"email": "aws-support@company.com"}]}],
//!  "from": {"email": "cato-runbook@company.com", "name": "Cato incident response"},
//!  "subject": "…", "content": [{"type": "text/plain", "value": "…"}]}
//! ```
//!
//! SendGrid answers 202 when it accepted the message. 400 and 413 are invalid input (never
//! retried), 401 unauthenticated (naming where the key comes from), 403 permission denied, 429 and 5xx are retried with back-off. Addresses are
//! checked before anything is sent.

pub(crate) mod scopes;

use std::fmt;

use async_trait::async_trait;
use cato_runbook_core::ports::{Email, Mail};
use cato_runbook_core::{Error, Result};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use crate::http::Transport;

const PROVIDER: &str = "sendgrid";
const SEND: &str = "/v3/mail/send";
/// SendGrid's API.
pub const DEFAULT_BASE_URL: &str = crate::defaults::SENDGRID_BASE_URL;

/// SendGrid, sending as one verified sender.
///
/// # Examples
///
/// ```
/// use cato_runbook_aws::sendgrid::{DEFAULT_BASE_URL, SendGridMail};
/// use cato_runbook_aws::secrecy::SecretString;
///
/// let mail = SendGridMail::new(
///     reqwest::Client::new(),
///     DEFAULT_BASE_URL,
///     SecretString::from("SG.secret"),
///     "cato-runbook@company.com",
/// )?;
/// assert_eq!(mail.to_string(), "sendgrid (https://api.sendgrid.com/; from cato-runbook@company.com)");
/// assert!(!format!("{mail:?}").contains("SG.secret"));
/// # Ok::<(), cato_runbook_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SendGridMail {
    transport: Transport,
    api_key: SecretString,
    from: String,
}

impl SendGridMail {
    /// The Mail Send API at `base_url` ([`DEFAULT_BASE_URL`]), with `api_key`, sending from
    /// `from` (a sender SendGrid has verified).
    ///
    /// # Errors
    ///
    /// `InvalidInput` when `base_url` is not an absolute `http(s)` URL or `from` is not an
    /// address.
    pub fn new(
        client: reqwest::Client,
        base_url: &str,
        api_key: SecretString,
        from: impl Into<String>,
    ) -> Result<Self> {
        let from = from.into();
        check_address("configure", &from)?;
        Ok(SendGridMail {
            transport: Transport::new(PROVIDER, client, base_url)?,
            api_key,
            from,
        })
    }
}

/// One `local@domain.tld`, without spaces or display names.
fn check_address(operation: &'static str, address: &str) -> Result<()> {
    let valid = match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !address.chars().any(|c| {
                    c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ','
                })
        }
        None => false,
    };
    if valid {
        Ok(())
    } else {
        Err(
            Error::invalid_input(operation, format!("{address:?} is not an email address"))
                .with_provider(PROVIDER)
                .with_resource(address),
        )
    }
}

#[derive(Serialize)]
struct Address<'a> {
    email: &'a str,
}

#[derive(Serialize)]
struct Personalization<'a> {
    to: [Address<'a>; 1],
}

#[derive(Serialize)]
struct Content<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    value: &'a str,
}

#[derive(Serialize)]
struct Message<'a> {
    personalizations: [Personalization<'a>; 1],
    from: Address<'a>,
    subject: &'a str,
    content: [Content<'a>; 1],
}

#[async_trait]
impl Mail for SendGridMail {
    async fn send(&self, email: &Email) -> Result<()> {
        const OP: &str = "mail.send";
        check_address(OP, &email.to)?;
        let subject = email.subject.trim();
        if subject.is_empty() || email.body.trim().is_empty() {
            return Err(
                Error::invalid_input(OP, "an email needs a subject and a body")
                    .with_provider(PROVIDER)
                    .with_resource(email.to.clone()),
            );
        }
        let message = Message {
            personalizations: [Personalization {
                to: [Address { email: &email.to }],
            }],
            from: Address { email: &self.from },
            subject,
            content: [Content {
                kind: "text/plain",
                value: &email.body,
            }],
        };
        tracing::info!(provider = PROVIDER, to = %email.to, subject, "sending an email");
        let t = &self.transport;
        // SendGrid has no idempotency key: a send whose answer was lost is not sent again.
        let build = || {
            Ok(t.request(Method::POST, SEND)?
                .bearer_auth(self.api_key.expose_secret())
                .json(&message))
        };
        t.post_once(OP, &email.to, build, |_| Ok(())).await
    }
}

crate::http::http_options!(SendGridMail);

impl fmt::Display for SendGridMail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{PROVIDER} ({}; from {})",
            self.transport.base_str(),
            self.from
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        for ok in ["aws-support@company.com", "a.b+tag@sub.example.org"] {
            assert!(check_address("t", ok).is_ok(), "{ok}");
        }
        for bad in [
            "not-an-address",
            "@company.com",
            "a@company",
            "a@.com",
            "a b@c.com",
            "a@b.com,c@d.com",
            "A <a@b.com>",
            "a@b@c.com",
        ] {
            assert!(check_address("t", bad).is_err(), "{bad}");
        }
    }
}
