//! [`CacheCluster`] on ElastiCache: the `cato-cache` replication group.
//!
//! | port call | ElastiCache operation (IAM action `elasticache:…`) |
//! |---|---|
//! | [`describe`](CacheCluster::describe) | `DescribeReplicationGroups` |
//! | [`modify_node_type`](CacheCluster::modify_node_type) | `ModifyReplicationGroup` (`ApplyImmediately`) |
//!
//! A repeat with the same [`IdempotencyKey`] answers as the first call did; a change to the node
//! type the group already has ("No modifications were requested") is a success.

use std::fmt;

use async_trait::async_trait;
use aws_sdk_elasticache::Client;
use cato_runbook_core::ports::{CacheCluster, CacheClusterState};
use cato_runbook_core::{ErrorKind, IdempotencyKey, Result};

use crate::sdk::{Applied, Call, Settings, settings_builders};

const PROVIDER: &str = "elasticache";

/// The [`CacheCluster`] port on Amazon ElastiCache replication groups.
///
/// # Examples
///
/// ```no_run
/// # async fn example() {
/// use cato_runbook_aws::elasticache::ElastiCacheCluster;
///
/// let sdk = aws_config::load_from_env().await;
/// let cluster = ElastiCacheCluster::new(&sdk);
/// assert_eq!(cluster.to_string(), "elasticache");
/// # }
/// ```
pub struct ElastiCacheCluster {
    client: Client,
    settings: Settings,
    applied: Applied<()>,
}

impl ElastiCacheCluster {
    /// A provider over a client built from `config`.
    pub fn new(config: &aws_types::SdkConfig) -> Self {
        Self::from_client(Client::new(config))
    }

    /// A provider over a ready client.
    pub fn from_client(client: Client) -> Self {
        ElastiCacheCluster {
            client,
            settings: Settings::default(),
            applied: Applied::new(),
        }
    }
}

settings_builders!(ElastiCacheCluster);

impl fmt::Debug for ElastiCacheCluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ElastiCacheCluster")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for ElastiCacheCluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PROVIDER)
    }
}

#[async_trait]
impl CacheCluster for ElastiCacheCluster {
    async fn describe(&self, id: &str) -> Result<CacheClusterState> {
        let call = Call::new(PROVIDER, "DescribeReplicationGroups", &self.settings).on(id);
        call.run(async {
            let out = self
                .client
                .describe_replication_groups()
                .replication_group_id(id)
                .send()
                .await
                .map_err(|e| call.sdk(e))?;
            let group = out
                .replication_groups()
                .iter()
                .find(|g| g.replication_group_id() == Some(id))
                .ok_or_else(|| call.error(ErrorKind::NotFound, format!("{id} does not exist")))?;
            let node_type = group
                .cache_node_type()
                .ok_or_else(|| call.malformed("the group has no node type"))?;
            Ok(CacheClusterState {
                id: id.to_owned(),
                status: group.status().unwrap_or_default().to_owned(),
                node_type: node_type.to_owned(),
                nodes: u32::try_from(group.member_clusters().len()).unwrap_or(u32::MAX),
            })
        })
        .await
    }

    async fn modify_node_type(
        &self,
        id: &str,
        node_type: &str,
        key: &IdempotencyKey,
    ) -> Result<()> {
        let call = Call::new(PROVIDER, "ModifyReplicationGroup", &self.settings).on(id);
        let resource = format!("{id}\u{0}{node_type}");
        if self
            .applied
            .get("ModifyReplicationGroup", &resource, key)
            .is_some()
        {
            tracing::debug!(id, node_type, %key, "ModifyReplicationGroup already applied with this key");
            return Ok(());
        }
        call.run(async {
            let sent = self
                .client
                .modify_replication_group()
                .replication_group_id(id)
                .cache_node_type(node_type)
                .apply_immediately(true)
                .send()
                .await;
            match sent {
                Ok(_) => Ok(()),
                Err(e) if nothing_to_modify(&e) => Ok(()),
                Err(e) => Err(call.sdk(e)),
            }
        })
        .await?;
        self.applied
            .record("ModifyReplicationGroup", &resource, key, ());
        Ok(())
    }
}

/// ElastiCache refuses a modification that changes nothing: the group is already so.
fn nothing_to_modify<E: aws_smithy_types::error::metadata::ProvideErrorMetadata>(err: &E) -> bool {
    err.code() == Some("InvalidParameterCombination")
        && err
            .message()
            .is_some_and(|m| m.contains("No modifications were requested"))
}
