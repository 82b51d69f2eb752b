//! DynamoDB Hot Partition.
//!
//! > **Symptoms:**
//! > - `ProvisionedThroughputExceededException`
//! > - Slow memory reads/writes
//! > - Specific domains affected
//! >
//! > **Diagnosis:**
//! > ```bash
//! > # Check consumed capacity by partition
//! > aws cloudwatch get-metric-statistics \
//! >   --namespace AWS/DynamoDB \
//! >   --metric-name ConsumedReadCapacityUnits \
//! >   --dimensions Name=TableName,Value=cato-semantic-memory
//! > ```
//! >
//! > **Mitigation:**
//! > ```bash
//! > # 1. Switch to on-demand billing if not already
//! > aws dynamodb update-table \
//! >   --table-name cato-semantic-memory \
//! >   --billing-mode PAY_PER_REQUEST
//! >
//! > # 2. Add GSI to distribute load
//! > # Requires table redesign
//! >
//! > # 3. Enable DAX for read caching
//! > ```
//!
//! # Symptoms → detectors
//!
//! Both watch the table ([`Config::table`], the incident's resource):
//!
//! - `table-throttling` — throttled requests (`ProvisionedThroughputExceededException`, which
//!   the SDK retries: the "slow memory reads/writes") against consumed capacity, from
//!   [`Tables::capacity`](crate::ports::Tables::capacity) over [`Config::window`]; a symptom
//!   from [`Config::min_throttle_events`].
//! - `throughput-exceptions` — the exception's lines in the orchestrator's log group.
//!
//! # Severity
//!
//! Throttled memory reads and writes are retried and slow, or fail: a user-visible degradation
//! of the requests that touch the throttled key range, not an outage. The table detector's
//! impact is the throttled share of the table's requests (throttled against throttled plus
//! consumed, an estimate from peaks): **SEV3** under half, **SEV2** from half on. The log
//! detector alone reports a minor degradation (SEV3).
//!
//! # Diagnosis
//!
//! - `table-capacity` — the seed's consumed against provisioned capacity, and the billing mode
//!   (`describe-table`). Consumption at [`Config::near_capacity`] of what is provisioned ranks
//!   "provisioned capacity exhausted", which on-demand absorbs; throttling below it, or on
//!   demand, ranks "hot partition", which it does not. Facts `table.billing_mode`,
//!   `table.status`, `table.consumed_read`, `table.consumed_write`, `table.provisioned_read`,
//!   `table.provisioned_write`, `table.throttle_events`.
//! - `affected-domains` — "specific domains affected": the exception's lines, and the memory
//!   domains they name (`domain=<name>`, [`Config::domain_field`]); most lines on one domain
//!   ranks "hot partition on memory domain `<name>`". Facts `logs.throughput_lines`,
//!   `domains.affected`, `domains.top`, `domains.top_share`.
//! - the [first five minutes](super::first_five_minutes): dashboard, recent deployments,
//!   cloud health events of `DYNAMODB`.
//!
//! # Mitigation ladder
//!
//! 1. `switch-to-on-demand` — `update-table --billing-mode PAY_PER_REQUEST`, only while the
//!    table is `PROVISIONED`. Risk high (a billing change, undone at most once a day), with its
//!    added monthly cost estimated at the current demand from [`OnDemand`]'s prices so that
//!    policy can ask for approval. Verified after [`OnDemand::verify_after`]: the table is
//!    `ACTIVE` on demand and the throttling stopped. Not reversible.
//!
//! Then the incident is over to people (the engine escalates), with the seed's two other
//! mitigations as the runbook's prevention items: a GSI to distribute load (a table redesign)
//! and DAX for read caching. A hot key stays hot on demand: a partition serves at most
//! 3,000 read and 1,000 write units a second whatever the billing mode.
//!
//! # Root causes
//!
//! The seed lists none for this section; the ranking comes from the evidence: capacity against
//! consumption, domains in the log lines, a recent deployment, an open cloud health event.

mod diagnose;
mod steps;

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::first_five_minutes;
use super::log_symptom::{LogQuery, LogSymptom};
use super::{CatalogConfig, Entry, PortName, Providers};
use crate::engine::{Runbook, SeverityRule};
use crate::error::{Error, Result};
use crate::severity::Impact;

/// The runbook's id.
pub const ID: &str = "dynamodb-hot-partition";
/// The runbook's title: the seed's heading.
pub const TITLE: &str = "DynamoDB Hot Partition";

/// What the log detector alone reports: some memory calls fail, how many the lines do not say.
const LOG_ONLY_SHARE: f64 = 0.05;

/// The seed's mitigations 2 and 3, for people.
pub const PREVENTION: [&str; 2] = [
    "Add a GSI to distribute load across partitions (requires table redesign)",
    "Enable DAX for read caching",
];

/// The cloud services whose health events matter.
pub const CLOUD_SERVICES: [&str; 1] = ["DYNAMODB"];

/// The catalog's entry.
pub const ENTRY: Entry = Entry {
    id: ID,
    title: TITLE,
    needs: &[PortName::Tables, PortName::Logs],
    build,
};

