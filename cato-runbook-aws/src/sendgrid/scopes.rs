//! `GET /v3/scopes`: whether SendGrid accepts the API key, and whether it may send mail.

use cato_runbook_core::{Error, ErrorKind, Result};
use reqwest::Method;
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::{PROVIDER, SendGridMail};

const SCOPES: &str = "/v3/scopes";
/// The scope `mail.send` needs.
const MAIL_SEND: &str = "mail.send";

#[derive(Deserialize)]
struct Scopes {
    scopes: Vec<String>,
}

impl SendGridMail {
    /// Reads the API key's scopes (sends nothing): `Ok` when it may send mail.
    ///
    /// # Errors
    ///
    /// `Unauthenticated` (401) naming where the key comes from; `PermissionDenied` when the
    /// key lacks `mail.send`; `Unavailable`/`Timeout` when SendGrid cannot be reached.
    pub async fn check_scopes(&self) -> Result<()> {
        const OP: &str = "scopes";
        let t = &self.transport;
        let build = || {
            Ok(t.request(Method::GET, SCOPES)?
                .bearer_auth(self.api_key.expose_secret()))
        };
        let scopes: Scopes = t.call_json(OP, "api key", build).await?;
        if scopes.scopes.iter().any(|s| s == MAIL_SEND) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::PermissionDenied,
                OP,
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
