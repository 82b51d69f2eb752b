//! The hit rate over a window of counter deltas, shared by the detector, the diagnosis and the
//! verifications.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::error::Result;
use crate::ports::{CacheCounters, CacheStats, CacheWindow};
use crate::time::{self, HumanDuration, Timestamp};

/// One judged window: what happened between two samples of the counters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Measured {
    /// The earlier sample's time.
    pub(crate) from: Timestamp,
    /// The later sample's time.
    pub(crate) to: Timestamp,
    /// Hits, misses and evictions in between.
    pub(crate) window: CacheWindow,
}

impl Measured {
    /// Hits / lookups; a judged window always has lookups.
    pub(crate) fn hit_rate(&self) -> f64 {
        self.window.hit_rate().unwrap_or(0.0)
    }

    /// Evictions per lookup.
    pub(crate) fn eviction_share(&self) -> f64 {
        let lookups = self.window.lookups();
        if lookups == 0 {
            0.0
        } else {
            self.window.evictions as f64 / lookups as f64
        }
    }

    /// How long the window lasted.
    pub(crate) fn span(&self) -> Duration {
        time::elapsed(self.from, self.to)
    }

    /// `1160 hits, 840 misses, 95 evictions in 30s`.
    pub(crate) fn describe(&self) -> String {
        let w = &self.window;
        let mut text = format!(
            "{} hits, {} misses, {} evictions in {}",
            w.hits,
            w.misses,
            w.evictions,
            HumanDuration(self.span())
        );
        if w.reset {
            text.push_str(" (the counters restarted in the window)");
        }
        text
    }
}

/// What one sample of the counters gave.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Sample {
    /// The first sample: a window needs two.
    First,
    /// Too few lookups since the window opened: the window stays open.
    Thin {
        /// Lookups so far.
        lookups: u64,
        /// Since when.
        since: Timestamp,
    },
    /// A window with enough lookups to judge; the next one starts here.
    Window(Measured),
}

#[derive(Debug, Default)]
struct State {
    /// Where the open window starts.
    baseline: Option<CacheCounters>,
    /// The last judged window.
    latest: Option<Measured>,
}

/// Samples a cache's counters and keeps the window open until it holds enough lookups. Shared by
/// the detector (which samples) and the diagnosis and verifications (which read the latest
/// window). Thread-safe: one lock, never held across a call.
#[derive(Debug)]
pub(crate) struct HitRateMonitor {
    stats: Arc<dyn CacheStats>,
    cache: String,
    min_lookups: u64,
    state: Mutex<State>,
}

impl HitRateMonitor {
    pub(crate) fn new(stats: Arc<dyn CacheStats>, cache: String, min_lookups: u64) -> Self {
        HitRateMonitor {
            stats,
            cache,
            min_lookups: min_lookups.max(1),
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves plain data behind: keep using it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reads the counters (`INFO stats`) and closes the window if it holds enough lookups.
    pub(crate) async fn sample(&self) -> Result<Sample> {
        let now = self.stats.counters(&self.cache).await?;
        let mut state = self.state();
        let Some(baseline) = state.baseline.as_ref() else {
            state.baseline = Some(now);
            return Ok(Sample::First);
        };
        let window = CacheWindow::between(baseline, &now);
        let lookups = window.lookups();
        if lookups < self.min_lookups {
            return Ok(Sample::Thin {
                lookups,
                since: baseline.at,
            });
        }
        let measured = Measured {
            from: baseline.at,
            to: now.at,
            window,
        };
        state.baseline = Some(now);
        state.latest = Some(measured);
        Ok(Sample::Window(measured))
    }

    /// The last judged window, if any.
    pub(crate) fn latest(&self) -> Option<Measured> {
        self.state().latest
    }

    /// The cache it samples.
    pub(crate) fn cache(&self) -> &str {
        &self.cache
    }
}
