//! Between the SDK's `DateTime` and the core's `Timestamp`.

use aws_smithy_types::DateTime;
use cato_runbook_core::Timestamp;

/// The SDK's time as a core timestamp; `None` when it does not fit.
pub(crate) fn to_timestamp(at: &DateTime) -> Option<Timestamp> {
    chrono::DateTime::from_timestamp(at.secs(), at.subsec_nanos())
}

/// A core timestamp as the SDK's time.
pub(crate) fn from_timestamp(at: Timestamp) -> DateTime {
    DateTime::from_secs_and_nanos(at.timestamp(), at.timestamp_subsec_nanos())
}
