//! The traffic-control port (Cato admin API): where LLM traffic goes, cache similarity,
//! emergency mode.

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::incident::IdempotencyKey;

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
}
