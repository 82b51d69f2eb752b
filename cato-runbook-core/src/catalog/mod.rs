//! The six incidents of Cato's runbook, as runbooks written once against the ports.
//!
//! Each module reads like the runbook's section it implements: its *symptoms* are detectors,
//! its *diagnosis* commands are diagnoses, its *mitigation* commands are the ladder, in the
//! runbook's order, and its root causes are ranked from evidence. Every threshold and target is
//! in the module's `Config`, whose `Default` is the runbook's value; [`CatalogConfig`] gathers
//! them (a `[runbooks]` TOML table).
//!
//! A runbook is built from [`Providers`] (the ports it talks through) and its config; a port it
//! needs but that is not configured is an error naming both. [`entries`] lists what the catalog
//! holds and what each runbook needs.
//!
//! Shared by the runbooks: the runbook's "First 5 Minutes" as diagnoses
//! ([`first_five_minutes`]) and its general "Mitigation Strategies" as ladder steps
//! ([`strategies`]). Every fact a diagnosis writes and a step reads has its typed key in
//! [`facts`].
//!
//! Every runbook is a folder of the same five files: `mod.rs` (the runbook's section, quoted,
//! and how the runbook is assembled), `config.rs` (its `Config`, defaults and validation),
//! `detect.rs` (its symptoms), `diagnose.rs` (its diagnosis) and `steps.rs` (its ladder). What
//! they would each write again — the last complete minutes, a series by id, a variant by name,
//! a setting's error message, a revert's key — is in one kit.

pub mod alarms;
pub mod bedrock_throttling;
#[cfg(test)]
mod bounds_tests;
pub mod budget_exceeded;
pub mod cache_miss_spike;
pub mod circuit_breaker;
pub mod dynamodb_hot_partition;
pub mod facts;
pub mod first_five_minutes;
pub mod high_latency;
mod kit;
mod log_symptom;
pub mod prices;
mod providers;
pub mod shadow_self_down;
pub mod strategies;

use serde::{Deserialize, Serialize};

pub use providers::{PortName, Providers, ProvidersBuilder};

use crate::error::{Error, Result};
use crate::runbook::Runbook;

/// One runbook of the catalog: what it is, what it needs, how it is built.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// Its id, e.g. `shadow-self-down`.
    pub id: &'static str,
    /// Its title, the runbook's section heading.
    pub title: &'static str,
    /// The ports it talks through.
    pub needs: &'static [PortName],
    /// Every name its ladder's steps can take, whatever its configuration (what
    /// `policy.step_cooldowns` may name).
    pub steps: &'static [&'static str],
    /// Builds it.
    pub build: fn(&Providers, &CatalogConfig) -> Result<Runbook>,
}

/// Every runbook's settings, one table per runbook id (`[runbooks.cache-miss-spike]`); each
/// defaults to the runbook's values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
#[non_exhaustive]
pub struct CatalogConfig {
    /// Shadow Self Endpoint Down.
    pub shadow_self_down: shadow_self_down::Config,
    /// High Latency.
    pub high_latency: high_latency::Config,
    /// Cache Miss Spike.
    pub cache_miss_spike: cache_miss_spike::Config,
    /// Budget Exceeded (Emergency Mode).
    pub budget_exceeded: budget_exceeded::Config,
    /// Bedrock Throttling.
    pub bedrock_throttling: bedrock_throttling::Config,
    /// DynamoDB Hot Partition.
    pub dynamodb_hot_partition: dynamodb_hot_partition::Config,
    /// CloudWatch alarms as symptoms (`[runbooks.alarms]`), none by default: for each
    /// runbook id, the alarm name prefixes whose `ALARM` opens its incident (see [`alarms`]).
    pub alarms: alarms::Config,
    /// Failover to a healthy region (`[runbooks.failover]`), off by default: with a region,
    /// Shadow Self Endpoint Down's ladder fails over to it.
    pub failover: strategies::FailoverConfig,
}

impl CatalogConfig {
    /// Checks every runbook's table, enabled or not (each runbook's build checks its own
    /// again): a loaded file never holds a value its runbook would refuse.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] naming the setting: `runbooks.<id>.<key>: <why>`.
    pub fn validate(&self) -> Result<()> {
        self.shadow_self_down.validate()?;
        self.high_latency.validate()?;
        self.cache_miss_spike.validate()?;
        self.budget_exceeded.validate()?;
        self.bedrock_throttling.validate()?;
        self.dynamodb_hot_partition.validate()?;
        self.alarms.validate()?;
        self.failover.validate()
    }
}

/// A runbook's entry whose build also joins the alarm detectors `[runbooks.alarms]` names for
/// it.
macro_rules! with_alarms {
    ($runbook:ident) => {
        Entry {
            build: |providers, config| {
                let runbook = ($runbook::ENTRY.build)(providers, config)?;
                alarms::join($runbook::ENTRY.id, providers, config, runbook)
            },
            ..$runbook::ENTRY
        }
    };
}

/// The runbooks of the catalog, in the runbook's order. Each entry's build joins the alarm
/// detectors of `[runbooks.alarms]` ([`alarms`]).
pub fn entries() -> &'static [Entry] {
    const ENTRIES: &[Entry] = &[
        with_alarms!(shadow_self_down),
        with_alarms!(high_latency),
        with_alarms!(cache_miss_spike),
        with_alarms!(budget_exceeded),
        with_alarms!(bedrock_throttling),
        with_alarms!(dynamodb_hot_partition),
    ];
    ENTRIES
}

/// The catalog entry `id`.
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the known ids.
pub fn entry(id: &str) -> Result<&'static Entry> {
    entries().iter().find(|e| e.id == id).ok_or_else(|| {
        let known: Vec<_> = entries().iter().map(|e| e.id).collect();
        Error::invalid_input(
            "catalog.entry",
            format!("unknown runbook {id:?}; known: {}", known.join(", ")),
        )
    })
}

/// Builds the runbook `id`.
///
/// # Errors
///
/// An unknown id, or a port the runbook needs that `providers` lacks.
pub fn build(id: &str, providers: &Providers, config: &CatalogConfig) -> Result<Runbook> {
    (entry(id)?.build)(providers, config)
}

/// Builds every runbook of the catalog.
///
/// # Errors
///
/// As [`build`], for the first runbook that cannot be built.
pub fn all(providers: &Providers, config: &CatalogConfig) -> Result<Vec<Runbook>> {
    entries()
        .iter()
        .map(|e| (e.build)(providers, config))
        .collect()
}
