//! `auth.test`: whether Slack accepts the bot token, and as whom.

use cato_runbook_core::Result;
use reqwest::Method;
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::{PROVIDER, Slack, errors};
use cato_runbook_core::call::Failure;

const AUTH_TEST: &str = "/api/auth.test";

#[derive(Deserialize)]
struct Identity {
    ok: bool,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    team: Option<String>,
    #[serde(default)]
    user: Option<String>,
}

impl Slack {
    /// Asks Slack who the token is (`auth.test`, a read that posts nothing): `team/user` when
    /// Slack accepts it, `Unauthenticated` naming where the token comes from when it does not.
    ///
    /// # Errors
    ///
    /// As any Slack call: `Unauthenticated` for `invalid_auth`, `not_authed`, a revoked or
    /// expired token; `Unavailable`/`Timeout` when Slack cannot be reached.
    pub async fn auth_test(&self) -> Result<String> {
        const OP: &str = "auth.test";
        let t = &self.transport;
        let build = || {
            Ok(t.request(Method::POST, AUTH_TEST)?
                .bearer_auth(self.token.expose_secret()))
        };
        t.call(OP, "token", build, |reply| {
            let answer: Identity = t.json(OP, "token", &reply)?;
            if !answer.ok {
                let code = answer.error.unwrap_or_else(|| "unknown_error".into());
                return Err(Failure::from(errors::api_error(
                    PROVIDER,
                    OP,
                    "token",
                    &code,
                    t.credential(),
                )));
            }
            Ok(format!(
                "{}/{}",
                answer.team.unwrap_or_default(),
                answer.user.unwrap_or_default()
            ))
        })
        .await
    }
}
