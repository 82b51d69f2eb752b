//! "Failover to healthy region": Shadow Self traffic shifted from the home region's endpoint to
//! another region's once that region is seen serving, and shifted back when the incident
//! resolves.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::RegionEndpoint;
use crate::catalog::facts;
use crate::catalog::kit::revert_key;
use crate::error::{Error, ErrorKind, Result, Retry};
use crate::ports::{REGION_WEIGHTS_TOLERANCE, TrafficControl};
use crate::runbook::{Findings, Landed, Mitigation, Plan, Risk, StepContext, Verification};

const OP: &str = "strategies.failover";

/// "Failover to healthy region": the other region's endpoint takes Shadow Self traffic (all of
/// it by default) through [`TrafficControl::set_region_weights`].
///
/// Planned only when the other region serves (`InService`, instances in service), and checked
/// again before the shift; verified on a later tick: the split in place and the other region
/// still serving. Every user's calls move, so risk high and, by default, only with an
/// operator's approval. Temporary: it fails back (the split before it, restored) when the
/// incident resolves, or after [`hold_for`](FailoverRegion::hold_for) — never onto a home
/// region that does not serve while the other one does (that revert is refused and tried again
/// later), and not over a split someone changed since (left as it is, and said so).
#[derive(Debug)]
pub struct FailoverRegion {
    traffic: Arc<dyn TrafficControl>,
    home: RegionEndpoint,
    other: RegionEndpoint,
    weight: f64,
    approval: bool,
    verify_after: Duration,
    hold_for: Duration,
}

/// What the failover keeps: the split before it and the split it sets (absolute targets).
#[derive(Debug, Serialize, Deserialize)]
struct Memo {
    from: BTreeMap<String, f64>,
    to: BTreeMap<String, f64>,
}

impl FailoverRegion {
    /// The step `failover-region`, moving all Shadow Self traffic from `home` to `other`, asking
    /// for approval, verified after 3 minutes, held at most 24 hours.
    pub fn new(
        traffic: Arc<dyn TrafficControl>,
        home: RegionEndpoint,
        other: RegionEndpoint,
    ) -> Self {
        FailoverRegion {
            traffic,
            home,
            other,
            weight: 1.0,
            approval: true,
            verify_after: Duration::from_secs(3 * 60),
            hold_for: Duration::from_secs(24 * 3600),
        }
    }

    /// The share the other region takes (the home region keeps the rest).
    pub fn weight(mut self, weight: f64) -> Self {
        self.weight = weight;
        self
    }

    /// Whether the step always asks for approval (default yes).
    pub fn with_approval(mut self, approval: bool) -> Self {
        self.approval = approval;
        self
    }

    /// How long after the shift to verify.
    pub fn verify_after(mut self, after: Duration) -> Self {
        self.verify_after = after;
        self
    }

    /// The longest the failover stays while the incident is open.
    pub fn hold_for(mut self, ttl: Duration) -> Self {
        self.hold_for = ttl;
        self
    }

    /// The split now; an answer that does not split by region has it all in the home region.
    fn split(&self, regions: &BTreeMap<String, f64>) -> BTreeMap<String, f64> {
        if regions.is_empty() {
            BTreeMap::from([(self.home.region().to_owned(), 1.0)])
        } else {
            regions.clone()
        }
    }

    /// The failover's split: the other region takes the weight, the home region the rest, any
    /// other region none.
    fn target(&self, from: &BTreeMap<String, f64>) -> BTreeMap<String, f64> {
        let mut to: BTreeMap<String, f64> = from.keys().map(|r| (r.clone(), 0.0)).collect();
        to.insert(self.home.region().to_owned(), 1.0 - self.weight);
        to.insert(self.other.region().to_owned(), self.weight);
        to
    }

    async fn split_now(&self) -> Result<BTreeMap<String, f64>> {
        Ok(self.split(&self.traffic.state().await?.regions))
    }
}

/// A region's weight; 0 for one the split leaves out: the traffic control routes nothing to a
/// region it does not list (a setting read, not a measurement missing).
fn share(split: &BTreeMap<String, f64>, region: &str) -> f64 {
    split.get(region).copied().unwrap_or(0.0)
}

/// The same split, a region left out serving none.
fn same_split(a: &BTreeMap<String, f64>, b: &BTreeMap<String, f64>) -> bool {
    let close = |r: &String| (share(a, r) - share(b, r)).abs() <= REGION_WEIGHTS_TOLERANCE;
    a.keys().chain(b.keys()).all(close)
}

fn percent(weight: f64) -> String {
    format!("{:.0} %", weight * 100.0)
}

