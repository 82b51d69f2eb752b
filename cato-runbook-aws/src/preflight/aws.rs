//! The AWS reads of the preflight: who the credentials are (STS), the DynamoDB store's table,
//! CloudWatch, and the SageMaker endpoint the runbooks watch.

use std::time::Duration;

use cato_runbook_core::ports::ModelEndpoint;

use crate::sdk::{Call, Settings};

/// The settings of one preflight read: its timeout, on the wall clock.
fn settings(timeout: Duration) -> Settings {
    Settings {
        timeout,
        ..Settings::default()
    }
}

/// STS `GetCallerIdentity`: the account and the identity the credential chain found.
pub(super) async fn caller(
    sdk: &aws_types::SdkConfig,
    timeout: Duration,
) -> Result<String, String> {
    let settings = settings(timeout);
    let call = Call::new("sts", "GetCallerIdentity", &settings);
    let client = aws_sdk_sts::Client::new(sdk);
    let answer = call
        .run(async {
            client
                .get_caller_identity()
                .send()
                .await
                .map_err(|e| call.sdk(e))
        })
        .await
        .map_err(|e| super::failed(&e, "[providers.aws]"))?;
    Ok(format!(
        "account {} as {}",
        answer.account().unwrap_or("?"),
        answer.arn().unwrap_or("?")
    ))
}

/// DynamoDB `DescribeTable` of the store's table.
pub(super) async fn table(
    sdk: &aws_types::SdkConfig,
    name: &str,
    timeout: Duration,
) -> Result<String, String> {
    let settings = settings(timeout);
    let call = Call::new("dynamodb", "DescribeTable", &settings).on(name);
    let client = aws_sdk_dynamodb::Client::new(sdk);
    let answer = call
        .run(async {
            client
                .describe_table()
                .table_name(name)
                .send()
                .await
                .map_err(|e| call.sdk(e))
        })
        .await
        .map_err(|e| super::failed(&e, "[store] table"))?;
    let status = answer
        .table()
        .and_then(|t| t.table_status())
        .map_or("unknown", |s| s.as_str());
    Ok(format!("table {name} is {status}"))
}

/// CloudWatch `DescribeAlarms` of at most one alarm: the cheapest read it has.
pub(super) async fn cloudwatch(
    sdk: &aws_types::SdkConfig,
    timeout: Duration,
) -> Result<String, String> {
    let settings = settings(timeout);
    let call = Call::new("cloudwatch", "DescribeAlarms", &settings);
    let client = aws_sdk_cloudwatch::Client::new(sdk);
    call.run(async {
        client
            .describe_alarms()
            .max_records(1)
            .send()
            .await
            .map_err(|e| call.sdk(e))
    })
    .await
    .map_err(|e| super::failed(&e, "[providers.aws]"))?;
    Ok("answers".to_owned())
}

/// SageMaker `DescribeEndpoint` of the endpoint the runbooks watch.
pub(super) async fn endpoint(
    sdk: &aws_types::SdkConfig,
    name: &str,
    timeout: Duration,
) -> Result<String, String> {
    let endpoint = crate::sagemaker::SageMakerEndpoint::new(sdk).with_timeout(timeout);
    let described = endpoint
        .describe(name)
        .await
        .map_err(|e| super::failed(&e, "[runbooks.shadow-self-down] endpoint"))?;
    Ok(format!("endpoint {name} is {:?}", described.status))
}
