//! The shared cache-stats checks against the real server, with real traffic running.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use cato_runbook_core::ports::SystemClock;
use cato_runbook_mock::conformance::{Settle, cache};
use redis::AsyncCommands;

use crate::server::{CACHE, Peer};

#[tokio::test]
#[allow(clippy::disallowed_methods)] // a test drives tokio's time itself
async fn cache_stats_conformance_on_a_real_server() {
    let Some(peer) = Peer::take().await else {
        return;
    };
    let stats = peer.stats();
    let mut traffic = peer.connection().await;
    let _: () = traffic.set("conformance:hot", "1").await.unwrap();
    let running = Arc::new(AtomicBool::new(true));
    // One hit and one miss at a time, in a transaction (`MULTI`/`EXEC`): no `INFO` falls between
    // the two, so every window of the counters holds as many hits as misses.
    let generator = {
        let running = Arc::clone(&running);
        tokio::spawn(async move {
            let mut n = 0u64;
            while running.load(Ordering::Relaxed) {
                let _: (Option<String>, Option<String>) = redis::pipe()
                    .atomic()
                    .get("conformance:hot")
                    .get(format!("conformance:cold:{n}"))
                    .query_async(&mut traffic)
                    .await
                    .unwrap();
                n += 1;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let fixture = cache::CacheStatsFixture {
        cache: CACHE.into(),
        missing: "no-such-cache".into(),
        hit_rate: Some(0.5),
        settle: Settle::new(
            Arc::new(SystemClock),
            Duration::from_secs(10),
            Duration::from_millis(20),
        ),
    };
    let result = cache::run_all_stats(&stats, &fixture).await;
    running.store(false, Ordering::Relaxed);
    generator.await.unwrap();
    result.unwrap();
}
