//! CloudWatch alarms: the alarms conformance suite on moto (alarms made with PutMetricAlarm and
//! moved with SetAlarmState, read with DescribeAlarms through the provider), and an alarm
//! detector of the catalog over the real provider.

use std::sync::Arc;

use aws_sdk_cloudwatch::types::{ComparisonOperator, StateValue, Statistic};
use cato_runbook_aws::cloudwatch::CloudWatchAlarms;
use cato_runbook_core::catalog::alarms::AlarmRule;
use cato_runbook_core::catalog::{self, CatalogConfig, PortName, Providers};
use cato_runbook_core::ports::{AlarmValue, Alarms, Clock, SystemClock};
use cato_runbook_core::runbook::{Observation, ObserveContext};
use cato_runbook_mock::World;
use cato_runbook_mock::conformance::alarms::{AlarmsFixture, run_all};

use crate::aws_support::{self as support, Aws};

/// Makes the alarm `name` on a custom metric and sets its state, as an operator would.
async fn alarm(aws: &Aws, name: &str, state: StateValue) {
    // A client of its own: the provider's recorder sees only the provider's calls.
    let cw = aws_sdk_cloudwatch::Client::new(&aws.sdk);
    cw.put_metric_alarm()
        .alarm_name(name)
        .namespace("Custom/Cato")
        .metric_name("Errors")
        .statistic(Statistic::Sum)
        .period(60)
        .evaluation_periods(1)
        .threshold(10.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .unwrap();
    cw.set_alarm_state()
        .alarm_name(name)
        .state_value(state.clone())
        .state_reason(format!("set to {}", state.as_str()))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn conformance_on_moto() {
    let Some(aws) = Aws::start().await else {
        return;
    };
    alarm(&aws, "cato-conformance-a", StateValue::Alarm).await;
    alarm(&aws, "cato-conformance-b", StateValue::Ok).await;
    // A metric that stopped (moto makes a new alarm OK, where CloudWatch has no data yet).
    alarm(&aws, "cato-conformance-c", StateValue::InsufficientData).await;
    alarm(&aws, "other-alarm", StateValue::Ok).await;
    let fixture = AlarmsFixture {
        prefix: "cato-conformance-".into(),
        alarms: vec![
            ("cato-conformance-a".into(), AlarmValue::Alarm),
            ("cato-conformance-b".into(), AlarmValue::Ok),
            ("cato-conformance-c".into(), AlarmValue::InsufficientData),
        ],
        outsider: "other-alarm".into(),
        settle: support::settle(),
    };
    let port = CloudWatchAlarms::from_client(aws.cloudwatch());
    assert_eq!(port.to_string(), "cloudwatch alarms");
    run_all(&port, &fixture).await.unwrap();
    let called = support::assert_within_policy(&aws.recorder, PortName::Alarms);
    assert_eq!(
        called.into_iter().collect::<Vec<_>>(),
        ["cloudwatch:DescribeAlarms"]
    );
    // The reason and the time come through.
    let page = port.describe("cato-conformance-a", 10, None).await.unwrap();
    assert_eq!(page.alarms[0].reason, "set to ALARM");
    assert!(page.alarms[0].updated_at <= SystemClock.now());
}

#[tokio::test]
async fn an_alarm_detector_reads_the_real_alarms_once_a_tick() {
    let Some(aws) = Aws::start().await else {
        return;
    };
    alarm(&aws, "cato-shadow-self-5xx", StateValue::Alarm).await;
    alarm(&aws, "cato-latency-p99", StateValue::Ok).await;
    let world = World::default();
    let mut providers: Providers = world.ports("a").providers(Arc::new(SystemClock));
    providers.alarms = Some(Arc::new(CloudWatchAlarms::from_client(aws.cloudwatch())));
    let mut config = CatalogConfig::default();
    config.alarms.add(
        "shadow-self-down",
        AlarmRule::new("cato-shadow-self-", "cato-shadow-self"),
    );
    config
        .alarms
        .add("high-latency", AlarmRule::new("cato-latency-", "cato-api"));
    let shadow = catalog::build("shadow-self-down", &providers, &config).unwrap();
    let latency = catalog::build("high-latency", &providers, &config).unwrap();
    let find = |rb: &cato_runbook_core::runbook::Runbook| {
        rb.detectors()
            .iter()
            .find(|d| d.name().starts_with("alarms:"))
            .unwrap()
            .clone()
    };
    let ctx = ObserveContext::new(SystemClock.now());
    let before = aws.proxy.count("CloudWatch.DescribeAlarms");
    let firing = find(&shadow).observe(&ctx).await.unwrap();
    let calm = find(&latency).observe(&ctx).await.unwrap();
    assert_eq!(aws.proxy.count("CloudWatch.DescribeAlarms") - before, 1);
    match firing {
        Observation::Symptom(s) => assert!(s.summary.contains("cato-shadow-self-5xx"), "{s:?}"),
        other => panic!("an alarm in ALARM read as {other:?}"),
    }
    assert!(calm.is_healthy());
}
