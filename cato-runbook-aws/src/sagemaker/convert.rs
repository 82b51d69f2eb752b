//! SageMaker's answers as the port's types.

use aws_sdk_sagemaker::operation::describe_endpoint::DescribeEndpointOutput;
use aws_sdk_sagemaker::operation::describe_endpoint_config::DescribeEndpointConfigOutput;
use aws_sdk_sagemaker::types::{EndpointConfigSummary, EndpointStatus as Sdk};
use cato_runbook_core::Result;
use cato_runbook_core::ports::{
    ConfigVariant, EndpointConfig, EndpointConfigDescription, EndpointDescription, EndpointStatus,
    Variant,
};

use crate::sdk::{Call, to_timestamp};

fn status(call: &Call<'_>, status: Option<&Sdk>) -> Result<EndpointStatus> {
    Ok(match status {
        Some(Sdk::Creating) => EndpointStatus::Creating,
        Some(Sdk::Deleting) => EndpointStatus::Deleting,
        Some(Sdk::Failed | Sdk::UpdateRollbackFailed) => EndpointStatus::Failed,
        Some(Sdk::InService) => EndpointStatus::InService,
        Some(Sdk::OutOfService) => EndpointStatus::OutOfService,
        Some(Sdk::RollingBack) => EndpointStatus::RollingBack,
        Some(Sdk::SystemUpdating) => EndpointStatus::SystemUpdating,
        Some(Sdk::Updating) => EndpointStatus::Updating,
        Some(other) => {
            return Err(call.malformed(format!("unknown endpoint status {:?}", other.as_str())));
        }
        None => return Err(call.malformed("the endpoint has no status")),
    })
}

fn count(value: Option<i32>) -> u32 {
    value.and_then(|v| u32::try_from(v).ok()).unwrap_or(0)
}

pub(super) fn description(
    call: &Call<'_>,
    out: &DescribeEndpointOutput,
) -> Result<EndpointDescription> {
    let name = out
        .endpoint_name()
        .ok_or_else(|| call.malformed("the endpoint has no name"))?;
    let last_modified = out
        .last_modified_time()
        .or(out.creation_time())
        .and_then(to_timestamp)
        .ok_or_else(|| call.malformed("the endpoint has no modification time"))?;
    let variants = out
        .production_variants()
        .iter()
        .map(|v| Variant {
            name: v.variant_name().unwrap_or_default().to_owned(),
            current_instances: count(v.current_instance_count()),
            desired_instances: count(v.desired_instance_count().or(v.current_instance_count())),
            weight: f64::from(v.current_weight().or(v.desired_weight()).unwrap_or(0.0)),
        })
        .collect();
    Ok(EndpointDescription {
        name: name.to_owned(),
        status: status(call, out.endpoint_status())?,
        config_name: out.endpoint_config_name().unwrap_or_default().to_owned(),
        variants,
        failure_reason: out.failure_reason().map(str::to_owned),
        last_modified,
    })
}

pub(super) fn config(call: &Call<'_>, summary: &EndpointConfigSummary) -> Result<EndpointConfig> {
    let name = summary
        .endpoint_config_name()
        .ok_or_else(|| call.malformed("an endpoint config has no name"))?;
    let created_at = summary
        .creation_time()
        .and_then(to_timestamp)
        .ok_or_else(|| call.malformed(format!("endpoint config {name} has no creation time")))?;
    Ok(EndpointConfig {
        name: name.to_owned(),
        created_at,
    })
}

/// A config's variants; a serverless variant (no instance type) is left out.
pub(super) fn config_description(
    call: &Call<'_>,
    out: &DescribeEndpointConfigOutput,
) -> Result<EndpointConfigDescription> {
    let name = out
        .endpoint_config_name()
        .ok_or_else(|| call.malformed("the endpoint config has no name"))?;
    let variants = out
        .production_variants()
        .iter()
        .filter_map(|v| {
            Some(ConfigVariant {
                name: v.variant_name().unwrap_or_default().to_owned(),
                instance_type: v.instance_type()?.as_str().to_owned(),
                initial_instances: count(v.initial_instance_count()),
            })
        })
        .collect();
    Ok(EndpointConfigDescription {
        name: name.to_owned(),
        variants,
    })
}
