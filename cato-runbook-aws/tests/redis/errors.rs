//! Every failure class of the Redis provider, each from a real cause.

use std::time::Duration;

use cato_runbook_aws::redis::{RedisCacheStats, RedisOptions};
use cato_runbook_core::ports::CacheStats;
use cato_runbook_core::{ErrorKind, Retry};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::server::{CACHE, Peer, free_port};

fn quick() -> RedisOptions {
    RedisOptions::default()
        .with_timeout(Duration::from_millis(500))
        .with_connect_timeout(Duration::from_millis(500))
        .with_reconnect_attempts(0)
}

#[tokio::test]
async fn an_unknown_cache_is_not_found() {
    let stats = RedisCacheStats::new();
    let err = stats.counters("no-such-cache").await.unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::NotFound, Retry::Permanent)
    );
    assert_eq!(err.resource(), Some("no-such-cache"));
    assert_eq!(err.provider(), Some("redis"));
}

#[tokio::test]
async fn nothing_listening_is_unavailable_and_transient() {
    let client = redis::Client::open(format!("redis://127.0.0.1:{}", free_port())).unwrap();
    let stats = RedisCacheStats::new()
        .with_cache(CACHE, client)
        .with_options(quick());
    let err = stats.counters(CACHE).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
    assert_eq!(err.retry(), Retry::Transient);
    assert_eq!(err.resource(), Some(CACHE));
}

#[tokio::test]
async fn a_paused_server_times_out() {
    let Some(peer) = Peer::take().await else {
        return;
    };
    let stats = RedisCacheStats::new()
        .with_cache(CACHE, peer.client.clone())
        .with_options(quick().with_timeout(Duration::from_millis(200)));
    stats.counters(CACHE).await.unwrap(); // connected before the pause
    let mut admin = peer.connection().await;
    let _: () = redis::cmd("CLIENT")
        .arg(&["PAUSE", "1000", "ALL"])
        .query_async(&mut admin)
        .await
        .unwrap();
    let err = stats.counters(CACHE).await.unwrap_err();
    // UNPAUSE itself waits for the pause to end on some versions; either way the server
    // answers again before the next test takes it.
    let _: () = redis::cmd("CLIENT")
        .arg("UNPAUSE")
        .query_async(&mut admin)
        .await
        .unwrap();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn wrong_credentials_and_a_missing_permission_are_permission_denied() {
    let Some(peer) = Peer::take().await else {
        return;
    };
    let mut admin = peer.connection().await;
    for rule in [
        vec!["SETUSER", "cato-reader", "on", ">right", "~*", "+@all"],
        vec![
            "SETUSER",
            "cato-no-info",
            "on",
            ">right",
            "~*",
            "+@all",
            "-info",
        ],
    ] {
        let _: () = redis::cmd("ACL")
            .arg(&rule)
            .query_async(&mut admin)
            .await
            .unwrap();
    }
    let port = peer.url.rsplit(':').next().unwrap().to_owned();

    let wrong = redis::Client::open(format!("redis://cato-reader:wrong@127.0.0.1:{port}")).unwrap();
    let stats = RedisCacheStats::new()
        .with_cache(CACHE, wrong)
        .with_options(quick());
    let err = stats.counters(CACHE).await.unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Unauthenticated, Retry::Permanent),
        "{err}"
    );
    assert!(err.message().contains("password_env"), "{err}");
    assert!(
        !err.to_string().contains("wrong"),
        "the password stays out: {err}"
    );

    let no_info =
        redis::Client::open(format!("redis://cato-no-info:right@127.0.0.1:{port}")).unwrap();
    let stats = RedisCacheStats::new()
        .with_cache(CACHE, no_info)
        .with_options(quick());
    let err = stats.counters(CACHE).await.unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::PermissionDenied, Retry::Permanent),
        "{err}"
    );

    for user in ["cato-reader", "cato-no-info"] {
        let _: () = redis::cmd("ACL")
            .arg(&["DELUSER", user])
            .query_async(&mut admin)
            .await
            .unwrap();
    }
}

/// A server that speaks RESP but answers `INFO` with `info` (and everything else with OK).
async fn fake_server(info: &'static str) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                // Commands arrive as RESP arrays: `*N`, then `$len` and the argument, N times.
                while let Ok(Some(header)) = lines.next_line().await {
                    let Some(n) = header
                        .strip_prefix('*')
                        .and_then(|n| n.parse::<usize>().ok())
                    else {
                        return;
                    };
                    let mut args = Vec::new();
                    for _ in 0..n {
                        let _len = lines.next_line().await;
                        args.push(lines.next_line().await.ok().flatten().unwrap_or_default());
                    }
                    let reply = if args.first().is_some_and(|a| a.eq_ignore_ascii_case("INFO")) {
                        info.to_owned()
                    } else {
                        "+OK\r\n".to_owned()
                    };
                    if write.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

/// `text` as a RESP bulk string.
fn bulk(text: &str) -> &'static str {
    Box::leak(format!("${}\r\n{text}\r\n", text.len()).into_boxed_str())
}

async fn read_from(info: &'static str) -> cato_runbook_core::Error {
    let port = fake_server(info).await;
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}")).unwrap();
    RedisCacheStats::new()
        .with_cache(CACHE, client)
        .with_options(quick())
        .counters(CACHE)
        .await
        .unwrap_err()
}

#[tokio::test]
async fn info_without_the_counters_is_a_malformed_response() {
    let err = read_from(bulk("# Stats\r\nno_counters:here\r\n")).await;
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::MalformedResponse, Retry::Permanent),
        "{err}"
    );
    assert!(err.message().contains("keyspace_hits"), "{err}");
    assert_eq!(err.resource(), Some(CACHE));
}

#[tokio::test]
async fn info_with_a_broken_counter_is_a_malformed_response() {
    let text = "keyspace_hits:12\r\nkeyspace_misses:many\r\nevicted_keys:0\r\nexpired_keys:0\r\n";
    let err = read_from(bulk(text)).await;
    assert_eq!(err.kind(), ErrorKind::MalformedResponse, "{err}");
    assert!(err.message().contains("keyspace_misses"), "{err}");
}

#[tokio::test]
async fn info_answered_with_a_list_is_a_malformed_response() {
    let err = read_from("*0\r\n").await;
    assert_eq!(err.kind(), ErrorKind::MalformedResponse, "{err}");
}
