//! A round's call on a task of its own: its callers wake when it ends, not each time it does.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use futures::future::join_all;

use super::{Counting, NOW, at, query};
use crate::batch::BatchedMetrics;
use crate::error::{ErrorKind, Result};
use crate::ports::{Dimension, MetricQuery, MetricSeries, Metrics};
use crate::time::Timestamp;

/// A port that yields to the scheduler `yields` times before answering as [`Counting`] does,
/// or panics when `yields` is `None`.
#[derive(Debug, Default)]
struct Restless {
    yields: Option<usize>,
    inner: Counting,
}

impl std::fmt::Display for Restless {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("restless metrics")
    }
}

#[async_trait]
impl Metrics for Restless {
    async fn query(
        &self,
        queries: &[MetricQuery],
        start: Timestamp,
        end: Timestamp,
    ) -> Result<Vec<MetricSeries>> {
        let Some(yields) = self.yields else {
            panic!("a provider's bug");
        };
        for _ in 0..yields {
            tokio::task::yield_now().await;
        }
        self.inner.query(queries, start, end).await
    }

    async fn put(&self, _: &str, _: &str, _: &[Dimension], _: f64, _: Timestamp) -> Result<()> {
        Ok(())
    }
}

/// `future`, counting its polls in `polls`.
async fn counted<F: Future>(future: F, polls: &AtomicUsize) -> F::Output {
    let mut future = std::pin::pin!(future);
    std::future::poll_fn(|cx| {
        polls.fetch_add(1, Ordering::Relaxed);
        future.as_mut().poll(cx)
    })
    .await
}

#[tokio::test(start_paused = true)]
async fn the_callers_of_a_round_wake_when_its_call_ends_not_each_time_it_wakes() {
    let port = Arc::new(Restless {
        yields: Some(200),
        ..Restless::default()
    });
    let batched = BatchedMetrics::new(port.clone());
    let asks: Vec<_> = (0..100)
        .map(|i| [query("m", &format!("ep{i}"), "Invocations")])
        .collect();
    let polls: Vec<AtomicUsize> = asks.iter().map(|_| AtomicUsize::new(0)).collect();
    let answers = join_all(
        asks.iter()
            .zip(&polls)
            .map(|(qs, polls)| counted(batched.query(qs, at(NOW - 300), at(NOW)), polls)),
    )
    .await;
    assert!(answers.iter().all(Result::is_ok));
    assert_eq!(port.inner.calls().len(), 1);
    // Joined, woken by the round's collecting yield, woken once the call ended: a caller is
    // not polled for each of the call's 200 yields.
    let most = polls.iter().map(|p| p.load(Ordering::Relaxed)).max();
    assert!(most <= Some(4), "{most:?} polls");
}

#[tokio::test(start_paused = true)]
async fn a_call_that_panics_fails_every_caller_with_an_internal_error() {
    let batched = BatchedMetrics::new(Arc::new(Restless::default()));
    let (a, b) = (
        [query("a", "ep1", "Invocations")],
        [query("b", "ep2", "Invocations")],
    );
    let (a, b) = futures::join!(
        batched.query(&a, at(NOW - 300), at(NOW)),
        batched.query(&b, at(NOW - 300), at(NOW))
    );
    for answer in [a, b] {
        let err = answer.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Internal, "{err}");
        assert!(err.to_string().contains("panic"), "{err}");
    }
}
