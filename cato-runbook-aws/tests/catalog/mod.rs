//! Each catalog runbook's diagnosis with the AWS providers on moto (the other ports on the
//! fakes): no diagnosis fails, the log diagnoses find exactly what the seeded lines hold, and
//! diagnosis calls only what the read-only policy grants.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use cato_runbook_aws::cloudwatch::CloudWatchMetrics;
use cato_runbook_aws::cloudwatch_logs::CloudWatchLogs;
use cato_runbook_aws::dynamodb::DynamoDbTables;
use cato_runbook_aws::elasticache::ElastiCacheCluster;
use cato_runbook_aws::iam::{self, Scope};
use cato_runbook_aws::sagemaker::SageMakerEndpoint;
use cato_runbook_aws::service_quotas::ServiceQuotas;
use cato_runbook_core::catalog::{self, CatalogConfig, Providers, facts};
use cato_runbook_core::ports::{Clock, SystemClock};
use cato_runbook_core::runbook::{DiagnoseContext, DiagnosisReport, Findings};
use cato_runbook_core::{IncidentId, time};
use cato_runbook_mock::World;

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
    let mut endpoint = fixtures.endpoint.clone();
    endpoint.instance_type = seed::MOTO_INSTANCE_TYPE.into();
    seed::endpoint(&aws, &endpoint).await;
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
    let mut p: Providers = ports.providers(world.clock_handle());
    p.clock = Arc::new(SystemClock);
    p.endpoint = Some(Arc::new(SageMakerEndpoint::from_client(aws.sagemaker())));
    p.metrics = Some(Arc::new(CloudWatchMetrics::from_client(aws.cloudwatch())));
    p.logs = Some(Arc::new(CloudWatchLogs::from_client(aws.logs())));
    p.cache_cluster = Some(Arc::new(ElastiCacheCluster::from_client(aws.elasticache())));
    p.tables = Some(Arc::new(DynamoDbTables::from_client(aws.dynamodb())));
    p.quotas = Some(Arc::new(ServiceQuotas::from_client(aws.service_quotas())));
    let mut reports = BTreeMap::new();
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
            match diagnosis.diagnose(&ctx).await {
                Ok(report) => {
                    reports.insert((entry.id.to_owned(), diagnosis.name().to_owned()), report);
                }
                Err(e) => panic!(
                    "{}: diagnosis {} failed on moto: {e}",
                    entry.id,
                    diagnosis.name()
                ),
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
    assert_seeded_log_findings(&reports);
}

/// What the lines `seeded` wrote must make the log diagnoses find, exactly: one out-of-memory
/// line in the endpoint's log group; in the orchestrator's, one throttling line that falls back
/// and one throughput exception naming the `physics` domain.
fn assert_seeded_log_findings(reports: &BTreeMap<(String, String), DiagnosisReport>) {
    let report = |runbook: &str, diagnosis: &str| {
        reports
            .get(&(runbook.to_owned(), diagnosis.to_owned()))
            .unwrap_or_else(|| {
                panic!(
                    "no diagnosis {diagnosis} of {runbook}: {:?}",
                    reports.keys()
                )
            })
    };

    let errors = report("shadow-self-down", "error-logs");
    let f = Findings(&errors.findings);
    assert_eq!(
        (
            f.get(facts::ERROR_EVENTS),
            f.get(facts::OOM_EVENTS),
            f.get(facts::GPU_DRIVER_EVENTS),
            f.get(facts::CRASH_LOOP_EVENTS),
        ),
        (Some(1), Some(1), Some(0), Some(0)),
        "{errors:?}"
    );
    let causes: Vec<&str> = errors
        .root_causes
        .iter()
        .map(|c| c.cause.as_str())
        .collect();
    assert_eq!(causes, ["out of memory (model too large)"], "{errors:?}");
    // Every matching line is an out-of-memory one: 0.3 + 0.6 × 1.
    assert!(
        (errors.root_causes[0].confidence - 0.9).abs() < 1e-9,
        "{errors:?}"
    );

    let throttling = report("bedrock-throttling", "throttling-logs");
    let f = Findings(&throttling.findings);
    assert_eq!(
        (
            f.get(facts::LOGS_THROTTLING_LINES),
            f.get(facts::LOGS_FALLBACK_LINES)
        ),
        (Some(1), Some(1)),
        "{throttling:?}"
    );
    assert!(throttling.root_causes.is_empty(), "{throttling:?}");

    let domains = report("dynamodb-hot-partition", "affected-domains");
    let f = Findings(&domains.findings);
    assert_eq!(f.get(facts::LOGS_THROUGHPUT_LINES), Some(1), "{domains:?}");
    assert_eq!(
        f.text_of(facts::DOMAINS_AFFECTED),
        Some("physics"),
        "{domains:?}"
    );
    assert_eq!(
        f.text_of(facts::DOMAINS_TOP),
        Some("physics"),
        "{domains:?}"
    );
    assert_eq!(f.get(facts::DOMAINS_TOP_SHARE), Some(1.0), "{domains:?}");
    // One line is fewer than the three a hot-partition cause needs.
    assert!(domains.root_causes.is_empty(), "{domains:?}");
}
