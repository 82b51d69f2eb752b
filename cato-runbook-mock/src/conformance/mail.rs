//! What the engine relies on from [`Mail`]: a message to a valid address is sent, a malformed
//! address is refused.

use cato_runbook_core::ErrorKind;
use cato_runbook_core::ports::{Email, Mail};

use super::{CheckResult, During, refused, run_checks};

/// Where the checks write.
#[derive(Debug, Clone)]
pub struct MailFixture {
    /// An address that accepts mail, e.g. `aws-support@company.com`.
    pub to: String,
}

fn email(to: &str) -> Email {
    Email {
        to: to.into(),
        subject: "conformance: AWS TAM escalation".into(),
        body: "An incident needs the AWS TAM.".into(),
    }
}

/// A message to a valid address is accepted.
pub async fn sends(port: &dyn Mail, fixture: &MailFixture) -> CheckResult {
    const CHECK: &str = "mail.sends";
    port.send(&email(&fixture.to)).await.during(CHECK)
}

/// A malformed address is invalid input.
pub async fn refuses_bad_addresses(port: &dyn Mail, _fixture: &MailFixture) -> CheckResult {
    const CHECK: &str = "mail.refuses_bad_addresses";
    refused(
        port.send(&email("not-an-address")).await,
        CHECK,
        &[ErrorKind::InvalidInput],
    )
}

/// Every check.
pub async fn run_all(port: &dyn Mail, fixture: &MailFixture) -> CheckResult {
    run_checks!(port, fixture; sends, refuses_bad_addresses)
}
