//! Where Shadow Self fails over to: the `[runbooks.failover]` table, and one region's endpoint
//! as the failover reads it.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::FailoverRegion;
use crate::bounds;
use crate::catalog::Providers;
use crate::catalog::kit::{Settings, find_variant};
use crate::error::Result;
use crate::ports::{EndpointStatus, ModelEndpoint};

/// The `[runbooks.failover]` table: where the Shadow Self endpoint fails over to. Off by
/// default; with a `region`, the ladders that fail over (Shadow Self Endpoint Down's) take the
/// step, and building them needs that region's endpoint port
/// ([`Providers::region_endpoints`]) and the traffic controls.
///
/// ```
/// use cato_runbook_core::catalog::strategies::FailoverConfig;
///
/// let config: FailoverConfig = toml::from_str(r#"
///     region = "us-west-2"
///     verify_after = "5m"
/// "#)?;
/// assert_eq!(config.region.as_deref(), Some("us-west-2"));
/// assert_eq!((config.home_region.as_str(), config.weight), ("us-east-1", 1.0));
/// assert!(config.validate().is_ok());
/// assert!(FailoverConfig::default().region.is_none(), "off by default");
/// # Ok::<(), toml::de::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct FailoverConfig {
    /// The region to fail over to, e.g. `us-west-2`; no failover when absent (the default).
    pub region: Option<String>,
    /// The home region, whose share the failover takes. Default `us-east-1`.
    pub home_region: String,
    /// The other region's Shadow Self endpoint. Default `cato-shadow-self`.
    pub endpoint: String,
    /// Its production variant whose instances must serve. Default `primary`.
    pub variant: String,
    /// The share of Shadow Self traffic the other region takes, above 0 and at most 1; the home
    /// region keeps the rest. Default 1 (all of it).
    pub weight: f64,
    /// Whether the failover always waits for an operator's approval. Default yes.
    pub approval: bool,
    /// How long after the shift to check that the other region serves. Default 3 min.
    #[serde(with = "humantime_serde")]
    pub verify_after: Duration,
    /// The longest the failover stays while the incident is open; it fails back when the
    /// incident resolves (the home region healthy again), or when this runs out and the home
    /// region serves. Default 24 h.
    #[serde(with = "humantime_serde")]
    pub hold_for: Duration,
}

impl Default for FailoverConfig {
    fn default() -> Self {
        FailoverConfig {
            region: None,
            home_region: "us-east-1".into(),
            endpoint: "cato-shadow-self".into(),
            variant: "primary".into(),
            weight: 1.0,
            approval: true,
            verify_after: Duration::from_secs(3 * 60),
            hold_for: Duration::from_secs(24 * 3600),
        }
    }
}

impl FailoverConfig {
    /// Checks what types alone cannot (only the weight while failover is off): the weight above
    /// 0 and at most 1, `verify_after` a minute to 6 h, `hold_for` a minute to 7 days.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the setting:
    /// `runbooks.failover.<key>: <why>`.
    pub fn validate(&self) -> Result<()> {
        let s = Settings::table("runbooks.failover");
        s.check(
            self.weight.is_finite() && self.weight > 0.0 && self.weight <= 1.0,
            "weight",
            format_args!("{} must be above 0 and at most 1", self.weight),
        )?;
        let Some(region) = &self.region else {
            return Ok(());
        };
        s.not_empty("region", region)?;
        s.not_empty("home_region", &self.home_region)?;
        s.check(
            *region != self.home_region,
            "region",
            format_args!("{region} is the home region"),
        )?;
        s.not_empty("endpoint", &self.endpoint)?;
        s.not_empty("variant", &self.variant)?;
        s.minute_to("verify_after", self.verify_after, bounds::MAX_WAIT)?;
        s.minute_to("hold_for", self.hold_for, bounds::MAX_LOOK_BACK)
    }

    /// The failover of `runbook`'s endpoint `endpoint` (variant `variant`, on `providers`'
    /// endpoint port, in the home region) to the configured region; `None` while failover is
    /// off.
    ///
    /// # Errors
    ///
    /// A setting that does not validate; no endpoint port for the region, or no traffic
    /// controls, in `providers`.
    pub fn step(
        &self,
        runbook: &str,
        providers: &Providers,
        endpoint: &str,
        variant: &str,
    ) -> Result<Option<FailoverRegion>> {
        let Some(region) = &self.region else {
            return Ok(None);
        };
        self.validate()?;
        let home = RegionEndpoint::new(
            self.home_region.clone(),
            providers.endpoint(runbook)?,
            endpoint,
        )
        .variant(variant);
        let other = RegionEndpoint::new(
            region.clone(),
            providers.endpoint_in(runbook, region)?,
            self.endpoint.clone(),
        )
        .variant(self.variant.clone());
        let step = FailoverRegion::new(providers.traffic(runbook)?, home, other)
            .weight(self.weight)
            .with_approval(self.approval)
            .verify_after(self.verify_after)
            .hold_for(self.hold_for);
        Ok(Some(step))
    }
}

/// One region's Shadow Self endpoint, as the failover reads it.
#[derive(Debug, Clone)]
pub struct RegionEndpoint {
    region: String,
    port: Arc<dyn ModelEndpoint>,
    endpoint: String,
    variant: String,
}

/// What `describe-endpoint` says of a region's endpoint.
pub(super) struct Health {
    pub(super) serving: bool,
    pub(super) line: String,
}

impl RegionEndpoint {
    /// `endpoint` in `region` (as the traffic controls name it, `us-west-2`), read through
    /// `port` (SageMaker in that region); its variant `primary`.
    pub fn new(
        region: impl Into<String>,
        port: Arc<dyn ModelEndpoint>,
        endpoint: impl Into<String>,
    ) -> Self {
        RegionEndpoint {
            region: region.into(),
            port,
            endpoint: endpoint.into(),
            variant: "primary".into(),
        }
    }

    /// The production variant whose instances must serve.
    pub fn variant(mut self, variant: impl Into<String>) -> Self {
        self.variant = variant.into();
        self
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Serving: `InService` with instances of the variant in service.
    pub(super) async fn health(&self) -> Result<Health> {
        let d = self.port.describe(&self.endpoint).await?;
        let variant = find_variant(&d, &self.variant);
        // A variant the endpoint does not list serves nothing there: not serving, never
        // healthy.
        let instances = variant.map_or(0, |v| v.current_instances);
        let serving = d.status == EndpointStatus::InService && instances > 0;
        let reason = d
            .failure_reason
            .as_deref()
            .filter(|_| !serving)
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        Ok(Health {
            serving,
            line: format!(
                "{}'s {} is {} with {instances} instances in service{reason}",
                self.region, self.endpoint, d.status
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_name_their_key() {
        let mut c = FailoverConfig::default();
        assert!(c.validate().is_ok(), "off: nothing to check");
        c.region = Some("us-east-1".into());
        let err = c.validate().unwrap_err();
        assert!(err.message().contains("runbooks.failover.region"), "{err}");
        c.region = Some("us-west-2".into());
        c.weight = 0.0;
        let err = c.validate().unwrap_err();
        assert!(err.message().contains("runbooks.failover.weight"), "{err}");
        c.weight = 0.5;
        assert!(c.validate().is_ok());
    }
}
