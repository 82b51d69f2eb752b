//! SageMaker: the endpoint conformance suite on moto; failures and in-flight states on the wire.

use cato_runbook_aws::sagemaker::SageMakerEndpoint;
use cato_runbook_core::catalog::PortName;
use cato_runbook_core::ports::{EndpointStatus, ModelEndpoint};
use cato_runbook_core::{ErrorKind, IdempotencyKey, Retry};
use cato_runbook_mock::World;
use cato_runbook_mock::conformance::{self, endpoint::EndpointFixture};
use serde_json::json;
use wiremock::matchers::{body_partial_json, header};
use wiremock::{Mock, MockServer};

use crate::aws_support::wire::{self, Protocol};
use crate::aws_support::{self as support, Aws, seed};

fn fixture() -> EndpointFixture {
    let mut f = World::default().conformance_fixtures().unwrap().endpoint;
    f.settle = support::settle();
    // SageMaker (and moto, behind the proxy's UpdateEndpoint) refuses a config that does not
    // exist with `ValidationException: Could not find endpoint configuration …`: not found.
    f.unknown_config = ErrorKind::NotFound;
    // moto takes only the instance types of its own list, which has no ml.g5.
    f.instance_type = seed::MOTO_INSTANCE_TYPE.into();
    f
}

#[tokio::test]
async fn conformance_on_moto() {
    let Some(aws) = Aws::start().await else {
        return;
    };
    let f = fixture();
    seed::endpoint(&aws, &f).await;
    let port = SageMakerEndpoint::from_client(aws.sagemaker());
    conformance::endpoint::run_all(&port, &f).await.unwrap();
    // The restart, the rollback and the roll-forward reached the service; the repeats did not.
    assert_eq!(
        aws.proxy.count("SageMaker.UpdateEndpoint"),
        4,
        "{:?}",
        aws.proxy.calls()
    );
    let called = support::assert_within_policy(&aws.recorder, PortName::Endpoint);
    let policy = cato_runbook_aws::iam::actions(PortName::Endpoint);
    assert_eq!(
        called.len(),
        policy.len(),
        "every action of the policy is used: {called:?}"
    );
}

#[tokio::test]
async fn failures_map_to_their_class() {
    wire::failure_classes(
        Protocol::Json,
        (
            400,
            "ValidationException",
            "Could not find endpoint \"arn:aws:sagemaker:us-east-1:1:endpoint/x\".",
        ),
        "sagemaker",
        "DescribeEndpoint",
        |sdk| async move {
            SageMakerEndpoint::new(&sdk)
                .describe("cato-shadow-self")
                .await
        },
    )
    .await;
    let err = wire::against(
        wire::error(Protocol::Json, 400, "ThrottlingException", "Rate exceeded"),
        |sdk| async move { SageMakerEndpoint::new(&sdk).list_configs("cato").await },
    )
    .await
    .unwrap_err();
    assert_eq!(err.retry(), Retry::Throttled);
    assert_eq!(err.operation(), "ListEndpointConfigs");
    assert_eq!(err.resource(), Some("cato"));
}

fn updating() -> serde_json::Value {
    json!({
        "EndpointName": "cato-shadow-self",
        "EndpointArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/cato-shadow-self",
        "EndpointConfigName": "cato-shadow-self-config",
        "EndpointStatus": "Updating",
        "CreationTime": 1.7e9,
        "LastModifiedTime": 1.7e9 + 60.0,
        "ProductionVariants": [{
            "VariantName": "primary",
            "CurrentInstanceCount": 10,
            "DesiredInstanceCount": 50,
            "CurrentWeight": 1.0,
            "DesiredWeight": 1.0
        }]
    })
}

