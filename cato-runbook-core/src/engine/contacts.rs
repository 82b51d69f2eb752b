//! The runbook's emergency contacts and how each is reached.
//!
//! | Role | Contact | Escalation |
//! |------|---------|------------|
//! | On-call Engineer | PagerDuty | Auto |
//! | Engineering Lead | @lead-eng Slack | 15 min |
//! | VP Engineering | Phone | 30 min (SEV1 only) |
//! | AWS TAM | aws-support@company.com | As needed |

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::ports::{Chat, ChatMessage, Email, Mail, Page, PageSeverity, Pager};
use crate::severity::Severity;

/// How a contact is reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "via", rename_all = "snake_case", deny_unknown_fields)]
pub enum Reach {
    /// A page through the [`Pager`] port to a routing name (`on-call`).
    Pager {
        /// The routing name.
        target: String,
    },
    /// A phone call, placed by the [`Pager`] port's phone escalation for a routing name.
    Phone {
        /// The routing name whose policy phones (`vp-engineering`).
        target: String,
    },
    /// A mention in the incident's chat thread.
    Chat {
        /// The channel.
        channel: String,
        /// The handle mentioned, e.g. `@lead-eng`.
        mention: String,
    },
    /// An email through the [`Mail`] port.
    Email {
        /// The address.
        address: String,
    },
}

impl Reach {
    /// The channel name on the timeline: `pager`, `phone`, `chat` or `mail`.
    pub fn channel(&self) -> &'static str {
        match self {
            Reach::Pager { .. } => "pager",
            Reach::Phone { .. } => "phone",
            Reach::Chat { .. } => "chat",
            Reach::Email { .. } => "mail",
        }
    }

    /// Who or where: the routing name, the handle, the address.
    pub fn target(&self) -> &str {
        match self {
            Reach::Pager { target } | Reach::Phone { target } => target,
            Reach::Chat { mention, .. } => mention,
            Reach::Email { address } => address,
        }
    }
}

impl fmt::Display for Reach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.channel(), self.target())
    }
}

/// A role and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// The role, as the runbook names it: `Engineering Lead`.
    pub role: String,
    /// How to reach it.
    pub reach: Reach,
}

impl Contact {
    /// A contact for `role`, reached through `reach`.
    pub fn new(role: impl Into<String>, reach: Reach) -> Self {
        Contact {
            role: role.into(),
            reach,
        }
    }
}

/// One rung of the escalation ladder: who is told when an incident is still unacknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationLevel {
    /// Who.
    pub contact: Contact,
    /// How long after detection, without an acknowledgement.
    #[serde(with = "humantime_serde")]
    pub after: Duration,
    /// The severities it applies to; empty means every severity.
    #[serde(default)]
    pub severities: Vec<Severity>,
}

impl EscalationLevel {
    /// Whether this level applies to an incident of `severity`.
    pub fn applies_to(&self, severity: Severity) -> bool {
        self.severities.is_empty() || self.severities.contains(&severity)
    }
}

/// The contacts of the runbook's table and the escalation delays.
///
/// The default is the runbook's: the on-call engineer paged at once, the Engineering Lead
/// (`@lead-eng` in Slack) after 15 minutes without an acknowledgement, the VP Engineering by
/// phone after 30 minutes for SEV1 only, the AWS TAM (`aws-support@company.com`) on demand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Escalation {
    /// Paged as soon as an incident of a paging severity (SEV1, SEV2) opens.
    pub on_call: Contact,
    /// Told in order while nobody acknowledges.
    pub levels: Vec<EscalationLevel>,
    /// Reached on demand: by an operator, or by a runbook step.
    pub aws_tam: Contact,
}

impl Default for Escalation {
    fn default() -> Self {
        Escalation {
            on_call: Contact::new(
                "On-call Engineer",
                Reach::Pager {
                    target: "on-call".into(),
                },
            ),
            levels: vec![
                EscalationLevel {
                    contact: Contact::new(
                        "Engineering Lead",
                        Reach::Chat {
                            channel: "#cato-incident".into(),
                            mention: "@lead-eng".into(),
                        },
                    ),
                    after: Duration::from_secs(15 * 60),
                    severities: Vec::new(),
                },
                EscalationLevel {
                    contact: Contact::new(
                        "VP Engineering",
                        Reach::Phone {
                            target: "vp-engineering".into(),
                        },
                    ),
                    after: Duration::from_secs(30 * 60),
                    severities: vec![Severity::Sev1],
                },
            ],
            aws_tam: Contact::new(
                "AWS TAM",
                Reach::Email {
                    address: "aws-support@company.com".into(),
                },
            ),
        }
    }
}

/// The notifier ports, together: what the engine and contact steps deliver through.
#[derive(Debug, Clone)]
pub struct Notifiers {
    /// The pager (also places phone calls).
    pub pager: Arc<dyn Pager>,
    /// Chat.
    pub chat: Arc<dyn Chat>,
    /// Mail, if the host has it; without it an email contact fails with
    /// [`ErrorKind::Unsupported`].
    pub mail: Option<Arc<dyn Mail>>,
}

impl Notifiers {
    /// A pager and a chat, no mail.
    pub fn new(pager: Arc<dyn Pager>, chat: Arc<dyn Chat>) -> Self {
        Notifiers {
            pager,
            chat,
            mail: None,
        }
    }

    /// Adds the mail port.
    pub fn with_mail(mut self, mail: Arc<dyn Mail>) -> Self {
        self.mail = Some(mail);
        self
    }
}

/// What to tell a contact about an incident.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    /// The incident's dedup string for pages (its id).
    pub key: &'a str,
    /// One line.
    pub summary: String,
    /// The resource.
    pub source: &'a str,
    /// The runbook.
    pub component: &'a str,
    /// The incident's severity.
    pub severity: Severity,
    /// The incident's chat thread, if any.
    pub thread: Option<&'a str>,
}

impl Notifiers {
    /// Delivers `message` to `contact`.
    ///
    /// # Errors
    ///
    /// The port's error, or [`ErrorKind::Unsupported`] for an email without a mail port.
    pub async fn deliver(&self, contact: &Contact, message: &Message<'_>) -> Result<()> {
        match &contact.reach {
            Reach::Pager { target } | Reach::Phone { target } => {
                let mut details = BTreeMap::new();
                details.insert("role".to_owned(), contact.role.clone());
                details.insert("reach".to_owned(), contact.reach.channel().to_owned());
                let page = Page {
                    target: target.clone(),
                    dedup_key: message.key.to_owned(),
                    summary: message.summary.clone(),
                    source: message.source.to_owned(),
                    component: message.component.to_owned(),
                    severity: PageSeverity::from(message.severity),
                    details,
                };
                self.pager.trigger(&page).await
            }
            Reach::Chat { channel, mention } => {
                let post = ChatMessage {
                    channel: channel.clone(),
                    text: format!("{mention} {}", message.summary),
                    thread: message.thread.map(str::to_owned),
                    key: None,
                };
                self.chat.post(&post).await.map(|_| ())
            }
            Reach::Email { address } => {
                let mail = self.mail.as_ref().ok_or_else(|| {
                    Error::new(
                        ErrorKind::Unsupported,
                        "notify.email",
                        "no mail port is configured",
                    )
                    .with_resource(address.clone())
                })?;
                let email = Email {
                    to: address.clone(),
                    subject: format!("[{}] {}", message.severity, message.key),
                    body: message.summary.clone(),
                };
                mail.send(&email).await
            }
        }
    }
}
