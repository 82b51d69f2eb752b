//! Severity levels, exactly as the runbook's table, and how impact maps onto them.
//!
//! | Level | Description | Response time | Example |
//! |-------|-------------|---------------|---------|
//! | SEV1 | Complete outage, all users affected | 5 minutes | Shadow Self down |
//! | SEV2 | Degraded service, >50% affected | 15 minutes | High latency |
//! | SEV3 | Minor degradation, <50% affected | 1 hour | Cache miss spike |
//! | SEV4 | Cosmetic/minor, no user impact | 24 hours | Dashboard error |

mod impact;
#[cfg(test)]
mod tests;

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::Error;

pub use impact::Impact;

/// How bad an incident is. `SEV1` is the most severe.
///
/// The ordering follows severity: a more severe level compares *greater*, so
/// `Severity::Sev1 > Severity::Sev2` and `max()` picks the worse of two levels.
///
/// ```
/// use cato_runbook_core::Severity;
/// use std::time::Duration;
///
/// let sev: Severity = "sev2".parse()?;
/// assert_eq!(sev, Severity::Sev2);
/// assert_eq!(sev.to_string(), "SEV2");
/// assert_eq!(sev.response_time(), Duration::from_secs(15 * 60));
/// assert!(Severity::Sev1 > Severity::Sev2);
/// assert!("SEV5".parse::<Severity>().is_err());
/// # Ok::<(), cato_runbook_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Severity {
    /// Complete outage, all users affected. Respond within 5 minutes.
    #[serde(rename = "SEV1")]
    Sev1,
    /// Degraded service, more than 50 % of users affected. Respond within 15 minutes.
    #[serde(rename = "SEV2")]
    Sev2,
    /// Minor degradation, fewer than 50 % of users affected. Respond within 1 hour.
    #[serde(rename = "SEV3")]
    Sev3,
    /// Cosmetic or minor, no user impact. Respond within 24 hours.
    #[serde(rename = "SEV4")]
    Sev4,
}

impl Severity {
    /// Every level, most severe first.
    pub const ALL: [Severity; 4] = [
        Severity::Sev1,
        Severity::Sev2,
        Severity::Sev3,
        Severity::Sev4,
    ];

    /// The level's number: 1 for SEV1 … 4 for SEV4.
    pub fn level(self) -> u8 {
        match self {
            Severity::Sev1 => 1,
            Severity::Sev2 => 2,
            Severity::Sev3 => 3,
            Severity::Sev4 => 4,
        }
    }

    /// The table's description.
    pub fn description(self) -> &'static str {
        match self {
            Severity::Sev1 => "Complete outage, all users affected",
            Severity::Sev2 => "Degraded service, >50% affected",
            Severity::Sev3 => "Minor degradation, <50% affected",
            Severity::Sev4 => "Cosmetic/minor, no user impact",
        }
    }

    /// How soon someone must respond: 5 min, 15 min, 1 h, 24 h.
    pub fn response_time(self) -> Duration {
        const MIN: u64 = 60;
        Duration::from_secs(match self {
            Severity::Sev1 => 5 * MIN,
            Severity::Sev2 => 15 * MIN,
            Severity::Sev3 => 60 * MIN,
            Severity::Sev4 => 24 * 60 * MIN,
        })
    }

    /// The table's example incident.
    pub fn example(self) -> &'static str {
        match self {
            Severity::Sev1 => "Shadow Self down",
            Severity::Sev2 => "High latency",
            Severity::Sev3 => "Cache miss spike",
            Severity::Sev4 => "Dashboard error",
        }
    }

    /// Whether this level pages the on-call engineer (SEV1 and SEV2) rather than only posting
    /// to chat.
    pub fn pages(self) -> bool {
        matches!(self, Severity::Sev1 | Severity::Sev2)
    }

    /// The severity the runbook's descriptions give to `impact`.
    ///
    /// The rules, in order:
    /// 1. a complete outage is **SEV1**, whatever the share;
    /// 2. an impact no user can see is **SEV4**, whatever the share;
    /// 3. no user affected (0 %) is **SEV4**;
    /// 4. a share above 50 % is **SEV2**, up to and including 100 % without an outage;
    /// 5. exactly 50 % is **SEV2**: the table leaves it unassigned (">50%" vs "<50%"), and an
    ///    ambiguous incident gets the more severe level, the faster response;
    /// 6. anything else (above 0 %, below 50 %) is **SEV3**.
    ///
    /// Out-of-range shares cannot reach this function: [`Impact::new`] rejects them.
    ///
    /// ```
    /// use cato_runbook_core::{Impact, Severity};
    ///
    /// assert_eq!(Severity::assess(&Impact::outage()), Severity::Sev1);
    /// assert_eq!(Severity::assess(&Impact::degraded(0.8)?), Severity::Sev2);
    /// assert_eq!(Severity::assess(&Impact::degraded(0.5)?), Severity::Sev2);
    /// assert_eq!(Severity::assess(&Impact::degraded(0.2)?), Severity::Sev3);
    /// assert_eq!(Severity::assess(&Impact::none()), Severity::Sev4);
    /// # Ok::<(), cato_runbook_core::Error>(())
    /// ```
    pub fn assess(impact: &Impact) -> Severity {
        let share = impact.affected_share();
        if impact.complete_outage() {
            Severity::Sev1
        } else if !impact.user_visible() || share == 0.0 {
            Severity::Sev4
        } else if share >= 0.5 {
            Severity::Sev2
        } else {
            Severity::Sev3
        }
    }

    /// `true` if `self` is strictly more severe than `other`.
    pub fn is_worse_than(self, other: Severity) -> bool {
        self > other
    }
}

impl Ord for Severity {
    fn cmp(&self, other: &Self) -> Ordering {
        // A lower level number is more severe, and more severe compares greater.
        other.level().cmp(&self.level())
    }
}

impl PartialOrd for Severity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SEV{}", self.level())
    }
}

impl FromStr for Severity {
    type Err = Error;

    /// Parses `SEV1` … `SEV4`, in any case, ignoring surrounding white space.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        let level = trimmed
            .get(..3)
            .filter(|prefix| prefix.eq_ignore_ascii_case("sev"))
            .and_then(|_| trimmed.get(3..));
        match level {
            Some("1") => Ok(Severity::Sev1),
            Some("2") => Ok(Severity::Sev2),
            Some("3") => Ok(Severity::Sev3),
            Some("4") => Ok(Severity::Sev4),
            _ => Err(Error::invalid_input(
                "severity.parse",
                format!("{text:?} is not a severity; expected SEV1, SEV2, SEV3 or SEV4"),
            )),
        }
    }
}
