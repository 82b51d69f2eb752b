//! ElastiCache: the cache-cluster conformance suite on moto; failures and in-flight states on
//! the wire (AWS Query, XML).

use cato_runbook_aws::elasticache::ElastiCacheCluster;
use cato_runbook_core::catalog::PortName;
use cato_runbook_core::ports::CacheCluster;
use cato_runbook_core::{ErrorKind, IdempotencyKey, Retry};
use cato_runbook_mock::World;
use cato_runbook_mock::conformance;

use crate::aws_support::wire::{self, Protocol};
use crate::aws_support::{self as support, Aws, seed};

#[tokio::test]
async fn conformance_on_moto() {
    let Some(aws) = Aws::start().await else {
        return;
    };
    let mut f = World::default()
        .conformance_fixtures()
        .unwrap()
        .cache_cluster;
    f.settle = support::settle();
    seed::cache(&aws, &f.id, &f.node_type).await;
    let port = ElastiCacheCluster::from_client(aws.elasticache());
    conformance::cache::run_all_cluster(&port, &f)
        .await
        .unwrap();
    // Two changes reached the service, their repeats did not (the refused type did).
    assert_eq!(
        aws.proxy.count("Query.ModifyReplicationGroup"),
        3,
        "{:?}",
        aws.proxy.calls()
    );
    let called = support::assert_within_policy(&aws.recorder, PortName::CacheCluster);
    assert_eq!(called.len(), 2);
}

#[tokio::test]
async fn failures_map_to_their_class() {
    wire::failure_classes(
        Protocol::Query,
        (
            404,
            "ReplicationGroupNotFoundFault",
            "Replication group cato-cache not found.",
        ),
        "elasticache",
        "DescribeReplicationGroups",
        |sdk| async move { ElastiCacheCluster::new(&sdk).describe("cato-cache").await },
    )
    .await;
}

const MODIFYING: &str = r#"<DescribeReplicationGroupsResponse xmlns="http://elasticache.amazonaws.com/doc/2015-02-02/">
  <DescribeReplicationGroupsResult>
    <ReplicationGroups>
      <ReplicationGroup>
        <ReplicationGroupId>cato-cache</ReplicationGroupId>
        <Status>modifying</Status>
        <CacheNodeType>cache.r7g.large</CacheNodeType>
        <MemberClusters><ClusterId>cato-cache-001</ClusterId><ClusterId>cato-cache-002</ClusterId></MemberClusters>
        <PendingModifiedValues/>
      </ReplicationGroup>
    </ReplicationGroups>
  </DescribeReplicationGroupsResult>
  <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
</DescribeReplicationGroupsResponse>"#;

#[tokio::test]
async fn a_modification_in_flight_is_a_transient_conflict() {
    let state = wire::against(wire::ok_xml(MODIFYING), |sdk| async move {
        ElastiCacheCluster::new(&sdk).describe("cato-cache").await
    })
    .await
    .unwrap();
    assert_eq!((state.status.as_str(), state.nodes), ("modifying", 2));
    let key = IdempotencyKey::new("INC-3:scale-up");
    let result = wire::against(
        wire::error(
            Protocol::Query,
            400,
            "InvalidReplicationGroupState",
            "Replication group must be in available state to modify.",
        ),
        |sdk| async move {
            ElastiCacheCluster::new(&sdk)
                .modify_node_type("cato-cache", "cache.r7g.2xlarge", &key)
                .await
        },
    )
    .await;
    wire::expect_error(
        result,
        ErrorKind::Conflict,
        Retry::Transient,
        "elasticache",
        "ModifyReplicationGroup",
    );
    // A change to the type the group already has is done.
    let key = IdempotencyKey::new("INC-3:again");
    wire::against(
        wire::error(
            Protocol::Query,
            400,
            "InvalidParameterCombination",
            "No modifications were requested.",
        ),
        |sdk| async move {
            ElastiCacheCluster::new(&sdk)
                .modify_node_type("cato-cache", "cache.r7g.2xlarge", &key)
                .await
        },
    )
    .await
    .unwrap();
}
