//! What a `Lease`'s spec says, read as the port needs it: until when it lasts, and its fence.

use std::time::Duration;

use cato_runbook_core::ports::Fence;
use cato_runbook_core::time;
use cato_runbook_core::{Error, ErrorKind, Result, Timestamp};
use k8s_openapi::api::coordination::v1::LeaseSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use k8s_openapi::jiff;

use super::super::PROVIDER;

/// `ttl` as the lease's whole seconds, rounded up; `None` under 1 s or past `i32::MAX`.
pub(super) fn lease_seconds(ttl: Duration) -> Option<i32> {
    if ttl < Duration::from_secs(1) {
        return None;
    }
    let whole = ttl
        .as_secs()
        .saturating_add(u64::from(ttl.subsec_nanos() > 0));
    i32::try_from(whole).ok()
}

/// `at + seconds`.
pub(super) fn after(at: Timestamp, seconds: i32) -> Timestamp {
    time::add(at, Duration::from_secs(u64::from(seconds.unsigned_abs())))
}

/// The holder named in `spec`, if any (an empty name is nobody, as in client-go).
pub(super) fn holder(spec: &LeaseSpec) -> Option<&str> {
    spec.holder_identity
        .as_deref()
        .filter(|holder| !holder.is_empty())
}

/// When the lease in `spec` lapses: `renewTime + leaseDurationSeconds`, or `None` (free) when
/// either is missing or the duration is not positive.
pub(super) fn expiry(spec: &LeaseSpec) -> Option<Timestamp> {
    let renewed = spec.renew_time.as_ref().and_then(instant)?;
    let seconds = spec.lease_duration_seconds.filter(|s| *s > 0)?;
    Some(after(renewed, seconds))
}

/// `leaseTransitions` as read: missing or negative is 0.
pub(super) fn transitions(spec: &LeaseSpec) -> i32 {
    spec.lease_transitions.unwrap_or(0).max(0)
}

/// The fence of a lease with `transitions`.
pub(super) fn fence_of(transitions: i32) -> Fence {
    Fence(u64::try_from(transitions).unwrap_or(0))
}

/// `at` to the microsecond, as the lease stores it (so what a leader computes is what a
/// follower reads back).
pub(super) fn to_micros(at: Timestamp) -> Timestamp {
    Timestamp::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

/// `at` as a Kubernetes `MicroTime`.
pub(super) fn micro_time(operation: &'static str, at: Timestamp) -> Result<MicroTime> {
    jiff::Timestamp::from_microsecond(at.timestamp_micros())
        .map(MicroTime)
        .map_err(|_| {
            Error::new(
                ErrorKind::Internal,
                operation,
                format!("{at} is out of the range of a Kubernetes MicroTime"),
            )
            .with_provider(PROVIDER)
        })
}

fn instant(at: &MicroTime) -> Option<Timestamp> {
    Timestamp::from_timestamp_micros(at.0.as_microsecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ttl_is_whole_seconds_rounded_up_from_one() {
        assert_eq!(lease_seconds(Duration::from_millis(999)), None);
        assert_eq!(lease_seconds(Duration::from_secs(1)), Some(1));
        assert_eq!(lease_seconds(Duration::from_millis(1500)), Some(2));
        assert_eq!(lease_seconds(Duration::from_secs(15)), Some(15));
        assert_eq!(lease_seconds(Duration::from_secs(u64::MAX)), None);
    }

    #[test]
    fn a_spec_without_a_holder_renew_time_or_positive_duration_is_free() {
        let spec = LeaseSpec {
            holder_identity: Some(String::new()),
            lease_duration_seconds: Some(15),
            ..LeaseSpec::default()
        };
        assert_eq!((holder(&spec), expiry(&spec)), (None, None));
        let renewed = Timestamp::from_timestamp_micros(1_773_133_200_000_000).unwrap();
        let spec = LeaseSpec {
            renew_time: Some(micro_time("t", renewed).unwrap()),
            lease_duration_seconds: Some(0),
            ..spec
        };
        assert_eq!(expiry(&spec), None);
        let spec = LeaseSpec {
            lease_duration_seconds: Some(15),
            ..spec
        };
        assert_eq!(expiry(&spec), Some(after(renewed, 15)));
    }

    #[test]
    fn transitions_are_the_fence_and_never_negative() {
        let spec = LeaseSpec {
            lease_transitions: Some(-3),
            ..LeaseSpec::default()
        };
        assert_eq!(fence_of(transitions(&spec)), Fence(0));
        assert_eq!(fence_of(transitions(&LeaseSpec::default())), Fence(0));
        assert_eq!(fence_of(7), Fence(7));
    }

    #[test]
    fn times_keep_microseconds() {
        let at = Timestamp::from_timestamp(1_773_133_200, 123_456_789).unwrap();
        let stored = micro_time("t", at).unwrap();
        assert_eq!(instant(&stored), Some(to_micros(at)));
        assert_eq!(to_micros(at).timestamp_subsec_nanos(), 123_456_000);
    }
}
