//! The traffic-control port (Cato admin API): where LLM traffic goes, cache similarity,
//! emergency mode, and which region's Shadow Self endpoint serves it.

use std::collections::BTreeMap;
use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::incident::IdempotencyKey;

/// How far from 1 the shares of a split between regions may sum (shares written in decimal).
pub const REGION_WEIGHTS_TOLERANCE: f64 = 1e-6;

/// Cato's traffic settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrafficState {
    /// Share of LLM traffic served by the self-hosted Shadow Self rather than Bedrock,
    /// `0.0 ..= 1.0`.
    pub shadow_self_share: f64,
    /// The semantic cache's similarity threshold, `0.0 ..= 1.0`: lower serves more from cache.
    pub cache_similarity_threshold: f64,
    /// Whether emergency mode (limited responses) is on.
    pub emergency_mode: bool,
    /// The share of Shadow Self traffic each region's endpoint serves, by region
    /// (`us-east-1`), summing to 1; empty when Shadow Self traffic is not split by region (an
    /// answer without it still parses).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub regions: BTreeMap<String, f64>,
}

/// Cato's traffic controls.
#[async_trait]
pub trait TrafficControl: fmt::Debug + fmt::Display + Send + Sync {
    /// The current settings.
    async fn state(&self) -> Result<TrafficState>;

    /// Sets the Shadow Self share of LLM traffic.
    async fn set_shadow_self_share(&self, share: f64, key: &IdempotencyKey) -> Result<()>;

    /// Sets the cache similarity threshold.
    async fn set_cache_similarity_threshold(
        &self,
        threshold: f64,
        key: &IdempotencyKey,
    ) -> Result<()>;

    /// Turns emergency mode on or off.
    async fn set_emergency_mode(&self, on: bool, key: &IdempotencyKey) -> Result<()>;

    /// Splits Shadow Self traffic between regions. `weights` is the whole split, an absolute
    /// target: a share `0.0 ..= 1.0` for each region, summing to 1 (a region left out serves
    /// none).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a split
    /// [`check_region_weights`] refuses, or a region the service does not know.
    async fn set_region_weights(
        &self,
        weights: &BTreeMap<String, f64>,
        key: &IdempotencyKey,
    ) -> Result<()>;
}

/// Checks a split of Shadow Self traffic between regions before it is sent: at least one
/// region, no blank name, each share finite and within `0.0 ..= 1.0`, the shares summing to 1
/// (within [`REGION_WEIGHTS_TOLERANCE`]). The fake and every provider refuse the same splits.
///
/// ```
/// use std::collections::BTreeMap;
/// use cato_runbook_core::ports::check_region_weights;
///
/// let split = BTreeMap::from([("us-east-1".to_owned(), 0.0), ("us-west-2".to_owned(), 1.0)]);
/// assert!(check_region_weights("traffic.set_region_weights", &split).is_ok());
/// let half = BTreeMap::from([("us-west-2".to_owned(), 0.5)]);
/// assert!(check_region_weights("traffic.set_region_weights", &half).is_err());
/// ```
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) from `operation`, saying why.
pub fn check_region_weights(
    operation: &'static str,
    weights: &BTreeMap<String, f64>,
) -> Result<()> {
    let refuse = |message: &str| -> Result<()> {
        let err = Error::invalid_input(operation, message.to_owned());
        Err(err.with_resource("traffic"))
    };
    if weights.is_empty() {
        return refuse("no region given: name every region that serves");
    }
    for (region, weight) in weights {
        if region.trim().is_empty() {
            return refuse("a region's name is empty");
        }
        if !weight.is_finite() || !(0.0..=1.0).contains(weight) {
            let why = format!("the weight {weight} of {region} is not within 0..=1");
            return refuse(&why);
        }
    }
    let sum: f64 = weights.values().sum();
    if (sum - 1.0).abs() > REGION_WEIGHTS_TOLERANCE {
        return refuse(&format!("the weights sum to {sum}, not 1"));
    }
    Ok(())
}
