//! Events API v2 bodies.

use std::collections::BTreeMap;

use cato_runbook_core::ports::PageSeverity;
use cato_runbook_core::{Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};

use super::PROVIDER;

/// `POST /v2/enqueue`.
#[derive(Serialize)]
pub(super) struct Event<'a> {
    pub(super) routing_key: &'a str,
    pub(super) event_action: &'static str,
    pub(super) dedup_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) payload: Option<Payload<'a>>,
}

/// A trigger's payload.
#[derive(Serialize)]
pub(super) struct Payload<'a> {
    pub(super) summary: &'a str,
    pub(super) source: &'a str,
    pub(super) severity: PageSeverity,
    pub(super) component: &'a str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) custom_details: &'a BTreeMap<String, String>,
}

/// The answer to an accepted event: `{"status": "success", "message": "Event processed",
/// "dedup_key": "…"}`.
#[derive(Debug, Deserialize)]
pub(crate) struct Accepted {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    dedup_key: Option<String>,
}

/// The most characters of an answer's value shown in an error.
const SHOWN: usize = 64;

impl Accepted {
    /// `Ok` when the answer says the event with `dedup_key` was taken: `status` is `success`
    /// and `dedup_key`, when present, is the event's. Anything else is `MalformedResponse`
    /// naming the field; the event is accepted all the same (the status said so), and the
    /// error is only logged.
    pub(crate) fn check(self, operation: &'static str, dedup_key: &str) -> Result<()> {
        let malformed = |why: String| {
            Error::new(ErrorKind::MalformedResponse, operation, why)
                .with_provider(PROVIDER)
                .with_resource(dedup_key)
        };
        let shown = |text: &str| text.chars().take(SHOWN).collect::<String>();
        match self.status.as_deref() {
            Some("success") => {}
            Some(other) => {
                return Err(malformed(format!(
                    "status {:?} is not \"success\"",
                    shown(other)
                )));
            }
            None => return Err(malformed("an answer without a status".to_owned())),
        }
        match self.dedup_key {
            Some(answered) if answered != dedup_key => Err(malformed(format!(
                "dedup_key {:?} is not the event's",
                shown(&answered)
            ))),
            _ => Ok(()),
        }
    }
}
