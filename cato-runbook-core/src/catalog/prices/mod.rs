//! On-demand prices, to estimate what a step that adds capacity adds to the bill.
//!
//! A table per region ships with the crate (`us-east-1.toml`, read with `include_str!`), and
//! the engine policy's `[policy.prices]` picks the region, adds or overrides prices, and sets
//! the one price no list has: a Kubernetes pod's. Every price is a finite number of dollars
//! from 0 to 1000.
//!
//! ```toml
//! [policy.prices]
//! region = "us-east-1"
//! pod_hourly_usd = 0.12
//! sagemaker = { "ml.g5.xlarge" = 1.2 }
//! elasticache = { "cache.r7g.8xlarge" = 3.5 }
//! dynamodb = { usd_per_million_writes = 0.7 }
//! ```
//!
//! How each capacity is priced ([`PriceTable::estimate`]):
//!
//! | capacity | estimate an hour |
//! | --- | --- |
//! | endpoint instances | added × the instance type's hourly price |
//! | pods | added × `pod_hourly_usd` |
//! | cache node type | nodes × (new type's price − old type's price) |
//! | DynamoDB on demand | (reads/s × 3600 / 10⁶ × read price + writes/s × 3600 / 10⁶ × write price) − (provisioned RCU × RCU-hour price + WCU × WCU-hour price) |
//!
//! A consumed capacity unit a second is taken as one request unit a second (a strongly
//! consistent 4 KB read, a 1 KB write), so the on-demand estimate is the demand seen, not the
//! bill for other item sizes. A type without a price, or pods without `pod_hourly_usd`, make the
//! estimate *unknown*, which the engine treats as adding spend.
//!
//! The shipped figures are list prices as recalled for us-east-1 on the date the file states;
//! check them against the AWS price list before relying on them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::runbook::{Capacity, SpendEstimate};

#[cfg(test)]
mod tests;

const OP: &str = "policy.prices";

/// The regions a table ships for, and their files.
const SHIPPED: &[(&str, &str)] = &[("us-east-1", include_str!("us-east-1.toml"))];

/// DynamoDB's prices.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DynamoPrices {
    /// On demand, per million read request units.
    pub usd_per_million_reads: f64,
    /// On demand, per million write request units.
    pub usd_per_million_writes: f64,
    /// Provisioned, per read capacity unit-hour.
    pub usd_per_rcu_hour: f64,
    /// Provisioned, per write capacity unit-hour.
    pub usd_per_wcu_hour: f64,
}

/// Overrides of DynamoDB's prices, each optional.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct DynamoOverrides {
    /// On demand, per million read request units.
    pub usd_per_million_reads: Option<f64>,
    /// On demand, per million write request units.
    pub usd_per_million_writes: Option<f64>,
    /// Provisioned, per read capacity unit-hour.
    pub usd_per_rcu_hour: Option<f64>,
    /// Provisioned, per write capacity unit-hour.
    pub usd_per_wcu_hour: Option<f64>,
}

/// `[policy.prices]`: the region whose shipped table to use, and what to change in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct PriceSettings {
    /// The shipped table's region. Default `us-east-1`.
    pub region: String,
    /// One Kubernetes pod's price, US dollars an hour; without it, pods are of unknown price.
    pub pod_hourly_usd: Option<f64>,
    /// SageMaker instance prices to add or override, per instance-hour, by type.
    pub sagemaker: BTreeMap<String, f64>,
    /// ElastiCache node prices to add or override, per node-hour, by type.
    pub elasticache: BTreeMap<String, f64>,
    /// DynamoDB prices to override.
    pub dynamodb: DynamoOverrides,
}

impl Default for PriceSettings {
    fn default() -> Self {
        PriceSettings {
            region: "us-east-1".into(),
            pod_hourly_usd: None,
            sagemaker: BTreeMap::new(),
            elasticache: BTreeMap::new(),
            dynamodb: DynamoOverrides::default(),
        }
    }
}

