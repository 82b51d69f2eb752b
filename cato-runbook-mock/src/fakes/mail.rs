//! The mail fake: how the AWS TAM is reached.

use async_trait::async_trait;
use cato_runbook_core::ports::{Email, Mail};
use cato_runbook_core::{Error, Result};
use serde_json::json;

use super::FakeMail;
use crate::ops::Op;
use crate::world::{MailRecord, Reply};

const PROVIDER: &str = "fake-mail";

#[async_trait]
impl Mail for FakeMail {
    async fn send(&self, email: &Email) -> Result<()> {
        let op = Op::MailSend;
        let args = json!({ "to": email.to, "subject": email.subject });
        self.world
            .call(op, PROVIDER, args, None, |sim, now| {
                let at = email.to.find('@');
                if at.is_none_or(|i| i == 0 || i + 1 == email.to.len()) {
                    return Err(Error::invalid_input(
                        op.as_str(),
                        format!("{:?} is not an email address", email.to),
                    ));
                }
                sim.records.mail.push(MailRecord {
                    to: email.to.clone(),
                    subject: email.subject.clone(),
                    body: email.body.clone(),
                    at: now,
                });
                Ok(Reply::new(()))
            })
            .await
    }
}
