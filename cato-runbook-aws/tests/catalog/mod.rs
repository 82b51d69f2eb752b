//! Each catalog runbook's diagnosis with the AWS providers on moto (the other ports on the
//! fakes): no diagnosis fails, and diagnosis calls only what the read-only policy grants.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_aws::cloudwatch::CloudWatchMetrics;
use cato_runbook_aws::cloudwatch_logs::CloudWatchLogs;
use cato_runbook_aws::dynamodb::DynamoDbTables;
use cato_runbook_aws::elasticache::ElastiCacheCluster;
use cato_runbook_aws::iam::{self, Scope};
use cato_runbook_aws::sagemaker::SageMakerEndpoint;
use cato_runbook_aws::service_quotas::ServiceQuotas;
use cato_runbook_core::catalog::{self, CatalogConfig, Providers};
use cato_runbook_core::ports::{Clock, SystemClock};
use cato_runbook_core::runbook::DiagnoseContext;
use cato_runbook_core::{IncidentId, time};
use cato_runbook_mock::World;
use cato_runbook_mock::gameday::providers;

use crate::aws_support::{self as support, Aws, SeededQuota, seed};

/// moto set up as the default world: the Shadow Self endpoint, its logs, the cache, the table,
/// Bedrock's quota, Cato's custom metrics.
async fn seeded(world: &World) -> Aws {
    let fixtures = world.conformance_fixtures().unwrap();
    let quota = &world.config().quotas.quotas[0];
    let aws = Aws::start_with(vec![SeededQuota {
        service: quota.service.clone(),
        code: quota.code.clone(),
        name: "Bedrock requests per minute".into(),
        value: 100.0,
    }])
    .await
    .unwrap();
    seed::endpoint(&aws, &fixtures.endpoint).await;
    let e = &world.config().endpoints[0];
    let now = SystemClock.now();
    let lines = vec!["ERROR torch.OutOfMemoryError: CUDA out of memory".to_owned()];
    seed::logs(
        &aws,
        &e.log_group(),
        "primary",
        &lines,
        time::sub(now, Duration::from_secs(60)),
    )
    .await;
    // The orchestrator's log group, where the throttling and throughput exceptions are logged.
    let app = vec![
        "WARN bedrock ThrottlingException: Too many requests; falling back to haiku".to_owned(),
        "ERROR memory ProvisionedThroughputExceededException domain=physics".to_owned(),
    ];
    seed::logs(
        &aws,
        &world.config().logs.app_group,
        "cato-orchestrator-0",
        &app,
        time::sub(now, Duration::from_secs(60)),
    )
    .await;
    let c = &world.config().caches[0];
    seed::cache(&aws, &c.id, &c.node_type).await;
    let t = &world.config().tables[0];
    seed::table(
        &aws,
        &t.name,
        i64::try_from(t.read_capacity).unwrap(),
        i64::try_from(t.write_capacity).unwrap(),
    )
    .await;
    aws
}

#[tokio::test]
async fn every_runbook_diagnoses_on_moto_within_the_read_only_policy() {
    if support::moto().is_none() {
        return;
    }
    let world = World::default();
    let aws = seeded(&world).await;
    let ports = world.ports("aws-tests");
    let mut p: Providers = providers(&world, &ports);
    p.clock = Arc::new(SystemClock);
    p.endpoint = Some(Arc::new(SageMakerEndpoint::from_client(aws.sagemaker())));
    p.metrics = Some(Arc::new(CloudWatchMetrics::from_client(aws.cloudwatch())));
    p.logs = Some(Arc::new(CloudWatchLogs::from_client(aws.logs())));
    p.cache_cluster = Some(Arc::new(ElastiCacheCluster::from_client(aws.elasticache())));
    p.tables = Some(Arc::new(DynamoDbTables::from_clients(
        aws.dynamodb(),
        aws.cloudwatch(),
    )));
    p.quotas = Some(Arc::new(ServiceQuotas::from_client(aws.service_quotas())));
    for entry in catalog::entries() {
        aws.recorder.clear();
        let runbook = (entry.build)(&p, &CatalogConfig::default()).unwrap();
        let resource = runbook
            .detectors()
            .first()
            .map(|d| d.resource().to_owned())
            .unwrap_or_else(|| entry.id.to_owned());
        let now = SystemClock.now();
        let ctx = DiagnoseContext::new(
            IncidentId::new("INC-AWS"),
            runbook.id().clone(),
            resource,
            now,
            now,
        );
        for diagnosis in runbook.diagnoses() {
            if let Err(e) = diagnosis.diagnose(&ctx).await {
                panic!(
                    "{}: diagnosis {} failed on moto: {e}",
                    entry.id,
                    diagnosis.name()
                );
            }
        }
        let policy = iam::policy_for_runbooks(&[entry], Scope::ReadOnly);
        for action in aws.recorder.actions() {
            assert!(
                policy.allows(&action),
                "{}: diagnosis called {action}, not in {}",
                entry.id,
                policy.to_json()
            );
        }
    }
}
