//! Hit rates over windows from real hits and misses: deltas, no traffic, evictions,
//! `CONFIG RESETSTAT` and a restart.

use std::time::Duration;

use cato_runbook_aws::redis::{RedisCacheStats, RedisOptions};
use cato_runbook_core::ports::{CacheStats, CacheWindow};
use redis::AsyncCommands;
use redis::aio::MultiplexedConnection;

use crate::server::{CACHE, OwnServer, Peer, free_port};
use crate::support;

async fn hits_and_misses(con: &mut MultiplexedConnection, prefix: &str, hits: u32, misses: u32) {
    let key = format!("{prefix}:present");
    let _: () = con.set(&key, "value").await.unwrap();
    for _ in 0..hits {
        let got: Option<String> = con.get(&key).await.unwrap();
        assert_eq!(got.as_deref(), Some("value"));
    }
    for i in 0..misses {
        let got: Option<String> = con.get(format!("{prefix}:absent:{i}")).await.unwrap();
        assert_eq!(got, None);
    }
}

#[tokio::test]
async fn a_window_counts_the_hits_and_misses_in_it() {
    let Some(peer) = Peer::take().await else {
        return;
    };
    let stats = peer.stats();
    let mut con = peer.connection().await;
    let before = stats.counters(CACHE).await.unwrap();
    hits_and_misses(&mut con, "window", 30, 10).await;
    let after = stats.counters(CACHE).await.unwrap();

    let w = CacheWindow::between(&before, &after);
    assert_eq!(
        (w.hits, w.misses, w.reset),
        (30, 10, false),
        "{before:?} → {after:?}"
    );
    assert_eq!(w.hit_rate(), Some(0.75));
    assert_eq!(before.run_id, after.run_id);
    assert!(before.run_id.as_deref().is_some_and(|id| id.len() == 40));
    assert!(after.at >= before.at);
}

#[tokio::test]
async fn no_traffic_is_no_data() {
    let Some(peer) = Peer::take().await else {
        return;
    };
    let stats = peer.stats();
    let before = stats.counters(CACHE).await.unwrap();
    let after = stats.counters(CACHE).await.unwrap();
    let w = CacheWindow::between(&before, &after);
    assert_eq!((w.hits, w.misses, w.reset), (0, 0, false));
    assert_eq!(w.hit_rate(), None, "reading INFO is not traffic");
}

#[tokio::test]
async fn a_burst_of_writes_past_maxmemory_shows_as_evictions() {
    let Some(peer) = Peer::take().await else {
        return;
    };
    let stats = peer.stats();
    let mut con = peer.connection().await;
    // The peer starts with these; set them again so the test says what it relies on.
    let _: () = redis::cmd("CONFIG")
        .arg(&["SET", "maxmemory", "8mb"])
        .query_async(&mut con)
        .await
        .unwrap();
    let _: () = redis::cmd("CONFIG")
        .arg(&["SET", "maxmemory-policy", "allkeys-lru"])
        .query_async(&mut con)
        .await
        .unwrap();
    let before = stats.counters(CACHE).await.unwrap();
    let value = vec![b'x'; 256 * 1024];
    for i in 0..96 {
        let _: () = con
            .set(format!("evict:{i}"), value.as_slice())
            .await
            .unwrap();
    }
    let after = stats.counters(CACHE).await.unwrap();
    let w = CacheWindow::between(&before, &after);
    assert!(!w.reset);
    assert!(
        w.evictions > 0,
        "24 MiB written under an 8 MiB limit evicted nothing: {before:?} → {after:?}"
    );
    assert_eq!(w.hit_rate(), None, "writes are neither hits nor misses");
    let _: () = redis::cmd("FLUSHDB").query_async(&mut con).await.unwrap();
}

#[tokio::test]
async fn config_resetstat_starts_the_window_again() {
    let Some(peer) = Peer::take().await else {
        return;
    };
    let stats = peer.stats();
    let mut con = peer.connection().await;
    hits_and_misses(&mut con, "reset", 20, 20).await;
    let before = stats.counters(CACHE).await.unwrap();
    assert!(before.hits >= 20 && before.misses >= 20);

    let _: () = redis::cmd("CONFIG")
        .arg("RESETSTAT")
        .query_async(&mut con)
        .await
        .unwrap();
    hits_and_misses(&mut con, "reset", 3, 1).await;
    let after = stats.counters(CACHE).await.unwrap();

    let w = CacheWindow::between(&before, &after);
    assert!(w.reset, "{before:?} → {after:?}");
    assert_eq!((w.hits, w.misses), (3, 1));
    assert_eq!(w.hit_rate(), Some(0.75), "never a negative delta");
}

#[tokio::test]
#[allow(clippy::disallowed_methods)] // a test drives tokio's time itself
async fn a_restart_is_a_new_run_and_the_connection_comes_back() {
    let Some(binary) = support::peer("CATO_TEST_REDIS_SERVER") else {
        return;
    };
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("cato-redis-restart-{port}"));
    let server = OwnServer::start(&binary, port, &dir).await;
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}")).unwrap();
    let stats = RedisCacheStats::new()
        .with_cache("restarting", client.clone())
        .with_options(
            RedisOptions::default()
                .with_timeout(Duration::from_secs(5))
                .with_reconnect_attempts(5),
        );

    let mut con = client.get_multiplexed_async_connection().await.unwrap();
    hits_and_misses(&mut con, "restart", 50, 50).await;
    let before = stats.counters("restarting").await.unwrap();
    assert_eq!((before.hits, before.misses), (50, 50));

    server.stop().await;
    let err = stats.counters("restarting").await.unwrap_err();
    assert!(
        err.is_retryable(),
        "a server that is down is worth retrying: {err}"
    );
    let server = OwnServer::start(&binary, port, &dir).await;

    let mut con = client.get_multiplexed_async_connection().await.unwrap();
    hits_and_misses(&mut con, "restart", 4, 1).await;
    // The same provider, the same connection manager: it reconnects by itself (the first
    // read after a restart may still see the old connection fail, so allow a few).
    let mut after = None;
    for _ in 0..50 {
        match stats.counters("restarting").await {
            Ok(c) => {
                after = Some(c);
                break;
            }
            Err(e) => {
                assert!(e.is_retryable(), "{e}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
    let after = after.expect("the provider never reconnected");
    assert_ne!(before.run_id, after.run_id);
    let w = CacheWindow::between(&before, &after);
    assert!(w.reset);
    assert_eq!((w.hits, w.misses), (4, 1));
    assert_eq!(w.hit_rate(), Some(0.8));
    drop(server);
}
