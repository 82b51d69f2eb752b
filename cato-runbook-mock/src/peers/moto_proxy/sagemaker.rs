//! SageMaker `UpdateEndpoint`, which moto lacks: the endpoint deleted and created again on the
//! new config.

use hyper::header::HeaderMap;
use serde_json::{Value as Json, json};

use super::Ctx;
use super::wire::{Reply, json_reply, moto_json};

const SAGEMAKER: &str = "application/x-amz-json-1.1";

pub(super) async fn update_endpoint(ctx: &Ctx, headers: &HeaderMap, input: &Json) -> Reply {
    let endpoint = input["EndpointName"].as_str().unwrap_or_default();
    let config = input["EndpointConfigName"].as_str().unwrap_or_default();
    let (status, described) = moto_json(
        ctx,
        headers,
        "SageMaker.DescribeEndpoint",
        SAGEMAKER,
        &json!({ "EndpointName": endpoint }),
    )
    .await;
    if !status.is_success() {
        return json_reply(status, &described);
    }
    let (status, found) = moto_json(
        ctx,
        headers,
        "SageMaker.DescribeEndpointConfig",
        SAGEMAKER,
        &json!({ "EndpointConfigName": config }),
    )
    .await;
    if !status.is_success() {
        return json_reply(status, &found);
    }
    let name = json!({ "EndpointName": endpoint });
    let (status, deleted) =
        moto_json(ctx, headers, "SageMaker.DeleteEndpoint", SAGEMAKER, &name).await;
    if !status.is_success() {
        return json_reply(status, &deleted);
    }
    let (status, created) = moto_json(
        ctx,
        headers,
        "SageMaker.CreateEndpoint",
        SAGEMAKER,
        &json!({ "EndpointName": endpoint, "EndpointConfigName": config }),
    )
    .await;
    json_reply(status, &created)
}
