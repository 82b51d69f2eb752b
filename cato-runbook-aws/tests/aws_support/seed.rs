//! Setting moto up as a fixture describes it, with clients that are not recorded.

use aws_credential_types::Credentials;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use super::Aws;

/// Credentials of a role in `account`: moto keeps each account's resources apart.
pub async fn assume_role(moto: &str, account: &str) -> Credentials {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let body = format!(
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A{account}%3Arole%2Fcato-runbook&RoleSessionName=cato-runbook-tests"
    );
    let req = hyper::Request::post(format!("{}/", moto.trim_end_matches('/')))
        .header("content-type", "application/x-www-form-urlencoded")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDTESTTESTTEST/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0",
        )
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let response = client.request(req).await.expect("moto answers AssumeRole");
    let xml = response.into_body().collect().await.unwrap().to_bytes();
    let xml = String::from_utf8_lossy(&xml);
    let field = |name: &str| {
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        let start = xml
            .find(&open)
            .map(|i| i + open.len())
            .unwrap_or_else(|| panic!("no {name} in {xml}"));
        let end = xml[start..].find(&close).unwrap() + start;
        xml[start..end].to_owned()
    };
    Credentials::new(
        field("AccessKeyId"),
        field("SecretAccessKey"),
        Some(field("SessionToken")),
        None,
        "moto-assumed-role",
    )
}

/// An instance type moto's CreateEndpointConfig takes (its list has no `ml.g5`).
#[cfg(feature = "sagemaker")]
pub const MOTO_INSTANCE_TYPE: &str = "ml.g4dn.xlarge";

#[cfg(feature = "sagemaker")]
#[allow(clippy::disallowed_methods)] // a test drives tokio's time itself
pub async fn endpoint(aws: &Aws, f: &cato_runbook_mock::conformance::endpoint::EndpointFixture) {
    use aws_sdk_sagemaker::types::{
        ContainerDefinition, ProductionVariant, ProductionVariantInstanceType,
    };
    let sm = aws_sdk_sagemaker::Client::new(&aws.sdk);
    let model = format!("{}-model", f.endpoint);
    sm.create_model()
        .model_name(&model)
        .execution_role_arn(format!("arn:aws:iam::{}:role/sagemaker", aws.account))
        .primary_container(
            ContainerDefinition::builder()
                .image("cato/shadow-self:1")
                .build(),
        )
        .send()
        .await
        .unwrap();
    for config in [&f.previous_config, &f.current_config] {
        sm.create_endpoint_config()
            .endpoint_config_name(config)
            .production_variants(
                ProductionVariant::builder()
                    .variant_name(&f.variant)
                    .model_name(&model)
                    .initial_instance_count(i32::try_from(f.instances).unwrap())
                    .instance_type(ProductionVariantInstanceType::from(
                        f.instance_type.as_str(),
                    ))
                    .initial_variant_weight(1.0)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        // Configs are listed by creation time: keep the two apart.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    sm.create_endpoint()
        .endpoint_name(&f.endpoint)
        .endpoint_config_name(&f.current_config)
        .send()
        .await
        .unwrap();
}

#[cfg(feature = "cloudwatch-logs")]
pub async fn logs(
    aws: &Aws,
    group: &str,
    stream: &str,
    messages: &[String],
    at: cato_runbook_core::Timestamp,
) {
    use aws_sdk_cloudwatchlogs::types::InputLogEvent;
    let logs = aws_sdk_cloudwatchlogs::Client::new(&aws.sdk);
    logs.create_log_group()
        .log_group_name(group)
        .send()
        .await
        .unwrap();
    logs.create_log_stream()
        .log_group_name(group)
        .log_stream_name(stream)
        .send()
        .await
        .unwrap();
    let events = messages.iter().enumerate().map(|(i, m)| {
        InputLogEvent::builder()
            .timestamp(at.timestamp_millis() + i64::try_from(i).unwrap())
            .message(m)
            .build()
            .unwrap()
    });
    logs.put_log_events()
        .log_group_name(group)
        .log_stream_name(stream)
        .set_log_events(Some(events.collect()))
        .send()
        .await
        .unwrap();
}

#[cfg(feature = "elasticache")]
pub async fn cache(aws: &Aws, id: &str, node_type: &str) {
    let ec = aws_sdk_elasticache::Client::new(&aws.sdk);
    ec.create_replication_group()
        .replication_group_id(id)
        .replication_group_description("the semantic cache")
        .cache_node_type(node_type)
        .engine("redis")
        .num_cache_clusters(2)
        .send()
        .await
        .unwrap();
}

#[cfg(feature = "dynamodb")]
pub async fn table(aws: &Aws, name: &str, read: i64, write: i64) {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ProvisionedThroughput,
        ScalarAttributeType,
    };
    let ddb = aws_sdk_dynamodb::Client::new(&aws.sdk);
    ddb.create_table()
        .table_name(name)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("domain")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("domain")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::Provisioned)
        .provisioned_throughput(
            ProvisionedThroughput::builder()
                .read_capacity_units(read)
                .write_capacity_units(write)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

/// Puts `values` of `namespace`/`metric` at `at`, through the SDK (so over CBOR and the proxy).
#[cfg(feature = "cloudwatch")]
pub async fn metric(
    aws: &Aws,
    namespace: &str,
    metric: &str,
    dimensions: &[cato_runbook_core::ports::Dimension],
    points: &[(cato_runbook_core::Timestamp, f64)],
) {
    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
    let cw = aws_sdk_cloudwatch::Client::new(&aws.sdk);
    let data = points.iter().map(|(at, value)| {
        MetricDatum::builder()
            .metric_name(metric)
            .set_dimensions(Some(
                dimensions
                    .iter()
                    .map(|d| {
                        Dimension::builder()
                            .name(d.name.as_str())
                            .value(d.value.as_str())
                            .build()
                    })
                    .collect(),
            ))
            .value(*value)
            .timestamp(aws_smithy_types::DateTime::from_millis(
                at.timestamp_millis(),
            ))
            .build()
    });
    cw.put_metric_data()
        .namespace(namespace)
        .set_metric_data(Some(data.collect()))
        .send()
        .await
        .unwrap();
}
