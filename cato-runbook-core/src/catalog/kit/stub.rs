//! A metrics port for the catalog's unit tests: every query is answered, with the values given
//! for its id (one a minute from the start) and none for the others, as CloudWatch answers a
//! metric that has no data in the window (a result without values, never a 0).

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::ports::{Datapoint, Dimension, MetricQuery, MetricSeries, Metrics};
use crate::runbook::DiagnoseContext;
use crate::time::{self, Timestamp};

/// Values by query id, with the minute of the first; an id without values is a series
/// without data.
#[derive(Debug, Default)]
pub(crate) struct StubMetrics {
    values: BTreeMap<String, (u64, Vec<f64>)>,
}

impl StubMetrics {
    /// Series `id` has `values`, one a minute from the query's start.
    pub(crate) fn with(self, id: &str, values: &[f64]) -> Self {
        self.with_from(id, 0, values)
    }

    /// Series `id` has `values`, one a minute from `first` minutes after the query's start
    /// (none before).
    pub(crate) fn with_from(mut self, id: &str, first: u64, values: &[f64]) -> Self {
        self.values.insert(id.to_owned(), (first, values.to_vec()));
        self
    }

    /// Series `id` has no data.
    pub(crate) fn without(mut self, id: &str) -> Self {
        self.values.remove(id);
        self
    }
}

impl fmt::Display for StubMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("stub metrics")
    }
}

#[async_trait]
impl Metrics for StubMetrics {
    async fn query(
        &self,
        queries: &[MetricQuery],
        start: Timestamp,
        _end: Timestamp,
    ) -> Result<Vec<MetricSeries>> {
        Ok(queries
            .iter()
            .map(|q| MetricSeries {
                id: q.id.clone(),
                points: self
                    .values
                    .get(&q.id)
                    .map_or_else(Vec::new, |(first, values)| {
                        (*first..)
                            .zip(values)
                            .map(|(i, value)| Datapoint {
                                at: time::add(start, Duration::from_secs(60 * i)),
                                value: *value,
                            })
                            .collect()
                    }),
            })
            .collect())
    }

    async fn put(&self, _: &str, _: &str, _: &[Dimension], _: f64, _: Timestamp) -> Result<()> {
        Err(Error::invalid_input(
            "PutMetricData",
            "the stub is read-only",
        ))
    }
}

/// A diagnosis context at `2026-03-10 09:10 UTC`, detected then.
pub(crate) fn context(runbook: &str) -> DiagnoseContext {
    let now = chrono::DateTime::from_timestamp(1_773_133_800, 0).unwrap_or_default();
    DiagnoseContext::new("INC-1".into(), runbook.into(), "resource", now, now)
}
