//! Settings every AWS provider takes.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::ports::{Clock, SystemClock};

/// The per-call timeout and the clock it runs on, shared by every AWS provider.
///
/// The SDK's own timeouts and retries come from the `SdkConfig` or client the provider was built
/// from; this timeout bounds one port call as a whole (all its SDK calls, pages and retries),
/// on the given clock, so that a virtual clock makes it deterministic.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The longest one port call may take.
    pub timeout: Duration,
    /// The clock the timeout runs on.
    pub clock: Arc<dyn Clock>,
}

impl Settings {
    /// The default per-call timeout: 30 seconds.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timeout: Self::DEFAULT_TIMEOUT,
            clock: Arc::new(SystemClock),
        }
    }
}

/// `with_timeout` and `with_clock` for a provider that holds [`Settings`] in `settings`.
macro_rules! settings_builders {
    ($provider:ty) => {
        impl $provider {
            /// Bounds every port call (all its SDK calls and pages) to `timeout`; an overrun is
            /// an [`ErrorKind::Timeout`](cato_runbook_core::ErrorKind::Timeout) error.
            #[must_use]
            pub fn with_timeout(mut self, timeout: std::time::Duration) -> Self {
                self.settings.timeout = timeout;
                self
            }

            /// Runs the per-call timeout on `clock` (the wall clock by default).
            #[must_use]
            pub fn with_clock(
                mut self,
                clock: std::sync::Arc<dyn cato_runbook_core::ports::Clock>,
            ) -> Self {
                self.settings.clock = clock;
                self
            }
        }
    };
}
pub(crate) use settings_builders;
