//! The model endpoint and the orchestrator's workloads.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Why an endpoint's instances went away; each cause leaves its own lines in the endpoint's
/// logs (the runbook's root-cause investigation looks for them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrashCause {
    /// The model does not fit: CUDA out of memory.
    Oom,
    /// The GPU driver does not match the container.
    GpuDriver,
    /// The container exits and restarts over and over.
    CrashLoop,
}

/// One endpoint config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EndpointConfigSpec {
    /// Its name.
    pub name: String,
    /// How long before the world's start it was created.
    #[serde(with = "humantime_serde")]
    pub created_ago: Duration,
    /// The variant's initial instance count (what an update to this config starts with).
    pub instances: u32,
    /// A broken config's fleet never passes the health check: an update to it rolls back.
    pub broken: Option<CrashCause>,
}

impl Default for EndpointConfigSpec {
    fn default() -> Self {
        EndpointConfigSpec {
            name: "cato-shadow-self-config".into(),
            created_ago: Duration::from_secs(7 * 24 * 3600),
            instances: 10,
            broken: None,
        }
    }
}

/// The Shadow Self model endpoint (SageMaker).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EndpointSpec {
    /// The endpoint's name.
    pub name: String,
    /// The region it runs in, e.g. `us-west-2`; the world's home region when absent. An
    /// endpoint of another region is reached only through that region's fake
    /// ([`World::model_endpoint_in`](crate::World::model_endpoint_in)), serves only the share
    /// of Shadow Self traffic the traffic controls give its region, and has no metrics or logs
    /// in the home region's.
    pub region: Option<String>,
    /// Its production variant.
    pub variant: String,
    /// The variant's instance type in every config, e.g. `ml.g5.xlarge`.
    pub instance_type: String,
    /// Instances in service at the start.
    pub instances: u32,
    /// The config it runs at the start.
    pub current_config: String,
    /// Every config, in any order.
    pub configs: Vec<EndpointConfigSpec>,
    /// The share of Shadow Self traffic this endpoint serves.
    pub load_share: f64,
    /// Requests per minute one instance serves at full utilisation.
    pub requests_per_minute_per_instance: f64,
    /// Median model latency of an idle instance, in milliseconds.
    pub model_latency_ms: f64,
    /// Spread of the latency's log-normal distribution (σ of its logarithm).
    pub latency_sigma: f64,
    /// The most instances the account may run.
    pub max_instances: u32,
    /// How long `update-endpoint` (a restart or a rollback) stays `Updating`.
    #[serde(with = "humantime_serde")]
    pub update_duration: Duration,
    /// How long a capacity change stays `Updating` before the new instances serve.
    #[serde(with = "humantime_serde")]
    pub scale_duration: Duration,
    /// How long a failed update stays `RollingBack`.
    #[serde(with = "humantime_serde")]
    pub rollback_duration: Duration,
    /// Its log group; `/aws/sagemaker/Endpoints/<name>` when absent.
    pub log_group: Option<String>,
}

impl Default for EndpointSpec {
    fn default() -> Self {
        EndpointSpec {
            name: "cato-shadow-self".into(),
            region: None,
            variant: "primary".into(),
            instance_type: "ml.g5.xlarge".into(),
            instances: 10,
            current_config: "cato-shadow-self-config".into(),
            configs: vec![
                EndpointConfigSpec {
                    name: "cato-shadow-self-config-v1".into(),
                    created_ago: Duration::from_secs(30 * 24 * 3600),
                    ..EndpointConfigSpec::default()
                },
                EndpointConfigSpec::default(),
            ],
            load_share: 1.0,
            requests_per_minute_per_instance: 30.0,
            model_latency_ms: 250.0,
            latency_sigma: 0.45,
            max_instances: 100,
            update_duration: Duration::from_secs(8 * 60),
            scale_duration: Duration::from_secs(6 * 60),
            rollback_duration: Duration::from_secs(3 * 60),
            log_group: None,
        }
    }
}

impl EndpointSpec {
    /// The endpoint's log group.
    pub fn log_group(&self) -> String {
        self.log_group
            .clone()
            .unwrap_or_else(|| format!("/aws/sagemaker/Endpoints/{}", self.name))
    }
}

/// A Kubernetes Deployment (the orchestrator, Ray Serve).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkloadSpec {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Replicas at the start (all ready).
    pub replicas: u32,
    /// How long a new pod takes to become ready.
    #[serde(with = "humantime_serde")]
    pub pod_startup: Duration,
    /// The gap between two new pods becoming ready.
    #[serde(with = "humantime_serde")]
    pub pod_stagger: Duration,
    /// Requests per minute one replica handles at full utilisation.
    pub requests_per_minute_per_replica: f64,
    /// Median overhead an idle replica adds to a request, in milliseconds.
    pub overhead_ms: f64,
    /// The image its first revision runs (made a week before the start). Default
    /// `cato/orchestrator:v1`.
    pub image: String,
}

impl Default for WorkloadSpec {
    fn default() -> Self {
        WorkloadSpec {
            namespace: "cato".into(),
            name: "cato-orchestrator".into(),
            replicas: 10,
            pod_startup: Duration::from_secs(45),
            pod_stagger: Duration::from_secs(2),
            requests_per_minute_per_replica: 400.0,
            overhead_ms: 30.0,
            image: "cato/orchestrator:v1".into(),
        }
    }
}
