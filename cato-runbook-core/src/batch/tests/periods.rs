//! Series of several period lengths in one call.

use super::*;

/// A metrics port that buckets as CloudWatch does: each query's periods from the call's start
/// rounded down to the minute, one point a period (the period's start), counting its calls.
#[derive(Debug, Default)]
struct Bucketing {
    calls: Mutex<Vec<(usize, Timestamp, Timestamp)>>,
}

impl std::fmt::Display for Bucketing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("bucketing metrics")
    }
}

#[async_trait]
impl Metrics for Bucketing {
    async fn query(
        &self,
        queries: &[MetricQuery],
        start: Timestamp,
        end: Timestamp,
    ) -> Result<Vec<MetricSeries>> {
        self.calls.lock().unwrap().push((queries.len(), start, end));
        let first = start.timestamp().div_euclid(60) * 60;
        Ok(queries
            .iter()
            .map(|q| MetricSeries {
                id: q.id.clone(),
                points: (first..end.timestamp())
                    .step_by(q.period.as_secs() as usize)
                    .map(|s| Datapoint {
                        at: at(s),
                        value: s as f64,
                    })
                    .collect(),
            })
            .collect())
    }

    async fn put(&self, _: &str, _: &str, _: &[Dimension], _: f64, _: Timestamp) -> Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn periods_of_several_lengths_share_one_call_and_keep_their_buckets() {
    let port = Arc::new(Bucketing::default());
    let batched = BatchedMetrics::new(port.clone());
    let mut five = query("five", "ep", "Invocations");
    five.period = Duration::from_secs(300);
    let mut three = query("three", "ep", "ModelLatency");
    three.period = Duration::from_secs(180);
    let (five_from, three_from, end) = (at(NOW - 300), at(NOW - 180), at(NOW));
    let (a, b) = futures::join!(
        batched.query(std::slice::from_ref(&five), five_from, end),
        batched.query(std::slice::from_ref(&three), three_from, end),
    );
    let calls = port.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 1, "one call for both alignments: {calls:?}");
    // Each answer is what the port answers the query alone.
    let alone = Bucketing::default();
    assert_eq!(
        a.unwrap(),
        alone.query(&[five], five_from, end).await.unwrap()
    );
    assert_eq!(
        b.unwrap(),
        alone.query(&[three], three_from, end).await.unwrap()
    );
}

/// A read starts where chrono's truncation to the minute puts it, for minute periods, and where
/// it was asked otherwise.
#[test]
fn a_read_starts_at_the_minute_chrono_truncates_to() {
    use crate::batch::metrics::read_start;
    use chrono::{DurationRound, TimeDelta};
    let starts = [
        at(0),
        at(59),
        at(60),
        at(1_800_000_007),
        at(-1),
        at(-61),
        at(1_800_000_000) + TimeDelta::milliseconds(999),
        at(1_800_000_059) + TimeDelta::nanoseconds(1),
    ];
    for start in starts {
        let truncated = start.duration_trunc(TimeDelta::minutes(1)).unwrap();
        assert_eq!(read_start(start, 60), truncated, "{start}");
        assert_eq!(read_start(start, 300), truncated, "{start}");
        assert_eq!(read_start(start, 1), start, "{start}");
        assert_eq!(read_start(start, 90), start, "{start}");
    }
}
