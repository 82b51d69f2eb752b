//! Severity levels, exactly as the runbook's table, and how impact maps onto them.
//!
//! | Level | Description | Response time | Example |
//! |-------|-------------|---------------|---------|
//! | SEV1 | Complete outage, all users affected | 5 minutes | Shadow Self down |
//! | SEV2 | Degraded service, >50% affected | 15 minutes | High latency |
//! | SEV3 | Minor degradation, <50% affected | 1 hour | Cache miss spike |
//! | SEV4 | Cosmetic/minor, no user impact | 24 hours | Dashboard error |

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::Error;

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

/// Who is hurt by a symptom, and how badly.
///
/// The share is a fraction in `0.0..=1.0`; [`Impact::new`] rejects anything else (negative,
/// above one, NaN), and so does deserialisation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ImpactRepr", into = "ImpactRepr")]
pub struct Impact {
    affected_share: f64,
    complete_outage: bool,
    user_visible: bool,
    users_affected: Option<u64>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImpactRepr {
    affected_share: f64,
    complete_outage: bool,
    user_visible: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    users_affected: Option<u64>,
}

impl TryFrom<ImpactRepr> for Impact {
    type Error = Error;
    fn try_from(repr: ImpactRepr) -> Result<Self, Error> {
        let impact = Impact::new(repr.affected_share, repr.complete_outage, repr.user_visible)?;
        Ok(match repr.users_affected {
            Some(users) => impact.with_users_affected(users),
            None => impact,
        })
    }
}

impl From<Impact> for ImpactRepr {
    fn from(impact: Impact) -> Self {
        ImpactRepr {
            affected_share: impact.affected_share,
            complete_outage: impact.complete_outage,
            user_visible: impact.user_visible,
            users_affected: impact.users_affected,
        }
    }
}

impl Impact {
    /// An impact on `affected_share` (0.0 ..= 1.0) of users.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) if the share is NaN, negative
    /// or above 1.0.
    pub fn new(
        affected_share: f64,
        complete_outage: bool,
        user_visible: bool,
    ) -> Result<Self, Error> {
        if !(0.0..=1.0).contains(&affected_share) {
            return Err(Error::invalid_input(
                "impact.new",
                format!("affected share {affected_share} is outside 0.0..=1.0"),
            ));
        }
        Ok(Impact {
            affected_share,
            complete_outage,
            user_visible,
            users_affected: None,
        })
    }

    /// A complete outage: every user affected.
    pub fn outage() -> Self {
        Impact {
            affected_share: 1.0,
            complete_outage: true,
            user_visible: true,
            users_affected: None,
        }
    }

    /// A user-visible degradation affecting `affected_share` of users, short of an outage.
    ///
    /// # Errors
    ///
    /// As [`Impact::new`].
    pub fn degraded(affected_share: f64) -> Result<Self, Error> {
        Impact::new(affected_share, false, true)
    }

    /// Nothing a user can see (a dashboard error, a monitoring gap).
    pub fn none() -> Self {
        Impact {
            affected_share: 0.0,
            complete_outage: false,
            user_visible: false,
            users_affected: None,
        }
    }

    /// Records an estimate of how many users are affected, for the postmortem.
    pub fn with_users_affected(mut self, users: u64) -> Self {
        self.users_affected = Some(users);
        self
    }

    /// The share of users affected, `0.0 ..= 1.0`.
    pub fn affected_share(&self) -> f64 {
        self.affected_share
    }

    /// Whether the service is completely down.
    pub fn complete_outage(&self) -> bool {
        self.complete_outage
    }

    /// Whether users can see the problem at all.
    pub fn user_visible(&self) -> bool {
        self.user_visible
    }

    /// The estimated number of affected users, if known.
    pub fn users_affected(&self) -> Option<u64> {
        self.users_affected
    }