/// A shipped table, as its file reads.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Shipped {
    region: String,
    as_of: String,
    sagemaker: BTreeMap<String, f64>,
    elasticache: BTreeMap<String, f64>,
    dynamodb: DynamoPrices,
}

/// The prices the engine estimates added spend with: a shipped table with the policy's
/// overrides.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceTable {
    region: String,
    as_of: String,
    pod_hourly_usd: Option<f64>,
    sagemaker: BTreeMap<String, f64>,
    elasticache: BTreeMap<String, f64>,
    dynamodb: DynamoPrices,
}

/// A price: a finite number of dollars from 0 to [`MAX_HOURLY_USD`](crate::bounds::MAX_HOURLY_USD)
/// (the dearest instance-hour is about $100; a million requests cost cents).
fn price(key: &str, usd: f64) -> Result<f64> {
    if usd.is_finite() && usd >= 0.0 {
        crate::bounds::real(usd, 0.0, false, crate::bounds::MAX_HOURLY_USD)
            .map(|()| usd)
            .map_err(|why| Error::invalid_input(OP, format!("{OP}.{key}: {why}")))
    } else {
        Err(Error::invalid_input(
            OP,
            format!("{OP}.{key}: a price must be a finite number of dollars ≥ 0, not {usd}"),
        ))
    }
}

