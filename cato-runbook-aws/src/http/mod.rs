//! What the HTTP providers (Cato admin API, PagerDuty, Slack) share: per-call timeouts, bounded
//! retries with back-off on the clock, and one mapping of HTTP failures to the core error.
//!
//! | what happened | [`ErrorKind`](cato_runbook_core::ErrorKind) | retried |
//! | --- | --- | --- |
//! | 400, 422, other 4xx | `InvalidInput` | no |
//! | 401, 403 | `PermissionDenied` | no |
//! | 404 | `NotFound` | no |
//! | 409, 412 | `Conflict` | no |
//! | 408, no answer within the timeout | `Timeout` | yes |
//! | 429 (honouring `Retry-After`) | `Throttled` | yes |
//! | 5xx, connection refused or reset | `Unavailable` | yes |
//! | a body that does not parse | `MalformedResponse` | no |

mod options;
mod status;
pub(crate) mod transport;

pub use options::HttpOptions;
pub(crate) use transport::Transport;
