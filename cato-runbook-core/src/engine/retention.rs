//! Retention: closed incidents older than the retention leave the store.
//!
//! The leader asks the store ([`IncidentStore::delete_closed`](crate::ports::IncidentStore::delete_closed)) at most once per
//! [`RETENTION_SWEEP_EVERY`] to delete every incident closed more than the retention ago. Open
//! and resolved incidents (their postmortem not attached) are kept whatever their age. The
//! engine's memory holds no closed incident: a resolved one leaves it once saved (the tick's
//! sweep), and a close (the operator's) is saved at once.

use std::time::Duration;

use super::Inner;
use crate::error::{Error, Result};
use crate::time::{self, Timestamp};

/// How long a closed incident is kept by default: 90 days.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(90 * 24 * 3600);

/// The shortest retention accepted: one day (a closed incident is read again for days after).
pub const MIN_RETENTION: Duration = Duration::from_secs(24 * 3600);

/// The longest retention accepted: ten years (more is a typo, not a policy).
pub const MAX_RETENTION: Duration = Duration::from_secs(3650 * 24 * 3600);

/// How often, at most, the leader deletes what the retention lets go of.
pub const RETENTION_SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// Checks a retention: from [`MIN_RETENTION`] to [`MAX_RETENTION`].
///
/// # Errors
///
/// `InvalidInput` naming `key`.
pub fn check_retention(key: &str, retention: Duration) -> Result<()> {
    if retention < MIN_RETENTION || retention > MAX_RETENTION {
        return Err(Error::invalid_input(
            "config",
            format!(
                "{key}: {}s is not a retention; keep closed incidents from 1 day to 3650 days",
                retention.as_secs()
            ),
        ));
    }
    Ok(())
}

impl Inner {
    /// Deletes the closed incidents older than the retention, when the last sweep is at least
    /// [`RETENTION_SWEEP_EVERY`] old (the first tick of a process sweeps). A failed sweep is
    /// logged and tried again at the next period.
    pub(super) async fn expire_closed(&self, now: Timestamp) {
        {
            let mut last = self
                .last_retention_sweep
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if last.is_some_and(|at| time::elapsed(at, now) < RETENTION_SWEEP_EVERY) {
                return;
            }
            *last = Some(now);
        }
        let before = time::sub(now, self.retention);
        let deleted = crate::call::timed(
            self.clock.as_ref(),
            self.config.timeouts.call,
            "store.delete_closed",
            "closed incidents",
            self.store.delete_closed(before, self.own_fence()),
        )
        .await;
        match deleted {
            Ok(0) => {}
            Ok(deleted) => {
                tracing::info!(deleted, %before, "deleted the incidents closed before the retention")
            }
            Err(err) => {
                if err.kind() == crate::ErrorKind::Fenced {
                    self.depose(&err);
                }
                tracing::warn!(error = %err, "could not delete the closed incidents past the retention");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retention_from_a_day_to_ten_years_is_accepted_and_nothing_else() {
        let days = |n: u64| Duration::from_secs(n * 24 * 3600);
        for ok in [MIN_RETENTION, DEFAULT_RETENTION, MAX_RETENTION] {
            assert!(check_retention("[store] retention", ok).is_ok());
        }
        for bad in [Duration::ZERO, Duration::from_secs(3600), days(3651)] {
            let err = check_retention("[store] retention", bad).err();
            assert!(
                err.as_ref()
                    .is_some_and(|e| e.kind() == crate::ErrorKind::InvalidInput
                        && e.message().starts_with("[store] retention")),
                "{bad:?}: {err:?}"
            );
        }
        assert_eq!(days(90), DEFAULT_RETENTION);
    }
}
