//! The shared peer, one test at a time, and servers of a test's own.

use std::process::Stdio;
use std::time::Duration;

use cato_runbook_aws::redis::{RedisCacheStats, RedisOptions};
use redis::aio::MultiplexedConnection;
use tokio::sync::{Mutex, MutexGuard};

use crate::support;

/// The peer's counters are server-wide: tests that read them take turns.
static PEER: Mutex<()> = Mutex::const_new(());

/// The name the tests give the peer's cache.
pub(crate) const CACHE: &str = "cato-cache";

/// The peer, to itself for as long as the guard lives.
pub(crate) struct Peer {
    pub(crate) url: String,
    pub(crate) client: redis::Client,
    _turn: MutexGuard<'static, ()>,
}

impl Peer {
    /// The peer, or `None` when it is missing and not required.
    pub(crate) async fn take() -> Option<Peer> {
        let url = support::peer("CATO_TEST_REDIS_URL")?;
        let turn = PEER.lock().await;
        let client = redis::Client::open(url.as_str()).unwrap();
        Some(Peer {
            url,
            client,
            _turn: turn,
        })
    }

    /// The provider, reading the peer as [`CACHE`].
    pub(crate) fn stats(&self) -> RedisCacheStats {
        RedisCacheStats::new()
            .with_cache(CACHE, self.client.clone())
            .with_options(RedisOptions::default().with_timeout(Duration::from_secs(5)))
    }

    /// A plain connection for generating traffic and for admin commands (patient: it
    /// outwaits a `CLIENT PAUSE`).
    pub(crate) async fn connection(&self) -> MultiplexedConnection {
        let config =
            redis::AsyncConnectionConfig::new().set_response_timeout(Some(Duration::from_secs(10)));
        self.client
            .get_multiplexed_async_connection_with_config(&config)
            .await
            .unwrap()
    }
}

/// A free loopback port (nothing listens on it once this returns).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A redis-server of the test's own (for restarts), killed on drop.
pub(crate) struct OwnServer {
    child: tokio::process::Child,
    dir: std::path::PathBuf,
}

impl OwnServer {
    /// Starts `binary` on `port` and waits until it answers.
    #[allow(clippy::disallowed_methods)] // a test drives tokio's time itself
    pub(crate) async fn start(binary: &str, port: u16, dir: &std::path::Path) -> OwnServer {
        std::fs::create_dir_all(dir).unwrap();
        let child = tokio::process::Command::new(binary)
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no", "--dir"])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let client = redis::Client::open(format!("redis://127.0.0.1:{port}")).unwrap();
        for _ in 0..200 {
            if let Ok(mut c) = client.get_multiplexed_async_connection().await {
                let pong: redis::RedisResult<String> = redis::cmd("PING").query_async(&mut c).await;
                if pong.is_ok() {
                    return OwnServer {
                        child,
                        dir: dir.to_owned(),
                    };
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("redis-server on port {port} did not answer");
    }

    /// Stops it and waits until it is gone.
    pub(crate) async fn stop(mut self) {
        self.child.kill().await.unwrap();
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
