//! The symptom: the table's throttled requests against its traffic, over the window.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::Config;
use crate::catalog::kit;
use crate::error::Result;
use crate::ports::{TableCapacity, Tables};
use crate::runbook::{Detector, Observation, ObserveContext, Symptom};
use crate::severity::Impact;
use crate::time::{self, HumanDuration, Timestamp};

/// A table's use over a window.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Usage {
    pub capacity: TableCapacity,
    pub window: Duration,
}

impl Usage {
    /// Capacity use of `table` over `[start, end)`.
    pub(super) async fn of(
        tables: &dyn Tables,
        table: &str,
        start: Timestamp,
        end: Timestamp,
    ) -> Result<Usage> {
        let capacity = tables.capacity(table, start, end).await?;
        Ok(Usage {
            capacity,
            window: time::elapsed(start, end),
        })
    }

    fn seconds(&self) -> f64 {
        self.window.as_secs_f64().max(1.0)
    }

    /// Throttled requests a second, on average.
    pub(super) fn throttled_per_second(&self) -> f64 {
        self.capacity.throttle_events as f64 / self.seconds()
    }

    /// The throttled share of the table's requests: throttled against throttled plus consumed
    /// (an estimate, from the consumption's peak).
    pub(super) fn throttled_share(&self) -> f64 {
        let throttled = self.capacity.throttle_events as f64;
        let consumed =
            (self.capacity.consumed_read + self.capacity.consumed_write) * self.seconds();
        if throttled + consumed > 0.0 {
            (throttled / (throttled + consumed)).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// `consumed 1000 of 1000 RCU, 200 of 500 WCU`.
    pub(super) fn describe(&self) -> String {
        let c = &self.capacity;
        let of = |consumed: f64, provisioned: f64, unit: &str| {
            if provisioned > 0.0 {
                format!("{consumed:.0} of {provisioned:.0} {unit}")
            } else {
                format!("{consumed:.0} {unit} on demand")
            }
        };
        format!(
            "{} throttled requests; consumed {}, {} at peak",
            c.throttle_events,
            of(c.consumed_read, c.provisioned_read, "RCU"),
            of(c.consumed_write, c.provisioned_write, "WCU")
        )
    }
}

/// Throttled requests against the table's traffic over the window.
#[derive(Debug)]
pub(super) struct TableThrottling {
    pub tables: Arc<dyn Tables>,
    pub config: Arc<Config>,
}

#[async_trait]
impl Detector for TableThrottling {
    fn name(&self) -> &str {
        "table-throttling"
    }

    fn resource(&self) -> &str {
        &self.config.table
    }

    async fn observe(&self, ctx: &ObserveContext) -> Result<Observation> {
        let (start, end) = kit::whole_minutes(ctx.now, self.config.window);
        let usage = Usage::of(self.tables.as_ref(), &self.config.table, start, end).await?;
        if usage.capacity.throttle_events < self.config.min_throttle_events {
            return Ok(Observation::Healthy);
        }
        let share = usage.throttled_share();
        let summary = format!(
            "{} throttled {} requests over the last {} (about {:.0} % of its traffic)",
            self.config.table,
            usage.capacity.throttle_events,
            HumanDuration(self.config.window),
            share * 100.0
        );
        Ok(Observation::Symptom(
            Symptom::new(summary, Impact::degraded(share)?).with_evidence(usage.describe()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_throttled_share_counts_consumed_capacity() {
        let usage = Usage {
            capacity: TableCapacity {
                consumed_read: 1000.0,
                consumed_write: 200.0,
                provisioned_read: 1000.0,
                provisioned_write: 500.0,
                throttle_events: 150_000,
            },
            window: Duration::from_secs(300),
        };
        let share = usage.throttled_share();
        assert!((share - 150_000.0 / 510_000.0).abs() < 1e-9, "{share}");
        assert_eq!(usage.throttled_per_second(), 500.0);
        assert_eq!(
            usage.describe(),
            "150000 throttled requests; consumed 1000 of 1000 RCU, 200 of 500 WCU at peak"
        );
    }
}