impl PriceTable {
    /// The regions with a shipped table.
    pub fn shipped_regions() -> impl Iterator<Item = &'static str> {
        SHIPPED.iter().map(|(region, _)| *region)
    }

    /// The table for `settings`: the region's shipped file, parsed, with the overrides.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the key: a region
    /// without a shipped table, a price that is negative or not a number, or a shipped file
    /// that does not parse.
    pub fn new(settings: &PriceSettings) -> Result<PriceTable> {
        let Some((_, text)) = SHIPPED.iter().find(|(r, _)| *r == settings.region) else {
            return Err(Error::invalid_input(
                OP,
                format!(
                    "{OP}.region: no price table ships for {:?} (shipped: {})",
                    settings.region,
                    Self::shipped_regions().collect::<Vec<_>>().join(", ")
                ),
            ));
        };
        let mut table = Self::parse(text)?;
        table.pod_hourly_usd = settings
            .pod_hourly_usd
            .map(|usd| price("pod_hourly_usd", usd))
            .transpose()?;
        for (kind, usd) in &settings.sagemaker {
            let usd = price(&format!("sagemaker.{kind:?}"), *usd)?;
            table.sagemaker.insert(kind.clone(), usd);
        }
        for (kind, usd) in &settings.elasticache {
            let usd = price(&format!("elasticache.{kind:?}"), *usd)?;
            table.elasticache.insert(kind.clone(), usd);
        }
        let o = settings.dynamodb;
        let d = &mut table.dynamodb;
        for (key, over, slot) in [
            (
                "usd_per_million_reads",
                o.usd_per_million_reads,
                &mut d.usd_per_million_reads,
            ),
            (
                "usd_per_million_writes",
                o.usd_per_million_writes,
                &mut d.usd_per_million_writes,
            ),
            (
                "usd_per_rcu_hour",
                o.usd_per_rcu_hour,
                &mut d.usd_per_rcu_hour,
            ),
            (
                "usd_per_wcu_hour",
                o.usd_per_wcu_hour,
                &mut d.usd_per_wcu_hour,
            ),
        ] {
            if let Some(usd) = over {
                *slot = price(&format!("dynamodb.{key}"), usd)?;
            }
        }
        Ok(table)
    }

    /// Parses a table file.
    fn parse(text: &str) -> Result<PriceTable> {
        let shipped: Shipped = toml::from_str(text).map_err(|err| {
            Error::invalid_input(OP, format!("the shipped price table does not parse: {err}"))
        })?;
        let check = |section: &str, map: &BTreeMap<String, f64>| -> Result<()> {
            for (kind, usd) in map {
                price(&format!("{section}.{kind:?}"), *usd)?;
            }
            Ok(())
        };
        check("sagemaker", &shipped.sagemaker)?;
        check("elasticache", &shipped.elasticache)?;
        Ok(PriceTable {
            region: shipped.region,
            as_of: shipped.as_of,
            pod_hourly_usd: None,
            sagemaker: shipped.sagemaker,
            elasticache: shipped.elasticache,
            dynamodb: shipped.dynamodb,
        })
    }

    /// The table's region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The date its shipped figures are as of.
    pub fn as_of(&self) -> &str {
        &self.as_of
    }

    /// A SageMaker instance type's hourly price.
    pub fn sagemaker(&self, instance_type: &str) -> Option<f64> {
        self.sagemaker.get(instance_type).copied()
    }

    /// An ElastiCache node type's hourly price.
    pub fn elasticache(&self, node_type: &str) -> Option<f64> {
        self.elasticache.get(node_type).copied()
    }

    /// DynamoDB's prices.
    pub fn dynamodb(&self) -> DynamoPrices {
        self.dynamodb
    }

    /// What `capacity` adds an hour, at these prices.
    pub fn estimate(&self, capacity: &Capacity) -> SpendEstimate {
        match capacity {
            Capacity::EndpointInstances {
                instance_type: None,
                added,
                source,
            } => SpendEstimate::unknown(match source {
                Some(why) => format!("{added} instance(s) of an unknown instance type: {why}"),
                None => format!("{added} instance(s) of an unconfigured instance type"),
            }),
            Capacity::EndpointInstances {
                instance_type: Some(kind),
                added,
                source,
            } => {
                let from = source.as_ref().map_or(String::new(), |s| format!(", {s}"));
                match self.sagemaker(kind) {
                    Some(usd) => SpendEstimate::known(
                        f64::from(*added) * usd,
                        format!("{added} × {kind} at ${usd}/h{from}"),
                    ),
                    None => SpendEstimate::unknown(format!(
                        "no price for {kind} in {}{from}",
                        self.region
                    )),
                }
            }
            Capacity::Pods { added } => match self.pod_hourly_usd {
                Some(usd) => SpendEstimate::known(
                    f64::from(*added) * usd,
                    format!("{added} pod(s) at ${usd}/h"),
                ),
                None => SpendEstimate::unknown(format!(
                    "{added} pod(s); no pod price configured ({OP}.pod_hourly_usd)"
                )),
            },
            Capacity::CacheNodes { from, to, nodes } => {
                match (self.elasticache(from), self.elasticache(to)) {
                    (Some(old), Some(new)) => SpendEstimate::known(
                        f64::from(*nodes) * (new - old),
                        format!("{nodes} node(s) {from} ${old}/h → {to} ${new}/h"),
                    ),
                    (None, _) => {
                        SpendEstimate::unknown(format!("no price for {from} in {}", self.region))
                    }
                    (_, None) => {
                        SpendEstimate::unknown(format!("no price for {to} in {}", self.region))
                    }
                }
            }
            Capacity::OnDemandTable {
                reads_per_second,
                writes_per_second,
                provisioned_read,
                provisioned_write,
            } => {
                let d = &self.dynamodb;
                let per_hour = |per_second: f64, per_million: f64| {
                    per_second.max(0.0) * 3600.0 / 1e6 * per_million
                };
                let on_demand = per_hour(*reads_per_second, d.usd_per_million_reads)
                    + per_hour(*writes_per_second, d.usd_per_million_writes);
                let provisioned = *provisioned_read as f64 * d.usd_per_rcu_hour
                    + *provisioned_write as f64 * d.usd_per_wcu_hour;
                SpendEstimate::known(
                    on_demand - provisioned,
                    format!(
                        "on demand ${on_demand:.2}/h at {reads_per_second:.0} reads/s and \
                         {writes_per_second:.0} writes/s, less ${provisioned:.2}/h provisioned"
                    ),
                )
            }
        }
    }
}
