//! What a step adds to the bill: the capacity it declares on its plan, and the estimate the
//! engine prices it at (see [`PriceTable`](crate::catalog::prices::PriceTable)).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Hours in a day, for the per-day figure.
const HOURS_PER_DAY: f64 = 24.0;

/// Capacity a step adds, as the step knows it; the engine prices it when the step is planned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Capacity {
    /// More model endpoint (SageMaker) instances of one type.
    EndpointInstances {
        /// The instance type (`ml.g5.xlarge`); `None` when the runbook was not told.
        instance_type: Option<String>,
        /// Instances added.
        added: u32,
        /// Where the instance type comes from (`configured`, `read from endpoint config …`),
        /// or, without one, why it could not be read; `None` says nothing.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<String>,
    },
    /// More Kubernetes pods, at the configured per-pod price.
    Pods {
        /// Pods added.
        added: u32,
    },
    /// A cache cluster's nodes replaced by a bigger type.
    CacheNodes {
        /// The node type now (`cache.r7g.large`).
        from: String,
        /// The node type after (`cache.r7g.2xlarge`).
        to: String,
        /// Nodes in the cluster.
        nodes: u32,
    },
    /// A table switched from provisioned capacity to on-demand billing, serving the demand
    /// seen: request units at on-demand prices, less the provisioned capacity no longer paid.
    OnDemandTable {
        /// Read request units a second the table would serve (consumed, plus what was
        /// throttled).
        reads_per_second: f64,
        /// Write request units a second the table would serve.
        writes_per_second: f64,
        /// Read capacity units provisioned now.
        provisioned_read: u64,
        /// Write capacity units provisioned now.
        provisioned_write: u64,
    },
}

impl fmt::Display for Capacity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Capacity::EndpointInstances {
                instance_type,
                added,
                ..
            } => write!(
                f,
                "{added} × {} endpoint instance(s)",
                instance_type.as_deref().unwrap_or("unnamed")
            ),
            Capacity::Pods { added } => write!(f, "{added} pod(s)"),
            Capacity::CacheNodes { from, to, nodes } => {
                write!(f, "{nodes} cache node(s) {from} → {to}")
            }
            Capacity::OnDemandTable {
                reads_per_second,
                writes_per_second,
                ..
            } => write!(
                f,
                "on-demand table at {reads_per_second:.0} reads/s and {writes_per_second:.0} writes/s"
            ),
        }
    }
}

/// An estimate of the spend a step adds, from the price table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SpendEstimate {
    /// US dollars an hour; `None` when a price is unknown.
    pub usd_per_hour: Option<f64>,
    /// How it was reckoned (`8 × ml.g5.xlarge at $1.408/h`), or which price is missing.
    pub basis: String,
}

impl SpendEstimate {
    /// A known estimate.
    pub fn known(usd_per_hour: f64, basis: impl Into<String>) -> Self {
        SpendEstimate {
            usd_per_hour: Some(usd_per_hour),
            basis: basis.into(),
        }
    }

    /// An estimate whose price is unknown, saying which.
    pub fn unknown(basis: impl Into<String>) -> Self {
        SpendEstimate {
            usd_per_hour: None,
            basis: basis.into(),
        }
    }

    /// US dollars a day, when known.
    pub fn usd_per_day(&self) -> Option<f64> {
        self.usd_per_hour.map(|h| h * HOURS_PER_DAY)
    }

    /// Whether the step may add spend: a positive estimate, or an unknown one (fail closed).
    pub fn adds_spend(&self) -> bool {
        self.usd_per_hour.is_none_or(|h| h > 0.0)
    }
}

impl fmt::Display for SpendEstimate {
    /// `~$11.26/h (~$270/day)`, or `unknown price (no price for ml.x)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.usd_per_hour, self.usd_per_day()) {
            (Some(hour), Some(day)) => write!(f, "~${hour:.2}/h (~${day:.0}/day)"),
            _ => write!(f, "unknown price ({})", self.basis),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_estimate_reads_per_hour_and_per_day() {
        let e = SpendEstimate::known(11.264, "8 × ml.g5.xlarge at $1.408/h");
        assert_eq!(e.to_string(), "~$11.26/h (~$270/day)");
        assert!(e.adds_spend());
        let u = SpendEstimate::unknown("no price for ml.x9.huge");
        assert_eq!(u.to_string(), "unknown price (no price for ml.x9.huge)");
        assert!(u.adds_spend(), "an unknown price may add spend");
        assert!(!SpendEstimate::known(-0.5, "saves").adds_spend());
    }
}
