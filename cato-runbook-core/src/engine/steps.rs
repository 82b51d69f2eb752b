//! Steps the engine provides for runbooks to put on their ladders.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;

use super::contacts::{Contact, Escalation, Message, Notifiers};
use crate::error::Result;
use crate::runbook::{Mitigation, Plan, Risk, StepContext, Verification};

/// A rung that calls in a person: "contact the AWS TAM". It changes nothing; it passes its
/// verification as soon as the contact is told, and the ladder moves on if the symptom stays.
///
/// ```
/// use std::sync::Arc;
/// use cato_runbook_core::engine::{ContactStep, Escalation, Notifiers};
/// use cato_runbook_core::runbook::Runbook;
/// # use cato_runbook_core::ports::{Chat, ChatMessage, Pager, Page, Posted};
/// # #[derive(Debug)] struct Quiet;
/// # impl std::fmt::Display for Quiet { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("quiet") } }
/// # #[async_trait::async_trait] impl Pager for Quiet {
/// #     async fn trigger(&self, _: &Page) -> cato_runbook_core::Result<()> { Ok(()) }
/// #     async fn acknowledge(&self, _: &str, _: &str) -> cato_runbook_core::Result<()> { Ok(()) }
/// #     async fn resolve(&self, _: &str, _: &str) -> cato_runbook_core::Result<()> { Ok(()) } }
/// # #[async_trait::async_trait] impl Chat for Quiet {
/// #     async fn post(&self, m: &ChatMessage) -> cato_runbook_core::Result<Posted> { Ok(Posted { channel: m.channel.clone(), thread: "1".into() }) } }
/// let notifiers = Notifiers::new(Arc::new(Quiet), Arc::new(Quiet));
/// let runbook = Runbook::builder("bedrock-throttling", "Bedrock throttling")
///     .step(Arc::new(ContactStep::aws_tam(&Escalation::default(), notifiers)))
///     .build()?;
/// assert_eq!(runbook.ladder()[0].name(), "contact-aws-tam");
/// # Ok::<(), cato_runbook_core::Error>(())
/// ```
pub struct ContactStep {
    name: String,
    contact: Contact,
    notifiers: Notifiers,
}

impl ContactStep {
    /// A step named `name` that tells `contact` through `notifiers`.
    pub fn new(name: impl Into<String>, contact: Contact, notifiers: Notifiers) -> Self {
        ContactStep {
            name: name.into(),
            contact,
            notifiers,
        }
    }

    /// `contact-aws-tam`: tells the escalation's AWS TAM.
    pub fn aws_tam(escalation: &Escalation, notifiers: Notifiers) -> Self {
        ContactStep::new("contact-aws-tam", escalation.aws_tam.clone(), notifiers)
    }
}

impl fmt::Debug for ContactStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContactStep")
            .field("name", &self.name)
            .field("contact", &self.contact)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Mitigation for ContactStep {
    fn name(&self) -> &str {
        &self.name
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        Ok(Plan::new(
            self,
            ctx,
            Risk::ReadOnly,
            format!("tell the {} by {}", self.contact.role, self.contact.reach),
        )
        .verify_after(Duration::ZERO))
    }

    async fn apply(&self, ctx: &StepContext, _plan: &Plan) -> Result<String> {
        let message = Message {
            key: ctx.incident.as_str(),
            summary: format!(
                "{} {} on {}: the runbook calls in the {}",
                ctx.severity, ctx.runbook, ctx.resource, self.contact.role
            ),
            source: &ctx.resource,
            component: ctx.runbook.as_str(),
            severity: ctx.severity,
            thread: None,
        };
        self.notifiers.deliver(&self.contact, &message).await?;
        Ok(format!(
            "{} told by {}",
            self.contact.role, self.contact.reach
        ))
    }

    async fn verify(&self, _ctx: &StepContext, _plan: &Plan) -> Result<Verification> {
        Ok(Verification::Passed(format!(
            "{} is on it; waiting for the symptom to clear",
            self.contact.role
        )))
    }
}