/// `us-east-1 0 %, us-west-2 100 %`.
fn shown(split: &BTreeMap<String, f64>) -> String {
    split
        .iter()
        .map(|(region, weight)| format!("{region} {}", percent(*weight)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn refused(message: String) -> Error {
    Error::new(ErrorKind::Refused, OP, message)
}

#[async_trait]
impl Mitigation for FailoverRegion {
    fn name(&self) -> &str {
        "failover-region"
    }

    /// The home endpoint itself is failing (or its state is unknown): a breaker opened by a
    /// fault between the host and a healthy endpoint is no reason to move every user.
    fn precondition(&self, findings: Findings<'_>) -> bool {
        findings.get(facts::ENDPOINT_FAILING) != Some(false)
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let (state, other) = futures::join!(self.traffic.state(), self.other.health());
        let (state, other) = (state?, other?);
        if !other.serving {
            return Err(refused(format!(
                "{}: no healthy region to fail over to",
                other.line
            )));
        }
        let from = self.split(&state.regions);
        let to = self.target(&from);
        if same_split(&from, &to) {
            return Err(refused(format!(
                "Shadow Self traffic is already {}",
                shown(&to)
            )));
        }
        let (home, away) = (self.home.region(), self.other.region());
        let mut plan = Plan::new(
            self,
            ctx,
            Risk::High,
            format!(
                "shift Shadow Self traffic {home} {} → {away} {}",
                percent(share(&from, home)),
                percent(share(&to, away))
            ),
        );
        for (region, after) in &to {
            plan = plan.change(
                format!("Shadow Self traffic in {region}"),
                percent(share(&from, region)),
                percent(*after),
            );
        }
        let plan = plan
            .reversible()
            .lasts_for(self.hold_for)
            .verify_after(self.verify_after)
            .with_memo(&Memo { from, to })?;
        Ok(if self.approval {
            plan.needs_approval(format!(
                "every user's Shadow Self calls move to {away} ({})",
                other.line
            ))
        } else {
            plan
        })
    }

    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let memo: Memo = plan.memo()?;
        let other = self.other.health().await?;
        if !other.serving {
            return Err(refused(format!("{}: not failing over", other.line)));
        }
        self.traffic
            .set_region_weights(&memo.to, &ctx.idempotency_key)
            .await?;
        Ok(format!("Shadow Self traffic now {}", shown(&memo.to)))
    }

    async fn landed(&self, _ctx: &StepContext, plan: &Plan) -> Result<Landed> {
        let memo: Memo = plan.memo()?;
        let now = self.split_now().await?;
        Ok(if same_split(&now, &memo.to) {
            Landed::Yes
        } else if same_split(&now, &memo.from) {
            Landed::No
        } else {
            Landed::Unknown
        })
    }

    async fn verify(&self, _ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        let memo: Memo = plan.memo()?;
        let (now, other) = futures::join!(self.split_now(), self.other.health());
        let (now, other) = (now?, other?);
        if !same_split(&now, &memo.to) {
            return Ok(Verification::Failed(format!(
                "Shadow Self traffic is {}, not the failover's {}",
                shown(&now),
                shown(&memo.to)
            )));
        }
        Ok(if other.serving {
            Verification::Passed(format!(
                "{}; Shadow Self traffic {}",
                other.line,
                shown(&now)
            ))
        } else {
            Verification::Failed(format!("{} after the failover", other.line))
        })
    }

    async fn revert(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let memo: Memo = plan.memo()?;
        let now = self.split_now().await?;
        if same_split(&now, &memo.from) {
            return Ok(format!("Shadow Self traffic already {}", shown(&now)));
        }
        if !same_split(&now, &memo.to) {
            return Ok(format!(
                "Shadow Self traffic was changed since the failover (now {}): left as it is",
                shown(&now)
            ));
        }
        let (home, other) = futures::join!(self.home.health(), self.other.health());
        let (home, other) = (home?, other?);
        if !home.serving && other.serving {
            let why = format!(
                "{}: Shadow Self traffic stays on {}",
                home.line,
                self.other.region()
            );
            return Err(refused(why).with_retry(Retry::Transient));
        }
        self.traffic
            .set_region_weights(&memo.from, &revert_key(ctx, plan))
            .await?;
        Ok(format!(
            "failed back: Shadow Self traffic {} ({})",
            shown(&memo.from),
            home.line
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(r, w)| ((*r).to_owned(), *w)).collect()
    }

    #[test]
    fn splits_compare_with_missing_regions_as_none() {
        let a = split(&[("us-east-1", 1.0)]);
        let b = split(&[("us-east-1", 1.0), ("us-west-2", 0.0)]);
        assert!(same_split(&a, &b));
        assert!(!same_split(&a, &split(&[("us-west-2", 1.0)])));
        assert_eq!(shown(&b), "us-east-1 100 %, us-west-2 0 %");
    }
}
