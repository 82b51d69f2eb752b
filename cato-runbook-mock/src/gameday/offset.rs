//! Times in a scenario: offsets from its start, written `T+5m`, `5m` or `T+0`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A virtual time relative to the scenario's start (T+0).
///
/// ```
/// use cato_runbook_mock::gameday::Offset;
/// use std::time::Duration;
///
/// assert_eq!("T+15m".parse::<Offset>()?.as_duration(), Duration::from_secs(900));
/// assert_eq!("90s".parse::<Offset>()?.to_string(), "T+1m30s");
/// assert_eq!("T+0".parse::<Offset>()?.as_duration(), Duration::ZERO);
/// assert!("T-1m".parse::<Offset>().unwrap_err().contains("before the scenario starts"));
/// # Ok::<(), String>(())
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Offset(Duration);

impl Offset {
    /// T+0.
    pub const ZERO: Offset = Offset(Duration::ZERO);

    /// An offset of `duration` after the start.
    pub fn new(duration: Duration) -> Self {
        Offset(duration)
    }

    /// The offset as a duration since the start.
    pub fn as_duration(self) -> Duration {
        self.0
    }
}

impl FromStr for Offset {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        if let Some(rest) = trimmed
            .strip_prefix("T-")
            .or_else(|| trimmed.strip_prefix('-'))
        {
            return Err(format!(
                "time {trimmed:?} is before the scenario starts (T+0); times count from T+0 ({rest} too early)"
            ));
        }
        let body = trimmed
            .strip_prefix("T+")
            .or_else(|| trimmed.strip_prefix('+'))
            .unwrap_or(trimmed);
        if body == "0" || trimmed == "T" {
            return Ok(Offset::ZERO);
        }
        humantime::parse_duration(body)
            .map(Offset)
            .map_err(|e| format!("{text:?} is not a time such as \"T+5m\" or \"90s\": {e}"))
    }
}

impl TryFrom<String> for Offset {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        text.parse()
    }
}

impl From<Offset> for String {
    fn from(offset: Offset) -> String {
        offset.to_string()
    }
}

impl fmt::Display for Offset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_zero() {
            f.write_str("T+0")
        } else {
            write!(f, "T+{}", cato_runbook_core::time::HumanDuration(self.0))
        }
    }
}

/// `T+mm:ss` (or `T+h:mm:ss` past an hour) for timelines.
pub(crate) fn clock_label(offset: Duration) -> String {
    let secs = offset.as_secs();
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    if h > 0 {
        format!("T+{h}:{m:02}:{s:02}")
    } else {
        format!("T+{m:02}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_people_write() {
        for (text, secs) in [
            ("T+0", 0),
            ("0", 0),
            ("0s", 0),
            ("T+30s", 30),
            ("+2m", 120),
            ("1h 30m", 5400),
        ] {
            assert_eq!(
                text.parse::<Offset>().unwrap().as_duration().as_secs(),
                secs,
                "{text}"
            );
        }
        for bad in ["T-5m", "-1s", "soon", "T+", "5 parsecs"] {
            assert!(bad.parse::<Offset>().is_err(), "{bad}");
        }
    }

    #[test]
    fn labels() {
        assert_eq!(clock_label(Duration::from_secs(90)), "T+01:30");
        assert_eq!(clock_label(Duration::from_secs(3725)), "T+1:02:05");
        assert_eq!(Offset::new(Duration::from_secs(900)).to_string(), "T+15m");
    }
}
