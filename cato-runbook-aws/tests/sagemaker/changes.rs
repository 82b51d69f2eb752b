//! SageMaker's endpoint config changes as deployments: the deployments conformance suite on
//! moto; the mapping, a missing endpoint among several, and failures on the wire.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_aws::sagemaker::SageMakerDeployments;
use cato_runbook_core::catalog::PortName;
use cato_runbook_core::ports::{AllDeployments, Clock, Deployments, SystemClock};
use cato_runbook_core::{ErrorKind, Retry, time};
use cato_runbook_mock::World;
use cato_runbook_mock::conformance::{self, changes::DeploymentsFixture};
use serde_json::json;
use wiremock::matchers::{body_partial_json, header};
use wiremock::{Mock, MockServer};

use crate::aws_support::wire::{self, Protocol};
use crate::aws_support::{self as support, Aws, seed};

#[tokio::test]
async fn conformance_on_moto() {
    let Some(aws) = Aws::start().await else {
        return;
    };
    let mut endpoint = World::default().conformance_fixtures().unwrap().endpoint;
    endpoint.instance_type = seed::MOTO_INSTANCE_TYPE.into();
    let since = time::sub(SystemClock.now(), Duration::from_secs(60));
    seed::endpoint(&aws, &endpoint).await;
    let port = SageMakerDeployments::from_client(aws.sagemaker()).watching([&endpoint.endpoint]);
    // The older config's creation, then the endpoint running the current one.
    let fixture = DeploymentsFixture {
        since,
        services: vec![endpoint.endpoint.clone(), endpoint.endpoint.clone()],
        settle: support::settle(),
    };
    conformance::changes::run_all_deployments(&port, &fixture)
        .await
        .unwrap();
    let found = port.since(since).await.unwrap();
    let versions: Vec<&str> = found.iter().map(|d| d.version.as_str()).collect();
    assert_eq!(
        versions,
        [
            endpoint.previous_config.as_str(),
            endpoint.current_config.as_str()
        ],
        "{found:?}"
    );
    assert!(found.iter().all(|d| d.author.is_none()));
    assert!(
        found[1]
            .description
            .contains("runs cato-shadow-self-config since"),
        "{found:?}"
    );
    // Through the combinator, as the wiring serves it.
    let all = AllDeployments::new().with(Arc::new(port));
    conformance::changes::run_all_deployments(&all, &fixture)
        .await
        .unwrap();
    let called = support::assert_within_policy(&aws.recorder, PortName::Deployments);
    assert_eq!(
        called.len(),
        cato_runbook_aws::iam::actions(PortName::Deployments).len(),
        "every action of the policy is used: {called:?}"
    );
}

fn endpoint(name: &str, config: &str, modified: f64) -> serde_json::Value {
    json!({
        "EndpointName": name,
        "EndpointArn": format!("arn:aws:sagemaker:us-east-1:1:endpoint/{name}"),
        "EndpointConfigName": config,
        "EndpointStatus": "InService",
        "CreationTime": 1.6e9,
        "LastModifiedTime": modified,
        "ProductionVariants": []
    })
}

fn configs(names: &[(&str, f64)]) -> serde_json::Value {
    let list: Vec<_> = names
        .iter()
        .map(|(name, created)| {
            json!({
                "EndpointConfigName": name,
                "EndpointConfigArn": format!("arn:aws:sagemaker:us-east-1:1:endpoint-config/{name}"),
                "CreationTime": created
            })
        })
        .collect();
    json!({ "EndpointConfigs": list })
}

async fn mount(server: &MockServer, op: &str, name: &str, reply: wiremock::ResponseTemplate) {
    let field = if op == "DescribeEndpoint" {
        "EndpointName"
    } else {
        "NameContains"
    };
    Mock::given(header("x-amz-target", format!("SageMaker.{op}").as_str()))
        .and(body_partial_json(json!({ field: name })))
        .respond_with(reply)
        .mount(server)
        .await;
}

#[tokio::test]
async fn configs_and_the_current_one_map_and_a_missing_endpoint_is_unread() {
    let server = MockServer::start().await;
    let t0 = 1_700_000_000.0;
    mount(
        &server,
        "DescribeEndpoint",
        "cato-shadow-self",
        wire::ok(
            Protocol::Json,
            &endpoint("cato-shadow-self", "cato-shadow-self-config-v3", t0 + 600.0),
        ),
    )
    .await;
    mount(
        &server,
        "ListEndpointConfigs",
        "cato-shadow-self",
        wire::ok(
            Protocol::Json,
            &configs(&[
                ("cato-shadow-self-config-v1", t0 - 86_400.0),
                ("cato-shadow-self-config-v2", t0 + 60.0),
                ("cato-shadow-self-config-v3", t0 + 120.0),
                ("CATO-SHADOW-SELF-other", t0 + 130.0),
            ]),
        ),
    )
    .await;
    mount(
        &server,
        "DescribeEndpoint",
        "cato-canary",
        wire::error(
            Protocol::Json,
            400,
            "ValidationException",
            "Could not find endpoint \"arn:aws:sagemaker:us-east-1:1:endpoint/cato-canary\".",
        ),
    )
    .await;
    let sdk = support::sdk_config(&server.uri(), support::test_credentials());
    let since = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let one = SageMakerDeployments::new(&sdk).watching(["cato-shadow-self"]);
    let found = one.since(since).await.unwrap();
    // v1 is older than `since`; v3 is current: it shows when the endpoint last changed, not
    // when it was created; the upper-case config is not the endpoint's.
    let shown: Vec<(&str, i64)> = found
        .iter()
        .map(|d| (d.version.as_str(), d.at.timestamp()))
        .collect();
    assert_eq!(
        shown,
        [
            ("cato-shadow-self-config-v2", 1_700_000_060),
            ("cato-shadow-self-config-v3", 1_700_000_600)
        ]
    );
    assert!(
        found[0]
            .description
            .contains("does not record whether or when")
    );
    assert_eq!(found[1].service, "cato-shadow-self");

    let two = SageMakerDeployments::new(&sdk).watching(["cato-shadow-self", "cato-canary"]);
    assert_eq!(
        two.to_string(),
        "sagemaker endpoint configs (cato-shadow-self, cato-canary)"
    );
    let read = two.read(since).await.unwrap();
    assert_eq!(read.deployments, found);
    assert_eq!(read.unread.len(), 1);
    assert_eq!(read.unread[0].source, "sagemaker cato-canary");
    assert_eq!(read.unread[0].error.kind(), ErrorKind::NotFound);
    assert_eq!(read.unread[0].error.resource(), Some("cato-canary"));
    // The strict answer fails on it.
    let err = two.since(since).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    // Only the missing one: nothing read, an error.
    let err = SageMakerDeployments::new(&sdk)
        .watching(["cato-canary"])
        .read(since)
        .await
        .unwrap_err();
    assert_eq!(err.operation(), "DescribeEndpoint");
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
            SageMakerDeployments::new(&sdk)
                .watching(["cato-shadow-self"])
                .since(chrono::DateTime::UNIX_EPOCH)
                .await
        },
    )
    .await;
    let err = wire::against(
        wire::error(Protocol::Json, 400, "ThrottlingException", "Rate exceeded"),
        |sdk| async move {
            SageMakerDeployments::new(&sdk)
                .watching(["cato-shadow-self"])
                .read(chrono::DateTime::UNIX_EPOCH)
                .await
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.retry(), Retry::Throttled);
    assert_eq!(err.resource(), Some("cato-shadow-self"));
}
