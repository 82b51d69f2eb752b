//! CloudWatch: the metrics conformance suite on moto (over the CBOR-translating proxy), many
//! series per call, percentiles and failures on the wire.

mod alarms;

use std::time::Duration;

use cato_runbook_aws::cloudwatch::{CloudWatchMetrics, MAX_QUERIES_PER_CALL};
use cato_runbook_core::catalog::PortName;
use cato_runbook_core::ports::{Clock, Dimension, MetricQuery, Metrics, Statistic, SystemClock};
use cato_runbook_core::time;
use cato_runbook_mock::World;
use cato_runbook_mock::conformance::{self, metrics::MetricsFixture};
use chrono::DurationRound;
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request};

use crate::aws_support::cbor;
use crate::aws_support::wire::{self, Protocol};
use crate::aws_support::{self as support, Aws, seed};

const MINUTE: Duration = Duration::from_secs(60);

fn now_minute() -> cato_runbook_core::Timestamp {
    SystemClock
        .now()
        .duration_trunc(chrono::TimeDelta::minutes(1))
        .unwrap()
}

fn published() -> MetricQuery {
    MetricQuery {
        id: "invalidations".into(),
        namespace: "Custom/Cato".into(),
        metric: "CacheInvalidations".into(),
        dimensions: vec![],
        statistic: Statistic::Sum,
        period: MINUTE,
    }
}

fn fixture() -> MetricsFixture {
    let mut f = World::default().conformance_fixtures().unwrap().metrics;
    f.settle = support::settle();
    // moto computes no percentiles; the proxy in front of it does, from the values put.
    f.percentiles = true;
    f.published = Some(published());
    f
}

#[tokio::test]
async fn conformance_on_moto() {
    let Some(aws) = Aws::start().await else {
        return;
    };
    let f = fixture();
    let minute = now_minute();
    let points: Vec<_> = (1..=5)
        .map(|i| (time::sub(minute, MINUTE * i), 2.0))
        .collect();
    seed::metric(&aws, "Custom/Cato", "CacheInvalidations", &[], &points).await;
    let port = CloudWatchMetrics::from_client(aws.cloudwatch());
    conformance::metrics::run_all(&port, &f).await.unwrap();
    let called = support::assert_within_policy(&aws.recorder, PortName::Metrics);
    assert_eq!(called.len(), 2, "{called:?}");
}

#[tokio::test]
async fn a_thousand_series_cost_two_calls() {
    let Some(aws) = Aws::start().await else {
        return;
    };
    let minute = now_minute();
    let dims = [Dimension::new("EndpointName", "cato-shadow-self")];
    seed::metric(
        &aws,
        "AWS/SageMaker",
        "Invocations",
        &dims,
        &[(time::sub(minute, MINUTE * 2), 7.0)],
    )
    .await;
    let queries: Vec<MetricQuery> = (0..1000)
        .map(|i| MetricQuery {
            id: format!("Series-{i}"),
            namespace: "AWS/SageMaker".into(),
            metric: if i == 999 {
                "Invocations".into()
            } else {
                format!("Detector{i}").into()
            },
            dimensions: dims.to_vec(),
            statistic: Statistic::Sum,
            period: MINUTE,
        })
        .collect();
    let port = CloudWatchMetrics::from_client(aws.cloudwatch());
    let before = aws.proxy.count("CloudWatch.GetMetricData");
    let answer = port
        .query(
            &queries,
            time::sub(minute, MINUTE * 10),
            time::add(minute, MINUTE),
        )
        .await
        .unwrap();
    assert_eq!(
        aws.proxy.count("CloudWatch.GetMetricData") - before,
        1000 / MAX_QUERIES_PER_CALL
    );
    assert_eq!(answer.len(), 1000);
    assert!(answer.iter().zip(&queries).all(|(s, q)| s.id == q.id));
    assert_eq!(answer[999].points.len(), 1);
    assert_eq!(answer[999].points[0].at, time::sub(minute, MINUTE * 2));
    assert_eq!(answer[999].latest(), Some(7.0));
    assert!(answer[..999].iter().all(|s| s.points.is_empty()));
}

/// Decodes a CBOR GetMetricData request and answers each query with its statistic's number
/// (p50 → 50, p99 → 99), as CloudWatch does, in CBOR.
struct Percentiles;

impl wiremock::Respond for Percentiles {
    fn respond(&self, request: &Request) -> wiremock::ResponseTemplate {
        let input = cbor::to_json(&request.body).unwrap();
        let start = input["StartTime"].as_f64().unwrap();
        let results: Vec<_> = input["MetricDataQueries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| {
                let stat = q["MetricStat"]["Stat"].as_str().unwrap();
                let value: f64 = stat.trim_start_matches('p').parse().unwrap();
                json!({
                    "Id": q["Id"],
                    "Label": stat,
                    "Timestamps": [start + 60.0, start],
                    "Values": [value + 1.0, value],
                    "StatusCode": "Complete"
                })
            })
            .collect();
        wire::ok(
            Protocol::Cbor,
            &json!({ "MetricDataResults": results, "Messages": [] }),
        )
    }
}

#[tokio::test]
async fn percentiles_go_over_the_wire() {
    let server = MockServer::start().await;
    Mock::given(path(
        "/service/GraniteServiceVersion20100801/operation/GetMetricData",
    ))
    .respond_with(Percentiles)
    .expect(1)
    .mount(&server)
    .await;
    let sdk = support::sdk_config(&server.uri(), support::test_credentials());
    let port = CloudWatchMetrics::new(&sdk);
    let q = |id: &str, p: f64| MetricQuery {
        id: id.into(),
        namespace: "AWS/SageMaker".into(),
        metric: "ModelLatency".into(),
        dimensions: vec![Dimension::new("EndpointName", "cato-shadow-self")],
        statistic: Statistic::Percentile(p),
        period: MINUTE,
    };
    let minute = now_minute();
    let answer = port
        .query(
            &[q("p99", 99.0), q("p50", 50.0), q("p999", 99.9)],
            time::sub(minute, MINUTE * 5),
            minute,
        )
        .await
        .unwrap();
    let latest: Vec<_> = answer.iter().map(|s| (s.id.as_str(), s.latest())).collect();
    assert_eq!(
        latest,
        [
            ("p99", Some(100.0)),
            ("p50", Some(51.0)),
            ("p999", Some(100.9))
        ]
    );
    // Oldest first, whatever order the service answered in.
    assert!(answer[0].points[0].at < answer[0].points[1].at);
    server.verify().await;
}

#[tokio::test]
async fn failures_map_to_their_class() {
    let minute = now_minute();
    wire::failure_classes(
        Protocol::Cbor,
        (400, "ResourceNotFound", "no such thing"),
        "cloudwatch",
        "GetMetricData",
        |sdk| async move {
            CloudWatchMetrics::new(&sdk)
                .query(&[published()], time::sub(minute, MINUTE * 5), minute)
                .await
        },
    )
    .await;
    let result = wire::against(
        wire::error(
            Protocol::Cbor,
            400,
            "InvalidParameterValue",
            "The value AWS/ for parameter Namespace is invalid.",
        ),
        |sdk| async move {
            CloudWatchMetrics::new(&sdk)
                .put("Custom/Cato", "CacheInvalidations", &[], 1.0, minute)
                .await
        },
    )
    .await;
    let err = wire::expect_error(
        result,
        cato_runbook_core::ErrorKind::InvalidInput,
        cato_runbook_core::Retry::Permanent,
        "cloudwatch",
        "PutMetricData",
    );
    assert_eq!(err.resource(), Some("Custom/Cato/CacheInvalidations"));
}
