use super::*;

#[test]
fn statements_are_named_after_ports() {
    assert_eq!(sid(PortName::CacheCluster), "CatoRunbookCacheCluster");
    let policy = policy_for_ports(&[PortName::Tables, PortName::Workloads], Scope::All);
    assert_eq!(policy.statements().len(), 1);
    assert_eq!(
        policy.statements()[0].actions,
        ["dynamodb:DescribeTable", "dynamodb:UpdateTable"]
    );
    let read_only = policy_for_ports(&[PortName::Tables], Scope::ReadOnly);
    assert!(!read_only.allows("dynamodb:UpdateTable"));
    assert!(read_only.allows("dynamodb:DescribeTable"));
}

#[test]
fn alarm_rules_add_describe_alarms() {
    let entry = cato_runbook_core::catalog::entry("shadow-self-down").unwrap();
    let mut catalog = CatalogConfig::default();
    let plain = policy_for_configured(&[entry], &catalog, Scope::ReadOnly);
    assert!(!plain.allows("cloudwatch:DescribeAlarms"));
    catalog.alarms.add(
        "shadow-self-down",
        cato_runbook_core::catalog::alarms::AlarmRule::new("cato-shadow-self-", "x"),
    );
    let with = policy_for_configured(&[entry], &catalog, Scope::ReadOnly);
    assert!(with.allows("cloudwatch:DescribeAlarms"));
    let per = policies_by_configured_runbook(&[entry], &catalog, Scope::All);
    assert!(per["shadow-self-down"].allows("cloudwatch:DescribeAlarms"));
    assert_eq!(sid(PortName::Alarms), "CatoRunbookAlarms");
}

#[test]
fn configured_first_five_minutes_ports_add_their_reads() {
    let policy = policy_for_ports(&[PortName::Endpoint], Scope::ReadOnly)
        .with_ports(&[PortName::Deployments, PortName::Health], Scope::ReadOnly);
    let sids: Vec<&str> = policy.statements().iter().map(|s| s.sid.as_str()).collect();
    assert_eq!(
        sids,
        [
            "CatoRunbookEndpoint",
            "CatoRunbookDeployments",
            "CatoRunbookHealth"
        ]
    );
    assert!(policy.allows("health:DescribeEvents"));
    assert!(policy.allows("health:DescribeAffectedEntities"));
    assert_eq!(
        policy.statements()[1].actions,
        [
            "sagemaker:DescribeEndpoint",
            "sagemaker:ListEndpointConfigs"
        ]
    );
    // Added once.
    let again = policy
        .clone()
        .with_ports(&[PortName::Health], Scope::ReadOnly);
    assert_eq!(again.statements().len(), 3);
}

#[test]
fn json_is_an_iam_document() {
    let policy = policy_for_ports(&[PortName::Logs], Scope::All);
    let json: serde_json::Value = serde_json::from_str(&policy.to_json()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "CatoRunbookLogs",
                "Effect": "Allow",
                "Action": ["logs:FilterLogEvents"],
                "Resource": "*"
            }]
        })
    );
}
