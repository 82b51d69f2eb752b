//! `auth.test`: whether Slack accepts the bot token, and as whom.

use cato_runbook_core::{Error, ErrorKind, Result};
use reqwest::Method;
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::{PROVIDER, Slack, errors};
use cato_runbook_core::call::Failure;

const AUTH_TEST: &str = "/api/auth.test";

/// The longest workspace or user name taken (Slack's are far shorter).
pub(crate) const MAX_NAME: usize = 256;

/// `auth.test`'s answer.
#[derive(Deserialize)]
pub(crate) struct Identity {
    ok: bool,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    team: Option<String>,
    #[serde(default)]
    user: Option<String>,
}

impl Identity {
    /// `team/user` when Slack accepts the token, or the error the answer says: Slack's error
    /// code as a core error (a refused token names `credential`), or an ok answer whose `team`
    /// or `user` is missing, empty, longer than [`MAX_NAME`] characters or holds a control
    /// character (the name is shown to the operator).
    pub(crate) fn who(self, operation: &'static str, credential: &str) -> Result<String> {
        if !self.ok {
            return Err(errors::refusal(
                PROVIDER, operation, "token", self.error, credential,
            ));
        }
        let malformed = |why: String| {
            Error::new(ErrorKind::MalformedResponse, operation, why)
                .with_provider(PROVIDER)
                .with_resource("token")
        };
        let name = |field: &str, value: Option<String>| {
            let Some(value) = value else {
                return Err(malformed(format!("an ok answer without a {field}")));
            };
            let why = if value.is_empty() {
                format!("an ok answer with an empty {field}")
            } else if value.chars().count() > MAX_NAME {
                format!("{field} is longer than {MAX_NAME} characters")
            } else if value.chars().any(char::is_control) {
                format!("{field} holds a control character")
            } else {
                return Ok(value);
            };
            Err(malformed(why))
        };
        let team = name("team", self.team)?;
        let user = name("user", self.user)?;
        Ok(format!("{team}/{user}"))
    }
}

impl Slack {
    /// Asks Slack who the token is (`auth.test`, a read that posts nothing): `team/user` when
    /// Slack accepts it, `Unauthenticated` naming where the token comes from when it does not.
    ///
    /// # Errors
    ///
    /// As any Slack call: `Unauthenticated` for `invalid_auth`, `not_authed`, a revoked or
    /// expired token; `Unavailable`/`Timeout` when Slack cannot be reached;
    /// `MalformedResponse` for an ok answer without a sound `team` and `user`.
    pub async fn auth_test(&self) -> Result<String> {
        const OP: &str = "auth.test";
        let t = &self.transport;
        let build = || {
            Ok(t.request(Method::POST, AUTH_TEST)?
                .bearer_auth(self.token.expose_secret()))
        };
        t.call(OP, "token", build, |reply| {
            let answer: Identity = t.json(OP, "token", &reply)?;
            answer.who(OP, t.credential()).map_err(Failure::from)
        })
        .await
    }
}
