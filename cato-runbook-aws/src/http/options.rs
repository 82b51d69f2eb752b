//! Timeouts and retries of an HTTP provider.

use std::time::Duration;

/// How an HTTP provider times out and retries.
///
/// Every try (request and body) has [`timeout`](Self::timeout); a try that failed in a way a
/// retry can help (a timeout, a 5xx, a 429, a dropped connection) is tried again after an
/// exponential back-off between [`min_backoff`](Self::min_backoff) and
/// [`max_backoff`](Self::max_backoff) (a `Retry-After` header wins, capped at the maximum), up
/// to [`max_attempts`](Self::max_attempts) tries in all. Back-off waits run on the provider's
/// clock.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cato_runbook_aws::http::HttpOptions;
///
/// let options = HttpOptions::default()
///     .with_timeout(Duration::from_secs(5))
///     .with_max_attempts(1); // no retries
/// assert_eq!(options.max_attempts, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpOptions {
    /// The longest one try may take.
    pub timeout: Duration,
    /// Tries in all, the first included (at least 1).
    pub max_attempts: u32,
    /// The first back-off.
    pub min_backoff: Duration,
    /// The longest back-off (and the cap on `Retry-After`).
    pub max_backoff: Duration,
    /// The largest reply body read, in bytes: a longer one is a `MalformedResponse` naming
    /// the operation, not an allocation without bound. Default 1 MiB.
    pub max_body_bytes: usize,
}

/// The default [`HttpOptions::max_body_bytes`]: 1 MiB, far above any reply these APIs document.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

impl Default for HttpOptions {
    /// 10 s a try, 3 tries, back-off from 500 ms up to 30 s, bodies up to 1 MiB.
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(10),
            max_attempts: 3,
            min_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

impl HttpOptions {
    /// Sets the timeout of one try.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the number of tries in all (0 counts as 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the largest reply body read, in bytes.
    pub fn with_max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Sets the back-off range.
    pub fn with_backoff(mut self, min: Duration, max: Duration) -> Self {
        self.min_backoff = min;
        self.max_backoff = max.max(min);
        self
    }
}
