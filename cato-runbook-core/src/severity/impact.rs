//! Who is hurt by a symptom, and how badly: [`Impact`], what a severity is assessed from.

use serde::{Deserialize, Serialize};

use crate::error::Error;

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
