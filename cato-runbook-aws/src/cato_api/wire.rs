//! The admin API's JSON bodies.

use std::collections::BTreeMap;

use cato_runbook_core::Timestamp;
use cato_runbook_core::ports::BudgetMode;
use serde::{Deserialize, Serialize};

/// `GET /api/admin/cato/budget/status`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct BudgetStatusBody {
    pub(super) mode: BudgetMode,
    pub(super) spent: f64,
    pub(super) monthly_limit: f64,
    pub(super) next_reset: Timestamp,
    pub(super) curiosity_enabled: bool,
}

/// `PUT /api/admin/cato/budget/config`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct BudgetConfigBody {
    pub(super) monthly_limit: f64,
}

/// `GET /api/admin/cato/traffic/status`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TrafficStatusBody {
    pub(super) shadow_self_share: f64,
    pub(super) cache_similarity_threshold: f64,
    pub(super) emergency_mode: bool,
    /// Shadow Self traffic by region; absent where the API does not split it.
    #[serde(default)]
    pub(super) regions: BTreeMap<String, f64>,
}

/// `PUT /api/admin/cato/traffic/regions`: the whole split.
#[derive(Debug, Serialize)]
pub(super) struct RegionWeightsBody<'a> {
    pub(super) weights: &'a BTreeMap<String, f64>,
}

/// `PUT /api/admin/cato/traffic/config`: only the fields given change.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TrafficConfigBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) shadow_self_share: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) cache_similarity_threshold: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) emergency_mode: Option<bool>,
}