#[tokio::test]
async fn an_update_in_flight_is_a_transient_conflict() {
    let d = wire::against(wire::ok(Protocol::Json, &updating()), |sdk| async move {
        SageMakerEndpoint::new(&sdk)
            .describe("cato-shadow-self")
            .await
    })
    .await
    .unwrap();
    assert_eq!(d.status, EndpointStatus::Updating);
    assert_eq!(
        (
            d.variants[0].current_instances,
            d.variants[0].desired_instances
        ),
        (10, 50)
    );
    assert_eq!(d.last_modified.timestamp(), 1_700_000_060);

    let busy = || {
        wire::error(
            Protocol::Json,
            400,
            "ValidationException",
            "Cannot update in-progress endpoint \"arn:aws:sagemaker:us-east-1:1:endpoint/cato-shadow-self\".",
        )
    };
    let key = IdempotencyKey::new("INC-1:scale-up");
    let result = wire::against(busy(), |sdk| async move {
        SageMakerEndpoint::new(&sdk)
            .set_instance_count("cato-shadow-self", "primary", 50, &key)
            .await
    })
    .await;
    wire::expect_error(
        result,
        ErrorKind::Conflict,
        Retry::Transient,
        "sagemaker",
        "UpdateEndpointWeightsAndCapacities",
    );
    let key = IdempotencyKey::new("INC-1:restart");
    let result = wire::against(busy(), |sdk| async move {
        SageMakerEndpoint::new(&sdk)
            .update_config("cato-shadow-self", "cato-shadow-self-config", &key)
            .await
    })
    .await;
    wire::expect_error(
        result,
        ErrorKind::Conflict,
        Retry::Transient,
        "sagemaker",
        "UpdateEndpoint",
    );
}

#[tokio::test]
async fn update_endpoint_is_sent_once_per_key() {
    let server = MockServer::start().await;
    Mock::given(header("x-amz-target", "SageMaker.UpdateEndpoint"))
        .and(body_partial_json(json!({
            "EndpointName": "cato-shadow-self",
            "EndpointConfigName": "cato-shadow-self-config-v1"
        })))
        .respond_with(wire::ok(
            Protocol::Json,
            &json!({ "EndpointArn": "arn:aws:sagemaker:us-east-1:1:endpoint/cato-shadow-self" }),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let sdk = support::sdk_config(&server.uri(), support::test_credentials());
    let port = SageMakerEndpoint::new(&sdk);
    let key = IdempotencyKey::new("INC-7:rollback");
    for _ in 0..2 {
        port.update_config("cato-shadow-self", "cato-shadow-self-config-v1", &key)
            .await
            .unwrap();
    }
    server.verify().await;
}

#[tokio::test]
async fn a_hung_call_times_out() {
    let template =
        wire::ok(Protocol::Json, &updating()).set_delay(std::time::Duration::from_secs(5));
    let result = wire::against(template, |sdk| async move {
        SageMakerEndpoint::new(&sdk)
            .with_timeout(std::time::Duration::from_millis(200))
            .describe("cato-shadow-self")
            .await
    })
    .await;
    let err = wire::expect_error(
        result,
        ErrorKind::Timeout,
        Retry::Transient,
        "sagemaker",
        "DescribeEndpoint",
    );
    assert_eq!(err.resource(), Some("cato-shadow-self"));
}

mod changes;

#[tokio::test]
async fn a_config_names_its_variants_instance_types_and_leaves_serverless_ones_out() {
    let answer = json!({
        "EndpointConfigName": "cato-shadow-self-config",
        "EndpointConfigArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/cato-shadow-self-config",
        "CreationTime": 1.7e9,
        "ProductionVariants": [
            {
                "VariantName": "primary",
                "ModelName": "shadow-self",
                "InstanceType": "ml.g5.xlarge",
                "InitialInstanceCount": 8
            },
            {
                "VariantName": "serverless",
                "ModelName": "shadow-self",
                "ServerlessConfig": { "MemorySizeInMB": 2048, "MaxConcurrency": 5 }
            }
        ]
    });
    let config = wire::against(wire::ok(Protocol::Json, &answer), |sdk| async move {
        SageMakerEndpoint::new(&sdk)
            .describe_config("cato-shadow-self-config")
            .await
    })
    .await
    .unwrap();
    assert_eq!(config.name, "cato-shadow-self-config");
    assert_eq!(config.instance_type("primary"), Some("ml.g5.xlarge"));
    assert_eq!(config.variants.len(), 1);
    assert_eq!(config.variants[0].initial_instances, 8);
    assert_eq!(config.instance_type("serverless"), None);

    let err = wire::against(
        wire::error(
            Protocol::Json,
            400,
            "ValidationException",
            "Could not find endpoint configuration \"nope\".",
        ),
        |sdk| async move { SageMakerEndpoint::new(&sdk).describe_config("nope").await },
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.operation(), "DescribeEndpointConfig");
    assert_eq!(err.resource(), Some("nope"));
}
