//! The engine's state as configured: the incident store (`[store]`) and the lease (`[lease]`),
//! opened.

use std::sync::Arc;

use cato_runbook_core::ports::{InMemoryIncidentStore, IncidentStore, Lease, SystemClock};

use crate::config::{Config, ConfigError, LeaseKind, StoreKind};

/// The configured store, opened, and its name.
pub(super) async fn store(
    config: &Config,
    sdk: Option<&aws_types::SdkConfig>,
) -> Result<(Arc<dyn IncidentStore>, String), ConfigError> {
    let c = &config.store;
    match (c.kind, sdk) {
        (StoreKind::Memory, _) => Ok((
            Arc::new(InMemoryIncidentStore::new()),
            "in memory".to_owned(),
        )),
        (StoreKind::Sqlite, _) => {
            let path = config.relative(&c.path);
            let store = crate::sqlite::SqliteIncidentStore::open(&path).map_err(|e| {
                ConfigError::Unavailable(format!("[store] {}: {e}", path.display()))
            })?;
            Ok((Arc::new(store), format!("SQLite {}", path.display())))
        }
        (StoreKind::Dynamodb, Some(sdk)) => {
            if c.create_table {
                let client = aws_sdk_dynamodb::Client::new(sdk);
                crate::dynamodb::create_table(&client, &c.table)
                    .await
                    .map_err(|e| ConfigError::Unavailable(format!("[store] {}: {e}", c.table)))?;
            }
            Ok((
                Arc::new(
                    crate::dynamodb::DynamoDbIncidentStore::new(sdk, &c.table)
                        .with_retention(c.retention),
                ),
                format!("DynamoDB {}", c.table),
            ))
        }
        (StoreKind::Dynamodb, None) => Err(ConfigError::invalid(
            "[store] kind = \"dynamodb\" needs the AWS SDK's configuration",
        )),
    }
}

/// The configured lease.
pub(super) async fn lease(
    config: &Config,
    sdk: Option<&aws_types::SdkConfig>,
    replica: &str,
) -> Result<Option<Arc<dyn Lease>>, ConfigError> {
    let c = &config.lease;
    match (c.kind, sdk) {
        (LeaseKind::None, _) => Ok(None),
        (LeaseKind::Dynamodb, Some(sdk)) => {
            let table = c
                .table
                .clone()
                .unwrap_or_else(|| config.store.table.clone());
            Ok(Some(Arc::new(
                crate::dynamodb::DynamoDbLease::new(sdk, table, replica, Arc::new(SystemClock))
                    .with_timeout(c.timeout),
            )))
        }
        (LeaseKind::Dynamodb, None) => Err(ConfigError::invalid(
            "[lease] kind = \"dynamodb\" needs the AWS SDK's configuration",
        )),
        (LeaseKind::Kubernetes, _) => {
            let client = super::kubernetes::client()
                .await
                .map_err(|e| e.prefixed("[lease]"))?;
            Ok(Some(Arc::new(
                crate::kubernetes::KubeLease::new(client, &c.namespace, &c.name, replica)
                    .with_timeout(c.timeout),
            )))
        }
    }
}