/// Settings; every default is the seed's value or Cato's resource name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// The table. Default `cato-semantic-memory`.
    pub table: String,
    /// The orchestrator's log group. Default `/cato/orchestrator`.
    pub log_group: String,
    /// The filter pattern of the exception's lines. Default
    /// `ProvisionedThroughputExceededException`.
    pub log_pattern: String,
    /// The field of a line that names the memory domain (`domain=<name>`). Default `domain`.
    pub domain_field: String,
    /// How far back the detectors look. Default 5 min.
    #[serde(with = "humantime_serde")]
    pub window: Duration,
    /// Throttled requests in the window from which it is a symptom. Default 10.
    pub min_throttle_events: u64,
    /// Exception lines in the window from which the log detector reports. Default 3.
    pub min_log_lines: usize,
    /// Consumption at this share of the provisioned capacity counts as exhausting it.
    /// Default 0.9.
    pub near_capacity: f64,
    /// Step 1: on-demand billing.
    pub on_demand: OnDemand,
    /// The first-five-minutes checks; cloud health events of [`CLOUD_SERVICES`] unless it names
    /// its own.
    pub first_five_minutes: first_five_minutes::Config,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            table: "cato-semantic-memory".into(),
            log_group: "/cato/orchestrator".into(),
            log_pattern: "ProvisionedThroughputExceededException".into(),
            domain_field: "domain".into(),
            window: Duration::from_secs(5 * 60),
            min_throttle_events: 10,
            min_log_lines: 3,
            near_capacity: 0.9,
            on_demand: OnDemand::default(),
            first_five_minutes: first_five_minutes::Config::default(),
        }
    }
}

/// Step 1, `update-table --billing-mode PAY_PER_REQUEST`, and the prices its cost estimate
/// reads (US East, US dollars).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct OnDemand {
    /// How long after the switch it is verified. Default 10 min.
    #[serde(with = "humantime_serde")]
    pub verify_after: Duration,
    /// On demand, per million read request units. Default 0.125.
    pub usd_per_million_reads: f64,
    /// On demand, per million write request units. Default 0.625.
    pub usd_per_million_writes: f64,
    /// Provisioned, per read capacity unit-hour. Default 0.00013.
    pub usd_per_rcu_hour: f64,
    /// Provisioned, per write capacity unit-hour. Default 0.00065.
    pub usd_per_wcu_hour: f64,
}

impl Default for OnDemand {
    fn default() -> Self {
        OnDemand {
            verify_after: Duration::from_secs(10 * 60),
            usd_per_million_reads: 0.125,
            usd_per_million_writes: 0.625,
            usd_per_rcu_hour: 0.000_13,
            usd_per_wcu_hour: 0.000_65,
        }
    }
}

impl Config {
    /// Checks shares, prices and the window.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the setting.
    pub fn validate(&self) -> Result<()> {
        let bad = |message: String| {
            Err(Error::invalid_input(
                "catalog.dynamodb_hot_partition",
                message,
            ))
        };
        if !(0.0..=1.0).contains(&self.near_capacity) {
            return bad(format!(
                "near_capacity {} must lie between 0 and 1",
                self.near_capacity
            ));
        }
        let o = &self.on_demand;
        for (name, price) in [
            ("on_demand.usd_per_million_reads", o.usd_per_million_reads),
            ("on_demand.usd_per_million_writes", o.usd_per_million_writes),
            ("on_demand.usd_per_rcu_hour", o.usd_per_rcu_hour),
            ("on_demand.usd_per_wcu_hour", o.usd_per_wcu_hour),
        ] {
            if !(price.is_finite() && price >= 0.0) {
                return bad(format!("{name} {price} must be a price"));
            }
        }
        if self.window.as_secs() < 60 {
            return bad("window must be at least a minute".into());
        }
        Ok(())
    }
}

/// Builds the runbook.
///
/// # Errors
///
/// A port it needs that `providers` lacks, or a config that does not validate.
pub fn build(providers: &Providers, catalog: &CatalogConfig) -> Result<Runbook> {
    providers.require(ID, ENTRY.needs)?;
    let config = Arc::new(catalog.dynamodb_hot_partition.clone());
    config.validate()?;
    let tables = providers.tables(ID)?;
    let logs = providers.logs(ID)?;
    let exceptions = LogQuery {
        group: config.log_group.clone(),
        pattern: config.log_pattern.clone(),
    };
    let mut runbook = Runbook::builder(ID, TITLE)
        .severity(SeverityRule::Assess)
        .detector(Arc::new(diagnose::TableThrottling {
            tables: tables.clone(),
            config: config.clone(),
        }))
        .detector(Arc::new(LogSymptom {
            name: "throughput-exceptions",
            resource: config.table.clone(),
            logs: logs.clone(),
            query: exceptions.clone(),
            window: config.window,
            min_lines: config.min_log_lines,
            impact: Impact::degraded(LOG_ONLY_SHARE)?,
            consequence: None,
        }))
        .diagnosis(Arc::new(diagnose::CapacityCheck {
            tables: tables.clone(),
            config: config.clone(),
        }))
        .diagnosis(Arc::new(diagnose::AffectedDomains {
            logs,
            query: exceptions,
            config: config.clone(),
        }));
    let checks = config.first_five_minutes.or_watching(&CLOUD_SERVICES);
    for check in first_five_minutes::diagnoses(providers, &checks)? {
        runbook = runbook.diagnosis(check);
    }
    runbook = runbook.step(Arc::new(steps::SwitchToOnDemand { tables, config }));
    for item in PREVENTION {
        runbook = runbook.prevention(item);
    }
    runbook.build()
}
