//! What the HTTP providers (Cato admin API, PagerDuty, Slack) share: per-call timeouts, bounded
//! retries with back-off on the clock, and one mapping of HTTP failures to the core error.
//!
//! | what happened | [`ErrorKind`](cato_runbook_core::ErrorKind) | retried |
//! | --- | --- | --- |
//! | 400, 422, other 4xx | `InvalidInput` | no |
//! | 401 (and an API's own "not authenticated" answer) | `Unauthenticated`, naming where the credential comes from | no |
//! | 403 | `PermissionDenied` | no |
//! | 404 | `NotFound` | no |
//! | 409, 412 | `Conflict` | no |
//! | 408, no answer within the timeout | `Timeout` | yes |
//! | 429 (honouring `Retry-After`) | `Throttled` | yes |
//! | 5xx, connection refused or reset | `Unavailable` | yes |
//! | a post that is not idempotent (Slack `chat.postMessage`, SendGrid mail) sent and never answered (a timeout, a connection broken mid-request) | `DeliveryUnknown`: it may have landed; the outbox holds the notice rather than send it twice | no |
//! | a body that does not parse, or longer than `max_body_bytes` (1 MiB) | `MalformedResponse` | no |

mod options;
mod status;
pub(crate) mod transport;

pub use options::{DEFAULT_MAX_BODY_BYTES, HttpOptions};
pub(crate) use transport::Transport;

/// The builder options every HTTP provider has, written once: `with_options` (timeouts and
/// retries) and `with_clock` (what the back-off waits on), for a type with a `transport` field.
macro_rules! http_options {
    ($provider:ty) => {
        impl $provider {
            /// Sets timeouts and retries.
            pub fn with_options(mut self, options: $crate::http::HttpOptions) -> Self {
                self.transport.set_options(options);
                self
            }

            /// Sets the clock the retry back-off (and any rate limit) waits on (the system
            /// clock by default).
            pub fn with_clock(
                mut self,
                clock: std::sync::Arc<dyn cato_runbook_core::ports::Clock>,
            ) -> Self {
                self.transport.set_clock(clock);
                self
            }

            /// Names where the credential comes from (e.g. "SLACK_BOT_TOKEN (`token_env` of
            /// [providers.slack])"): the error a refused one gets says to check it there.
            pub fn with_credential_source(mut self, source: &str) -> Self {
                self.transport.set_credential(source);
                self
            }
        }
    };
}
pub(crate) use http_options;