    /// The worse of two impacts: the larger share, an outage if either is one, visible if either
    /// is.
    pub fn worst(self, other: Impact) -> Impact {
        Impact {
            affected_share: self.affected_share.max(other.affected_share),
            complete_outage: self.complete_outage || other.complete_outage,
            user_visible: self.user_visible || other.user_visible,
            users_affected: match (self.users_affected, other.users_affected) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_of_the_table() {
        let rows = [
            (
                Severity::Sev1,
                "Complete outage, all users affected",
                300,
                "Shadow Self down",
            ),
            (
                Severity::Sev2,
                "Degraded service, >50% affected",
                900,
                "High latency",
            ),
            (
                Severity::Sev3,
                "Minor degradation, <50% affected",
                3600,
                "Cache miss spike",
            ),
            (
                Severity::Sev4,
                "Cosmetic/minor, no user impact",
                86_400,
                "Dashboard error",
            ),
        ];
        for (sev, description, secs, example) in rows {
            assert_eq!(sev.description(), description);
            assert_eq!(sev.response_time(), Duration::from_secs(secs));
            assert_eq!(sev.example(), example);
        }
        assert_eq!(Severity::ALL.map(|s| s.level()), [1, 2, 3, 4]);
    }

    #[test]
    fn sev1_is_the_most_severe() {
        assert!(Severity::Sev1 > Severity::Sev2);
        assert!(Severity::Sev2 > Severity::Sev3);
        assert!(Severity::Sev3 > Severity::Sev4);
        assert_eq!(Severity::ALL.iter().max(), Some(&Severity::Sev1));
        assert!(Severity::Sev2.is_worse_than(Severity::Sev3));
        assert!(!Severity::Sev3.is_worse_than(Severity::Sev3));
        let mut sorted = vec![
            Severity::Sev3,
            Severity::Sev1,
            Severity::Sev4,
            Severity::Sev2,
        ];
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(sorted, Severity::ALL);
    }

    #[test]
    fn parse_and_print() {
        for sev in Severity::ALL {
            assert_eq!(sev.to_string().parse::<Severity>().unwrap(), sev);
            assert_eq!(
                sev.to_string().to_lowercase().parse::<Severity>().unwrap(),
                sev
            );
        }
        assert_eq!(" Sev3 ".parse::<Severity>().unwrap(), Severity::Sev3);
        for bad in [
            "",
            "SEV",
            "SEV0",
            "SEV5",
            "SEV12",
            "3",
            "severity1",
            "S3V1",
            "SEV1x",
            "ŠEV1",
        ] {
            let err = bad.parse::<Severity>().unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidInput, "{bad:?}");
            assert!(err.to_string().contains("SEV1, SEV2, SEV3 or SEV4"));
        }
    }

    #[test]
    fn serde_round_trip() {
        for sev in Severity::ALL {
            let json = serde_json::to_string(&sev).unwrap();
            assert_eq!(json, format!("\"{sev}\""));
            assert_eq!(serde_json::from_str::<Severity>(&json).unwrap(), sev);
        }
        assert!(serde_json::from_str::<Severity>("\"SEV9\"").is_err());
    }

    #[test]
    fn only_sev1_and_sev2_page() {
        assert!(Severity::Sev1.pages());
        assert!(Severity::Sev2.pages());
        assert!(!Severity::Sev3.pages());
        assert!(!Severity::Sev4.pages());
    }

    #[test]
    fn assess_boundaries() {
        let assess = |share, outage, visible| {
            Severity::assess(&Impact::new(share, outage, visible).unwrap())
        };
        // Complete outage wins over everything else.
        assert_eq!(assess(1.0, true, true), Severity::Sev1);
        assert_eq!(assess(0.3, true, true), Severity::Sev1);
        // 100 % affected but still answering: degraded, not an outage.
        assert_eq!(assess(1.0, false, true), Severity::Sev2);
        assert_eq!(assess(0.51, false, true), Severity::Sev2);
        // Exactly 50 %: the table is silent, we take the more severe level.
        assert_eq!(assess(0.5, false, true), Severity::Sev2);
        assert_eq!(assess(0.499_999, false, true), Severity::Sev3);
        assert_eq!(assess(0.01, false, true), Severity::Sev3);
        // Nobody affected, or nothing visible: SEV4.
        assert_eq!(assess(0.0, false, true), Severity::Sev4);
        assert_eq!(assess(0.9, false, false), Severity::Sev4);
        assert_eq!(Severity::assess(&Impact::none()), Severity::Sev4);
        assert_eq!(Severity::assess(&Impact::outage()), Severity::Sev1);
    }

    #[test]
    fn out_of_range_impact_is_rejected() {
        for bad in [-0.01, 1.000_001, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let err = Impact::new(bad, false, true).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
        }
        let json = r#"{"affected_share":1.5,"complete_outage":false,"user_visible":true}"#;
        assert!(serde_json::from_str::<Impact>(json).is_err());
    }

    #[test]
    fn impact_serde_round_trip_and_worst() {
        let a = Impact::degraded(0.2).unwrap().with_users_affected(200);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<Impact>(&json).unwrap(), a);
        let w = a.worst(Impact::outage());
        assert!(w.complete_outage());
        assert_eq!(w.affected_share(), 1.0);
        assert_eq!(w.users_affected(), Some(200));
    }
}
