//! An SDK interceptor that records the IAM action of every operation a client calls.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// The IAM actions (`service:Operation`) called, once each.
#[derive(Debug, Clone, Default)]
pub struct Recorder(Arc<Mutex<BTreeSet<String>>>);

impl Recorder {
    pub fn actions(&self) -> BTreeSet<String> {
        self.0.lock().unwrap().clone()
    }

    pub fn clear(&self) {
        self.0.lock().unwrap().clear();
    }
}

/// The IAM prefix of an SDK service name.
pub fn iam_prefix(service: &str) -> String {
    match service {
        "SageMaker" => "sagemaker".into(),
        "CloudWatch" => "cloudwatch".into(),
        "CloudWatch Logs" => "logs".into(),
        "ElastiCache" => "elasticache".into(),
        "DynamoDB" => "dynamodb".into(),
        "Service Quotas" => "servicequotas".into(),
        other => other.to_ascii_lowercase().replace(' ', ""),
    }
}

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "IamActionRecorder"
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(meta) = cfg.load::<Metadata>() {
            let action = format!("{}:{}", iam_prefix(meta.service()), meta.name());
            self.0.lock().unwrap().insert(action);
        }
        Ok(())
    }
}
