//! `GET /v3/scopes`: whether SendGrid accepts the API key, and whether it may send mail.

use cato_runbook_core::{Error, ErrorKind, Result};
use reqwest::Method;
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::{PROVIDER, SendGridMail};

const SCOPES: &str = "/v3/scopes";
/// The scope `mail.send` needs.
const MAIL_SEND: &str = "mail.send";

/// `GET /v3/scopes`' answer: `{"scopes": ["mail.send", …]}`.
#[derive(Deserialize)]
pub(crate) struct Scopes {
    scopes: Vec<String>,
}

impl Scopes {
    /// `Ok` when the scopes hold `mail.send`; `PermissionDenied` when they do not (no other
    /// scope is read or kept).
    pub(crate) fn may_send(self, operation: &'static str) -> Result<()> {
        if self.scopes.iter().any(|s| s == MAIL_SEND) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::PermissionDenied,
                operation,
                format!(
                    "the API key lacks the {MAIL_SEND} scope: give it Mail Send access in \
                     SendGrid's API keys settings"
                ),
            )
            .with_provider(PROVIDER)
            .with_resource("api key"))
        }
    }
}

impl SendGridMail {
    /// Reads the API key's scopes (sends nothing): `Ok` when it may send mail.
    ///
    /// # Errors
    ///
    /// `Unauthenticated` (401) naming where the key comes from; `PermissionDenied` when the
    /// key lacks `mail.send`; `Unavailable`/`Timeout` when SendGrid cannot be reached;
    /// `MalformedResponse` naming the field when the answer is not a list of scopes.
    pub async fn check_scopes(&self) -> Result<()> {
        const OP: &str = "scopes";
        let t = &self.transport;
        let build = || {
            Ok(t.request(Method::GET, SCOPES)?
                .bearer_auth(self.api_key.expose_secret()))
        };
        let scopes: Scopes = t.call_json(OP, "api key", build).await?;
        scopes.may_send(OP)
    }
}
