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
//!   the SDK retries: the "slow memory reads/writes") against consumed capacity, from the
//!   table's `AWS/DynamoDB` metrics (`Read`/`WriteThrottleEvents`,
//!   `ConsumedRead`/`WriteCapacityUnits`, one-minute sums, read with the tick's other metrics)
//!   over [`Config::window`]; a symptom from [`Config::min_throttle_events`], its evidence with
//!   the provisioned capacity of `describe-table`.
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
//! - `table-capacity` — the runbook's consumed against provisioned capacity, and the billing mode
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
//! Then the incident is over to people (the engine escalates), with the runbook's two other
//! mitigations as the runbook's prevention items: a GSI to distribute load (a table redesign)
//! and DAX for read caching. A hot key stays hot on demand: a partition serves at most
//! 3,000 read and 1,000 write units a second whatever the billing mode.
//!
//! # Root causes
//!
//! The seed lists none for this section; the ranking comes from the evidence: capacity against
//! consumption, domains in the log lines, a recent deployment, an open cloud health event.

mod config;
mod detect;
mod diagnose;
mod steps;
mod usage;

use std::sync::Arc;

pub use config::{Config, OnDemand};

use super::first_five_minutes;
use super::log_symptom::{LogQuery, LogSymptom};
use super::{CatalogConfig, Entry, PortName, Providers};
use crate::error::Result;
use crate::runbook::{Runbook, SeverityRule};
use crate::severity::Impact;

/// The runbook's id.
pub const ID: &str = "dynamodb-hot-partition";
/// The runbook's title: the runbook document's heading.
pub const TITLE: &str = "DynamoDB Hot Partition";

/// What the log detector alone reports: some memory calls fail, how many the lines do not say.
const LOG_ONLY_SHARE: f64 = 0.05;

/// The runbook's mitigations 2 and 3, for people.
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
    needs: &[PortName::Tables, PortName::Metrics, PortName::Logs],
    steps: &["switch-to-on-demand"],
    build,
};

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
    let metrics = providers.metrics(ID)?;
    let logs = providers.logs(ID)?;
    let exceptions = LogQuery {
        group: config.log_group.clone(),
        pattern: config.log_pattern.clone(),
    };
    let mut runbook = Runbook::builder(ID, TITLE)
        .severity(SeverityRule::Assess)
        .detector(Arc::new(detect::TableThrottling {
            metrics: metrics.clone(),
            tables: tables.clone(),
            queries: usage::UsageQueries::of(&config.table),
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
            metrics: metrics.clone(),
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
    runbook = runbook.step(Arc::new(steps::SwitchToOnDemand {
        metrics,
        tables,
        config,
    }));
    for item in PREVENTION {
        runbook = runbook.prevention(item);
    }
    runbook.build()
}
