//! AWS Health against a stand-in speaking what `aws-sdk-health` sends: Smithy RPC v2 CBOR
//! (`POST /service/AWSHealth_20160804/operation/<Op>`, `smithy-protocol: rpc-v2-cbor`). moto
//! has no Health API. Events mapped, pages followed, affected resources named, the conformance
//! suite, `SubscriptionRequiredException` as unavailable, and the failure classes.

use std::sync::{Arc, Mutex};

use cato_runbook_aws::health::{AwsHealth, UNAVAILABLE};
use cato_runbook_core::catalog::first_five_minutes::{CloudHealthEvents, Config};
use cato_runbook_core::catalog::{PortName, facts};
use cato_runbook_core::ports::{CloudHealth, SystemClock};
use cato_runbook_core::runbook::{DiagnoseContext, Diagnosis, Findings};
use cato_runbook_core::{ErrorKind, IncidentId, Retry, Timestamp};
use cato_runbook_mock::conformance::{
    self,
    changes::{CloudHealthFixture, ExpectedHealthEvent},
};
use serde_json::{Value as Json, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::aws_support::wire::{self, Protocol};
use crate::aws_support::{self as support, Recorder, cbor};

const T0: i64 = 1_700_000_000;
const SAGEMAKER_EVENT: &str =
    "arn:aws:health:us-east-1::event/SAGEMAKER/AWS_SAGEMAKER_OPERATIONAL_ISSUE/1";
const DYNAMODB_EVENT: &str =
    "arn:aws:health:us-east-1::event/DYNAMODB/AWS_DYNAMODB_OPERATIONAL_ISSUE/2";
const BEDROCK_EVENT: &str =
    "arn:aws:health:us-west-2::event/BEDROCK/AWS_BEDROCK_OPERATIONAL_ISSUE/3";

fn event(arn: &str, service: &str, region: &str, start: i64, status: &str) -> Json {
    json!({
        "arn": arn,
        "service": service,
        "eventTypeCode": format!("AWS_{service}_OPERATIONAL_ISSUE"),
        "eventTypeCategory": "issue",
        "region": region,
        "startTime": start,
        "statusCode": status
    })
}

/// AWS Health as the stand-in plays it: two pages of open events, one closed event (and one
/// that closed before the time asked, which the provider must drop), the entities of each.
#[derive(Clone, Default)]
struct Health {
    requests: Arc<Mutex<Vec<(String, Json)>>>,
}

impl Health {
    fn requests(&self, op: &str) -> Vec<Json> {
        let requests = self.requests.lock().unwrap();
        requests
            .iter()
            .filter(|(o, _)| o == op)
            .map(|(_, body)| body.clone())
            .collect()
    }
}

impl Respond for Health {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let op = request
            .url
            .path()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        let cbor_headers = request
            .headers
            .get("smithy-protocol")
            .map(|v| v.to_str().unwrap_or(""))
            == Some("rpc-v2-cbor")
            && request
                .headers
                .get("content-type")
                .map(|v| v.to_str().unwrap_or(""))
                == Some("application/cbor");
        if !cbor_headers
            || !request
                .url
                .path()
                .starts_with("/service/AWSHealth_20160804/operation/")
        {
            return ResponseTemplate::new(400).set_body_string("not what aws-sdk-health sends");
        }
        let body = cbor::to_json(&request.body).unwrap();
        self.requests
            .lock()
            .unwrap()
            .push((op.clone(), body.clone()));
        let token = body["nextToken"].as_str();
        let reply = match op.as_str() {
            "DescribeEvents" => {
                let statuses = &body["filter"]["eventStatusCodes"];
                if statuses == &json!(["open"]) {
                    match token {
                        None => json!({
                            "events": [event(SAGEMAKER_EVENT, "SAGEMAKER", "us-east-1", T0 - 2 * 86_400, "open")],
                            "nextToken": "page-2"
                        }),
                        Some(_) => json!({
                            "events": [event(DYNAMODB_EVENT, "DYNAMODB", "us-east-1", T0 - 600, "open")]
                        }),
                    }
                } else {
                    json!({ "events": [
                        event(BEDROCK_EVENT, "BEDROCK", "us-west-2", T0 - 1_800, "closed"),
                        event("arn:aws:health:us-east-1::event/EC2/x/4", "EC2", "us-east-1", T0 - 30 * 86_400, "closed")
                    ]})
                }
            }
            "DescribeAffectedEntities" => {
                let arns = &body["filter"]["eventArns"];
                let mut entities = Vec::new();
                if arns.as_array().unwrap().contains(&json!(SAGEMAKER_EVENT)) {
                    entities.push(
                        json!({ "eventArn": SAGEMAKER_EVENT, "entityValue": "cato-shadow-self" }),
                    );
                    entities.push(json!({ "eventArn": SAGEMAKER_EVENT, "entityValue": "someone-elses-endpoint" }));
                }
                if arns.as_array().unwrap().contains(&json!(DYNAMODB_EVENT)) {
                    entities.push(json!({
                        "eventArn": DYNAMODB_EVENT,
                        "entityArn": "arn:aws:dynamodb:us-east-1:123456789012:table/cato-semantic-memory",
                        "entityValue": "arn:aws:dynamodb:us-east-1:123456789012:table/cato-semantic-memory"
                    }));
                }
                json!({ "entities": entities })
            }
            _ => return wire::error(Protocol::Cbor, 400, "UnknownOperationException", &op),
        };
        wire::ok(Protocol::Cbor, &reply)
    }
}

