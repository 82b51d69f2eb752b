//! The admin API's JSON bodies.

use std::collections::BTreeMap;

use cato_runbook_core::Timestamp;
use cato_runbook_core::ports::{BudgetMode, BudgetStatus, TrafficState};
use serde::{Deserialize, Serialize};

/// `GET /api/admin/cato/budget/status`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BudgetStatusBody {
    pub(crate) mode: BudgetMode,
    pub(crate) spent: f64,
    pub(crate) monthly_limit: f64,
    pub(crate) next_reset: Timestamp,
    pub(crate) curiosity_enabled: bool,
}

impl From<BudgetStatusBody> for BudgetStatus {
    fn from(body: BudgetStatusBody) -> Self {
        BudgetStatus {
            mode: body.mode,
            spent_usd: body.spent,
            monthly_limit_usd: body.monthly_limit,
            next_reset: body.next_reset,
            curiosity_enabled: body.curiosity_enabled,
        }
    }
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
pub(crate) struct TrafficStatusBody {
    pub(crate) shadow_self_share: f64,
    pub(crate) cache_similarity_threshold: f64,
    pub(crate) emergency_mode: bool,
    /// Shadow Self traffic by region; absent where the API does not split it.
    #[serde(default)]
    pub(crate) regions: BTreeMap<String, f64>,
}

impl From<TrafficStatusBody> for TrafficState {
    fn from(body: TrafficStatusBody) -> Self {
        TrafficState {
            shadow_self_share: body.shadow_self_share,
            cache_similarity_threshold: body.cache_similarity_threshold,
            emergency_mode: body.emergency_mode,
            regions: body.regions,
        }
    }
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
