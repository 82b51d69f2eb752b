//! `[store]` and `[lease]`: where incidents are kept, and who acts among replicas.
//!
//! ```toml
//! [store]
//! kind = "sqlite"                 # sqlite (the default: one host) | dynamodb (replicas) | memory
//! path = "cato-incidents.db"      # sqlite: the file, relative to the configuration file
//! table = "cato-incidents"        # dynamodb: the table (its region etc. from [providers.aws])
//! create_table = false            # dynamodb: create the table when it is missing
//! retention = "90d"               # how long a closed incident is kept (1d to 3650d)
//!
//! [lease]
//! kind = "none"                   # none (one process owns the store) | dynamodb | kubernetes
//! replica = "orchestrator-0"      # this replica's name; default: CATO_REPLICA, HOSTNAME
//! table = "cato-incidents"        # dynamodb: the lease's table (the store's by default)
//! namespace = "cato"              # kubernetes: the Lease object's namespace and name
//! name = "cato-runbook"
//! timeout = "10s"                 # one lease call
//! ```
//!
//! The lease's ttl is `[engine] lease_ttl`.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Which store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreKind {
    /// An SQLite file (WAL): the default for one host.
    #[default]
    Sqlite,
    /// A DynamoDB table: for replicas on several hosts.
    Dynamodb,
    /// In memory: lost when the process ends (tests, game days).
    Memory,
}

/// The `[store]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// Which store.
    pub kind: StoreKind,
    /// The SQLite file, relative to the configuration file.
    pub path: PathBuf,
    /// The DynamoDB table.
    pub table: String,
    /// Whether to create the DynamoDB table when it is missing.
    pub create_table: bool,
    /// How long a closed incident (its postmortem attached) is kept: the engine deletes older
    /// ones hourly, and a DynamoDB item carries it as its time to live. Default 90 days.
    #[serde(with = "humantime_serde")]
    pub retention: Duration,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            kind: StoreKind::Sqlite,
            path: PathBuf::from("cato-incidents.db"),
            table: "cato-incidents".into(),
            create_table: false,
            retention: cato_runbook_core::engine::DEFAULT_RETENTION,
        }
    }
}

impl StoreConfig {
    /// Checks the retention: from 1 day to 3650 days.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`](super::ConfigError::Invalid) naming the key.
    pub fn validate(&self) -> Result<(), super::ConfigError> {
        cato_runbook_core::engine::check_retention("[store] retention", self.retention)
            .map_err(|e| super::ConfigError::Invalid(e.message().to_owned()))
    }
}

/// Which lease.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaseKind {
    /// No lease: this process owns the store alone.
    #[default]
    None,
    /// An item in a DynamoDB table.
    Dynamodb,
    /// A `coordination.k8s.io/v1` Lease.
    Kubernetes,
}

/// The `[lease]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LeaseConfig {
    /// Which lease.
    pub kind: LeaseKind,
    /// This replica's name; `CATO_REPLICA`, then `HOSTNAME`, by default.
    pub replica: Option<String>,
    /// The DynamoDB table of the lease; the store's by default.
    pub table: Option<String>,
    /// The Lease object's namespace.
    pub namespace: String,
    /// The Lease object's name.
    pub name: String,
    /// One lease call's timeout.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
}

impl Default for LeaseConfig {
    fn default() -> Self {
        LeaseConfig {
            kind: LeaseKind::None,
            replica: None,
            table: None,
            namespace: "cato".into(),
            name: "cato-runbook".into(),
            timeout: Duration::from_secs(10),
        }
    }
}

impl LeaseConfig {
    /// This replica's name: the configured one, `CATO_REPLICA`, `HOSTNAME`, or `cato-runbook`.
    pub fn replica(&self) -> String {
        self.replica
            .clone()
            .or_else(|| std::env::var("CATO_REPLICA").ok())
            .or_else(|| std::env::var("HOSTNAME").ok())
            .filter(|r| !r.trim().is_empty())
            .unwrap_or_else(|| "cato-runbook".into())
    }
}
