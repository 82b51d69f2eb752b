//! A table's use over a window: consumed capacity and throttles from CloudWatch's
//! `AWS/DynamoDB` metrics, read through the metrics port (so the tables of a fleet share the
//! tick's `GetMetricData` calls, one per 500 series), and the provisioned figures of
//! `describe-table` where the caller has read them.

use std::time::Duration;

use crate::error::Result;
use crate::ports::{Dimension, MetricQuery, MetricSeries, Metrics, Statistic, TableState};
use crate::time::{self, Timestamp};

const NAMESPACE: &str = "AWS/DynamoDB";
/// The series read: query id, metric.
const SERIES: [(&str, &str); 4] = [
    ("consumed_read", "ConsumedReadCapacityUnits"),
    ("consumed_write", "ConsumedWriteCapacityUnits"),
    ("read_throttles", "ReadThrottleEvents"),
    ("write_throttles", "WriteThrottleEvents"),
];
/// One-minute sums: CloudWatch keeps them 15 days, longer than any window read here.
const PERIOD: Duration = Duration::from_secs(60);

/// Consumed against provisioned capacity, and throttles, over a window.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TableCapacity {
    /// Consumed read capacity units per second, peak minute of the window.
    pub consumed_read: f64,
    /// Consumed write capacity units per second, peak minute of the window.
    pub consumed_write: f64,
    /// Provisioned read capacity units (0 on demand, or not read).
    pub provisioned_read: f64,
    /// Provisioned write capacity units (0 on demand, or not read).
    pub provisioned_write: f64,
    /// Throttled requests (`ProvisionedThroughputExceededException`) in the window.
    pub throttle_events: u64,
    /// Whether the provisioned figures were read (`describe-table`).
    pub described: bool,
}

/// The queries of a table's use, built once where they are read every tick (the detector).
#[derive(Debug, Clone)]
pub(super) struct UsageQueries(Vec<MetricQuery>);

impl UsageQueries {
    /// The queries of `table`'s use.
    pub(super) fn of(table: &str) -> Self {
        UsageQueries(
            SERIES
                .iter()
                .map(|(id, metric)| MetricQuery {
                    id: (*id).to_owned(),
                    namespace: NAMESPACE.into(),
                    metric: (*metric).into(),
                    dimensions: vec![Dimension::new("TableName", table)],
                    statistic: Statistic::Sum,
                    period: PERIOD,
                })
                .collect(),
        )
    }
}

/// The peak of series `id`'s one-minute sums, per second. No point is no use: DynamoDB
/// publishes a table's consumption only for minutes with requests.
fn peak_per_second(answer: &[MetricSeries], id: &str) -> f64 {
    answer
        .iter()
        .filter(|s| s.id == id)
        .flat_map(|s| &s.points)
        .map(|p| p.value.max(0.0) / PERIOD.as_secs_f64())
        .fold(0.0, f64::max)
}

/// The sum of series `id`. No point is none: DynamoDB publishes throttle events only for
/// minutes that had some.
fn sum(answer: &[MetricSeries], id: &str) -> f64 {
    answer
        .iter()
        .filter(|s| s.id == id)
        .flat_map(|s| &s.points)
        .map(|p| p.value.max(0.0))
        .sum()
}

/// A table's use over a window.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Usage {
    pub capacity: TableCapacity,
    pub window: Duration,
}

impl Usage {
    /// The use of the table `queries` read over `[start, end)`, its provisioned figures 0
    /// until [`Usage::provisioned`] fills them in.
    ///
    /// # Errors
    ///
    /// The metrics port's.
    pub(super) async fn read(
        metrics: &dyn Metrics,
        queries: &UsageQueries,
        start: Timestamp,
        end: Timestamp,
    ) -> Result<Usage> {
        let answer = metrics.query(&queries.0, start, end).await?;
        let throttles = sum(&answer, "read_throttles") + sum(&answer, "write_throttles");
        Ok(Usage {
            capacity: TableCapacity {
                consumed_read: peak_per_second(&answer, "consumed_read"),
                consumed_write: peak_per_second(&answer, "consumed_write"),
                provisioned_read: 0.0,
                provisioned_write: 0.0,
                throttle_events: crate::convert::saturating_u64(throttles),
                described: false,
            },
            window: time::elapsed(start, end),
        })
    }