async fn stand_in() -> (MockServer, Health, aws_types::SdkConfig) {
    let server = MockServer::start().await;
    let health = Health::default();
    Mock::given(wiremock::matchers::method("POST"))
        .respond_with(health.clone())
        .mount(&server)
        .await;
    let sdk = support::sdk_config(&server.uri(), support::test_credentials());
    (server, health, sdk)
}

fn since() -> Timestamp {
    chrono::DateTime::from_timestamp(T0 - 86_400, 0).unwrap()
}

fn provider(sdk: &aws_types::SdkConfig, recorder: &Recorder) -> AwsHealth {
    let conf = aws_sdk_health::config::Builder::from(sdk)
        .region(aws_sdk_health::config::Region::new("us-east-1"))
        .interceptor(recorder.clone())
        .build();
    AwsHealth::from_client(aws_sdk_health::Client::from_conf(conf))
        .with_services(["sagemaker", "DYNAMODB", "BEDROCK"])
        .watching(["cato-shadow-self", "cato-semantic-memory", "cato-cache"])
}

#[tokio::test]
async fn events_are_mapped_paged_and_name_the_resources_they_affect() {
    let (_server, stand_in, sdk) = stand_in().await;
    let recorder = Recorder::default();
    let health = provider(&sdk, &recorder);
    assert_eq!(health.to_string(), "aws-health (us-east-1)");
    let events = health.events(since()).await.unwrap();
    let shown: Vec<(&str, &str, bool, i64)> = events
        .iter()
        .map(|e| {
            (
                e.service.as_str(),
                e.region.as_str(),
                e.open,
                e.started_at.timestamp(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("SAGEMAKER", "us-east-1", true, T0 - 2 * 86_400),
            ("BEDROCK", "us-west-2", false, T0 - 1_800),
            ("DYNAMODB", "us-east-1", true, T0 - 600),
        ]
    );
    assert_eq!(
        events[0].description,
        "AWS_SAGEMAKER_OPERATIONAL_ISSUE (issue); affects cato-shadow-self"
    );
    assert_eq!(
        events[2].description,
        "AWS_DYNAMODB_OPERATIONAL_ISSUE (issue); affects cato-semantic-memory"
    );
    assert_eq!(
        events[1].description,
        "AWS_BEDROCK_OPERATIONAL_ISSUE (issue)"
    );

    // Open events whenever they started (two pages), closed ones since the time asked; the
    // services upper-cased, issues and scheduled changes only.
    let queries = stand_in.requests("DescribeEvents");
    assert_eq!(queries.len(), 3, "{queries:?}");
    assert_eq!(queries[1]["nextToken"], "page-2");
    for q in &queries {
        assert_eq!(
            q["filter"]["services"],
            json!(["SAGEMAKER", "DYNAMODB", "BEDROCK"])
        );
        assert_eq!(
            q["filter"]["eventTypeCategories"],
            json!(["issue", "scheduledChange"])
        );
    }
    assert!(queries[0]["filter"].get("startTimes").is_none());
    assert_eq!(queries[2]["filter"]["eventStatusCodes"], json!(["closed"]));
    assert_eq!(
        queries[2]["filter"]["startTimes"][0]["from"].as_f64(),
        Some((T0 - 86_400) as f64)
    );
    let entities = stand_in.requests("DescribeAffectedEntities");
    assert_eq!(entities.len(), 1);
    assert_eq!(
        entities[0]["filter"]["eventArns"].as_array().unwrap().len(),
        4
    );

    let called = support::assert_within_policy(&recorder, PortName::Health);
    assert_eq!(
        called.len(),
        cato_runbook_aws::iam::actions(PortName::Health).len(),
        "every action of the policy is used: {called:?}"
    );
}

#[tokio::test]
async fn conformance_on_the_stand_in() {
    let (_server, _stand_in, sdk) = stand_in().await;
    let health = provider(&sdk, &Recorder::default());
    let expected = |service: &str, region: &str, open: bool| ExpectedHealthEvent {
        service: service.into(),
        region: region.into(),
        open,
    };
    let fixture = CloudHealthFixture {
        since: since(),
        events: vec![
            expected("SAGEMAKER", "us-east-1", true),
            expected("DYNAMODB", "us-east-1", true),
            expected("BEDROCK", "us-west-2", false),
        ],
    };
    conformance::changes::run_all_health(&health, &fixture)
        .await
        .unwrap();
}

#[tokio::test]
async fn without_a_business_support_plan_health_is_unavailable_not_failed() {
    let template = wire::error(
        Protocol::Cbor,
        400,
        "SubscriptionRequiredException",
        "The AWS Support plan on this account doesn't include AWS Health API access.",
    );
    let (_server, sdk) = wire::serving(template).await;
    let health = AwsHealth::new(&sdk);
    let err = health.events(since()).await.unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Unsupported, Retry::Permanent)
    );
    assert_eq!(err.message(), UNAVAILABLE);
    assert_eq!(err.provider(), Some("aws-health"));

    // The cloud-health diagnosis: a finding saying so, no failure, no cause.
    let check = CloudHealthEvents::new(Arc::new(health), Config::default().health);
    let now = cato_runbook_core::ports::Clock::now(&SystemClock);
    let ctx = DiagnoseContext::new(
        IncidentId::new("INC-HEALTH"),
        "shadow-self-down".into(),
        "cato-shadow-self",
        now,
        now,
    );
    let report = check.diagnose(&ctx).await.unwrap();
    assert!(report.root_causes.is_empty());
    assert_eq!(
        Findings(&report.findings).get(facts::HEALTH_UNAVAILABLE),
        Some(true)
    );
    assert!(
        report.findings[0]
            .summary
            .starts_with("AWS Health unavailable (no Business support plan)"),
        "{report:?}"
    );
}

#[tokio::test]
async fn failures_map_to_their_class() {
    wire::failure_classes(
        Protocol::Cbor,
        (400, "ResourceNotFoundException", "no such event"),
        "aws-health",
        "DescribeEvents",
        |sdk| async move { AwsHealth::new(&sdk).events(since()).await },
    )
    .await;
    let err = wire::against(
        wire::error(Protocol::Cbor, 400, "ThrottlingException", "Rate exceeded"),
        |sdk| async move { AwsHealth::new(&sdk).events(since()).await },
    )
    .await
    .unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Throttled, Retry::Throttled)
    );
    let err = wire::against(
        wire::error(Protocol::Cbor, 500, "InternalFailure", "oops"),
        |sdk| async move { AwsHealth::new(&sdk).events(since()).await },
    )
    .await
    .unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Unavailable, Retry::Transient)
    );
}
