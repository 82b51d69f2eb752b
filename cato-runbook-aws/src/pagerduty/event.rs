//! Events API v2 bodies.

use std::collections::BTreeMap;

use cato_runbook_core::ports::PageSeverity;
use serde::{Deserialize, Serialize};

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
pub(super) struct Accepted {
    pub(super) status: Option<String>,
    pub(super) dedup_key: Option<String>,
}
