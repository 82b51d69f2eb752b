//! Numbers from outside as integers: a float (a metric's sum, a scaled count) becomes a count
//! that saturates, and says so, instead of an `as` cast that turns `NaN` into 0 without a word.
//!
//! ```
//! use cato_runbook_core::convert::{saturating_u32, saturating_u64};
//!
//! assert_eq!(saturating_u64(41.6), 42);
//! assert_eq!(saturating_u64(f64::NAN), 0);
//! assert_eq!(saturating_u64(-3.0), 0);
//! assert_eq!(saturating_u64(1e30), u64::MAX);
//! assert_eq!(saturating_u32(f64::INFINITY), u32::MAX);
//! ```

/// `value` rounded to the nearest whole number within `0..=max`: `NaN` and negatives are 0,
/// anything at or above `max` is `max`.
fn saturating(value: f64, max: f64) -> f64 {
    if value.is_nan() || value <= 0.0 {
        0.0
    } else {
        value.round().min(max)
    }
}

/// `value` as a count of `u64`: rounded, `NaN` and negatives 0, too large `u64::MAX`.
pub fn saturating_u64(value: f64) -> u64 {
    let rounded = saturating(value, u64::MAX as f64);
    if rounded >= u64::MAX as f64 {
        return u64::MAX;
    }
    // In range and whole: the cast is exact.
    rounded as u64
}

/// `value` as a count of `u32`: rounded, `NaN` and negatives 0, too large `u32::MAX`.
pub fn saturating_u32(value: f64) -> u32 {
    let rounded = saturating(value, f64::from(u32::MAX));
    if rounded >= f64::from(u32::MAX) {
        return u32::MAX;
    }
    rounded as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_negative_and_huge_floats_saturate() {
        for (value, expected) in [
            (f64::NAN, 0),
            (f64::NEG_INFINITY, 0),
            (-0.4, 0),
            (-1e300, 0),
            (0.4, 0),
            (0.5, 1),
            (7.0, 7),
            (4_294_967_294.6, u32::MAX),
            (4_294_967_296.0, u32::MAX),
            (1e300, u32::MAX),
            (f64::INFINITY, u32::MAX),
        ] {
            assert_eq!(saturating_u32(value), expected, "{value}");
        }
        assert_eq!(saturating_u64(f64::NAN), 0);
        assert_eq!(saturating_u64(-5.0), 0);
        assert_eq!(saturating_u64(12.5), 13);
        assert_eq!(saturating_u64(2f64.powi(53)), 1 << 53);
        assert_eq!(saturating_u64(2f64.powi(64)), u64::MAX);
        assert_eq!(saturating_u64(f64::MAX), u64::MAX);
    }
}