    /// The same use, with the provisioned capacity `describe-table` reported.
    pub(super) fn provisioned(mut self, state: &TableState) -> Usage {
        self.capacity.provisioned_read = state.read_capacity as f64;
        self.capacity.provisioned_write = state.write_capacity as f64;
        self.capacity.described = true;
        self
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

    /// `150000 throttled requests; consumed 1000 of 1000 RCU, 200 of 500 WCU at peak` (`1000
    /// RCU` alone when the provisioned figures were not read).
    pub(super) fn describe(&self) -> String {
        let c = &self.capacity;
        let of = |consumed: f64, provisioned: f64, unit: &str| {
            if !c.described {
                format!("{consumed:.0} {unit}")
            } else if provisioned > 0.0 {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{BillingMode, Datapoint};

    /// Answers each query with the points of its metric, as CloudWatch would.
    #[derive(Debug)]
    struct Published(Vec<(&'static str, Vec<f64>)>);

    impl std::fmt::Display for Published {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("published")
        }
    }

    #[async_trait::async_trait]
    impl Metrics for Published {
        async fn query(
            &self,
            queries: &[MetricQuery],
            start: Timestamp,
            _end: Timestamp,
        ) -> Result<Vec<MetricSeries>> {
            Ok(queries
                .iter()
                .map(|q| {
                    assert_eq!(q.namespace, "AWS/DynamoDB");
                    assert_eq!(q.dimensions, [Dimension::new("TableName", "t")]);
                    let values = self
                        .0
                        .iter()
                        .find(|(metric, _)| *metric == q.metric)
                        .map(|(_, values)| values.clone())
                        .unwrap_or_default();
                    MetricSeries {
                        id: q.id.clone(),
                        points: values
                            .into_iter()
                            .enumerate()
                            .map(|(i, value)| Datapoint {
                                at: time::add(start, PERIOD * i as u32),
                                value,
                            })
                            .collect(),
                    }
                })
                .collect())
        }

        async fn put(&self, _: &str, _: &str, _: &[Dimension], _: f64, _: Timestamp) -> Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn use_is_read_from_the_tables_metrics_and_missing_series_are_none() {
        let start = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let end = time::add(start, Duration::from_secs(600));
        let metrics = Published(vec![
            ("ConsumedReadCapacityUnits", vec![36_000.0, 60_000.0]),
            ("ConsumedWriteCapacityUnits", vec![-5.0, 6_000.0]),
            ("ReadThrottleEvents", vec![3.0]),
            ("WriteThrottleEvents", vec![0.0, 2.0]),
        ]);
        let usage = Usage::read(&metrics, &UsageQueries::of("t"), start, end)
            .await
            .unwrap();
        let c = &usage.capacity;
        assert_eq!((c.consumed_read, c.consumed_write), (1000.0, 100.0));
        assert_eq!(c.throttle_events, 5);
        assert_eq!(usage.window, Duration::from_secs(600));
        assert_eq!(
            usage.describe(),
            "5 throttled requests; consumed 1000 RCU, 100 WCU at peak"
        );
        let state = TableState {
            name: "t".into(),
            status: "ACTIVE".into(),
            billing_mode: BillingMode::Provisioned,
            read_capacity: 1000,
            write_capacity: 500,
        };
        assert_eq!(
            usage.provisioned(&state).describe(),
            "5 throttled requests; consumed 1000 of 1000 RCU, 100 of 500 WCU at peak"
        );
        // A table with no requests publishes nothing: no use, no throttles.
        let idle = Usage::read(&Published(Vec::new()), &UsageQueries::of("t"), start, end)
            .await
            .unwrap();
        assert_eq!(
            (idle.capacity.throttle_events, idle.throttled_share()),
            (0, 0.0)
        );
    }

    #[test]
    fn the_throttled_share_counts_consumed_capacity() {
        let usage = Usage {
            capacity: TableCapacity {
                consumed_read: 1000.0,
                consumed_write: 200.0,
                provisioned_read: 1000.0,
                provisioned_write: 500.0,
                throttle_events: 150_000,
                described: true,
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
