//! Redis `INFO` as the [`CacheStats`] port: the cache's lifetime counters, read through a
//! reconnecting [`ConnectionManager`].
//!
//! One call sends `INFO server` and `INFO stats` in one round trip and reads `run_id`,
//! `keyspace_hits`, `keyspace_misses`, `evicted_keys` and `expired_keys`. The hit rate of a
//! window comes from two reads with [`CacheWindow::between`](cato_runbook_core::ports::CacheWindow::between):
//! a restart (another `run_id`) or `CONFIG RESETSTAT` (a counter went down) makes the later
//! read the whole window, and a window with no traffic has no hit rate ("no data").
//!
//! | failure | kind | retry |
//! | --- | --- | --- |
//! | a cache name that was not configured | `NotFound` | permanent |
//! | connection refused, dropped or reset | `Unavailable` | transient |
//! | no answer within the timeout | `Timeout` | transient |
//! | `WRONGPASS`, `NOAUTH`, `NOPERM` | `PermissionDenied` | permanent |
//! | `LOADING`, `TRYAGAIN`, `MASTERDOWN`, `CLUSTERDOWN` | `Unavailable` | transient |
//! | `INFO` text without the counters | `MalformedResponse` | permanent |
//! | `ERR` (e.g. `INFO` disabled) | `Unsupported` | permanent |

mod error;
mod info;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use async_trait::async_trait;
use cato_runbook_core::call;
use cato_runbook_core::ports::{CacheCounters, CacheStats, Clock, SystemClock};
use cato_runbook_core::{Error, Result};
use tokio::sync::OnceCell;

pub use info::InfoStats;

const PROVIDER: &str = "redis";
const OPERATION: &str = "INFO stats";

/// Timeouts and reconnection of a [`RedisCacheStats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedisOptions {
    /// The longest one read of the counters may take, reconnecting included.
    pub timeout: Duration,
    /// The longest one connection attempt may take.
    pub connect_timeout: Duration,
    /// How often the connection manager tries to reconnect after the connection dropped.
    pub reconnect_attempts: usize,
}

impl Default for RedisOptions {
    /// 5 s a read, 2 s a connection attempt, 3 reconnection attempts.
    fn default() -> Self {
        RedisOptions {
            timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(2),
            reconnect_attempts: 3,
        }
    }
}

impl RedisOptions {
    /// Sets the timeout of one read.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the timeout of one connection attempt.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets how often a dropped connection is retried.
    pub fn with_reconnect_attempts(mut self, attempts: usize) -> Self {
        self.reconnect_attempts = attempts;
        self
    }
}

/// One cache server: its client, and the connection made on first use.
struct Server {
    client: ::redis::Client,
    manager: OnceCell<ConnectionManager>,
}

impl Server {
    fn address(&self) -> String {
        // The address only: never the password of the URL.
        self.client.get_connection_info().addr().to_string()
    }
}

/// The counters of named Redis servers (`cato-cache` → `redis://cato-cache.…:6379`).
///
/// # Examples
///
/// ```
/// use cato_runbook_aws::redis::RedisCacheStats;
///
/// let client = redis::Client::open("redis://:hunter2@cato-cache.example:6379")?;
/// let stats = RedisCacheStats::new().with_cache("cato-cache", client);
/// assert_eq!(stats.to_string(), "redis (cato-cache at cato-cache.example:6379)");
/// assert!(!format!("{stats:?}").contains("hunter2"));
/// # Ok::<(), redis::RedisError>(())
/// ```
pub struct RedisCacheStats {
    servers: BTreeMap<String, Arc<Server>>,
    options: RedisOptions,
    clock: Arc<dyn Clock>,
}

impl Default for RedisCacheStats {
    fn default() -> Self {
        Self::new()
    }
}

impl RedisCacheStats {
    /// No caches yet: add them with [`with_cache`](Self::with_cache).
    pub fn new() -> Self {
        RedisCacheStats {
            servers: BTreeMap::new(),
            options: RedisOptions::default(),
            clock: Arc::new(SystemClock),
        }
    }

    /// The cache `name` is the server `client` connects to. The connection is made on the
    /// first read and remade whenever it drops.
    pub fn with_cache(mut self, name: impl Into<String>, client: ::redis::Client) -> Self {
        self.servers.insert(
            name.into(),
            Arc::new(Server {
                client,
                manager: OnceCell::new(),
            }),
        );
        self
    }

    /// Sets timeouts and reconnection.
    pub fn with_options(mut self, options: RedisOptions) -> Self {
        self.options = options;
        self
    }

    /// Sets the clock that stamps each read (the system clock by default).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    async fn manager(&self, cache: &str, server: &Server) -> Result<ConnectionManager> {
        let options = self.options;
        server
            .manager
            .get_or_try_init(|| async {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(options.connect_timeout))
                    .set_response_timeout(Some(options.timeout))
                    .set_number_of_retries(options.reconnect_attempts)
                    .set_min_delay(Duration::from_millis(50))
                    .set_max_delay(Duration::from_secs(1));
                ConnectionManager::new_lazy_with_config(server.client.clone(), config)
                    .map_err(|e| error::map(OPERATION, cache, e))
            })
            .await
            .cloned()
    }

    async fn read(&self, cache: &str, server: &Server) -> Result<InfoStats> {
        let mut manager = self.manager(cache, server).await?;
        let mut tries = 0;
        loop {
            tries += 1;
            let answer: std::result::Result<(String, String), _> = ::redis::pipe()
                .cmd("INFO")
                .arg("server")
                .cmd("INFO")
                .arg("stats")
                .query_async(&mut manager)
                .await;
            match answer {
                Ok((server_section, stats_section)) => {
                    return InfoStats::parse(&format!("{server_section}\r\n{stats_section}"))
                        .map_err(|e| e.with_resource(cache));
                }
                // The manager reconnects after a dropped connection: one more try uses the
                // new connection (a restarted server, a failover).
                Err(e) if tries < 2 && (e.is_connection_dropped() || e.is_io_error()) => {
                    tracing::info!(provider = PROVIDER, cache, error = %e, "connection dropped; trying again");
                }
                Err(e) => return Err(error::map(OPERATION, cache, e)),
            }
        }
    }
}

#[async_trait]
impl CacheStats for RedisCacheStats {
    async fn counters(&self, cache: &str) -> Result<CacheCounters> {
        let server = self
            .servers
            .get(cache)
            .ok_or_else(|| Error::not_found(OPERATION, cache).with_provider(PROVIDER))?;
        let timeout = self.options.timeout;
        let info = call::within(self.clock.as_ref(), timeout, self.read(cache, server))
            .await
            .ok_or_else(|| error::timeout(OPERATION, cache, timeout))??;
        tracing::debug!(
            provider = PROVIDER,
            cache,
            hits = info.hits,
            misses = info.misses,
            evictions = info.evictions,
            "read the cache counters"
        );
        Ok(CacheCounters {
            at: self.clock.now(),
            run_id: info.run_id,
            hits: info.hits,
            misses: info.misses,
            evictions: info.evictions,
            expirations: info.expirations,
        })
    }
}

impl fmt::Display for RedisCacheStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let caches: Vec<String> = self
            .servers
            .iter()
            .map(|(name, server)| format!("{name} at {}", server.address()))
            .collect();
        write!(f, "{PROVIDER} ({})", caches.join(", "))
    }
}

impl fmt::Debug for RedisCacheStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let caches: BTreeMap<&str, String> = self
            .servers
            .iter()
            .map(|(name, server)| (name.as_str(), server.address()))
            .collect();
        f.debug_struct("RedisCacheStats")
            .field("caches", &caches)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}
