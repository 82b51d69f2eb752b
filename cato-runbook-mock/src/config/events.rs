//! Traffic, recent changes, logs and the notifiers.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Cato's traffic and its controls at the start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrafficSpec {
    /// User requests per minute.
    pub requests_per_minute: f64,
    /// Share of LLM calls served by Shadow Self rather than Bedrock.
    pub shadow_self_share: f64,
    /// The semantic cache's similarity threshold.
    pub cache_similarity_threshold: f64,
    /// How much the hit ratio rises per unit the threshold falls below its start value.
    pub threshold_sensitivity: f64,
    /// Whether emergency mode is on.
    pub emergency_mode: bool,
    /// The share of LLM calls still made in emergency mode (limited responses).
    pub emergency_load_factor: f64,
    /// The share of Shadow Self traffic each region's endpoints serve, by region (the home
    /// region and those of the endpoints), summing to 1; empty (the default): all of it in the
    /// home region, and the traffic controls report no split.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub regions: BTreeMap<String, f64>,
}

impl Default for TrafficSpec {
    fn default() -> Self {
        TrafficSpec {
            requests_per_minute: 2000.0,
            shadow_self_share: 0.5,
            cache_similarity_threshold: 0.92,
            threshold_sensitivity: 1.0,
            emergency_mode: false,
            emergency_load_factor: 0.5,
            regions: BTreeMap::new(),
        }
    }
}

/// A deployment that happened before the start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeploymentSpec {
    /// What was deployed.
    pub service: String,
    /// Its version.
    pub version: String,
    /// How long before the start.
    #[serde(with = "humantime_serde")]
    pub ago: Duration,
    /// Who.
    pub author: Option<String>,
    /// What changed.
    pub description: String,
    /// The source that records it (one of [`WorldConfig::deployment_sources`](super::WorldConfig::deployment_sources));
    /// the first source, or the one history, when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Default for DeploymentSpec {
    fn default() -> Self {
        DeploymentSpec {
            service: "cato-orchestrator".into(),
            version: "v1.0.0".into(),
            ago: Duration::from_secs(2 * 24 * 3600),
            author: None,
            description: String::new(),
            source: None,
        }
    }
}

/// A cloud health event that started before the start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HealthEventSpec {
    /// e.g. `SAGEMAKER`.
    pub service: String,
    /// e.g. `us-east-1`.
    pub region: String,
    /// How long before the start it began.
    #[serde(with = "humantime_serde")]
    pub ago: Duration,
    /// Whether it is still going on.
    pub open: bool,
    /// What the provider says.
    pub description: String,
}

impl Default for HealthEventSpec {
    fn default() -> Self {
        HealthEventSpec {
            service: "SAGEMAKER".into(),
            region: "us-east-1".into(),
            ago: Duration::from_secs(3600),
            open: false,
            description: String::new(),
        }
    }
}

/// A log event written before the start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogEventSpec {
    /// Its log group.
    pub group: String,
    /// Its stream.
    pub stream: String,
    /// How long before the start.
    #[serde(with = "humantime_serde")]
    pub ago: Duration,
    /// The message.
    pub message: String,
}

impl Default for LogEventSpec {
    fn default() -> Self {
        LogEventSpec {
            group: "/cato/orchestrator".into(),
            stream: "cato-orchestrator-0".into(),
            ago: Duration::from_secs(60),
            message: String::new(),
        }
    }
}

/// Logs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogsSpec {
    /// The orchestrator's log group.
    pub app_group: String,
    /// Further log groups that exist (empty at the start).
    pub groups: Vec<String>,
    /// Events written before the start.
    pub events: Vec<LogEventSpec>,
    /// Whether the world writes a line per minute describing each service's state (healthy
    /// lines, errors, throttling) into the endpoint's and the orchestrator's groups.
    pub synthetic: bool,
}

impl Default for LogsSpec {
    fn default() -> Self {
        LogsSpec {
            app_group: "/cato/orchestrator".into(),
            groups: Vec::new(),
            events: Vec::new(),
            synthetic: true,
        }
    }
}

/// The pager (PagerDuty Events v2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PagerSpec {
    /// The routing names that exist; empty = any name.
    pub targets: Vec<String>,
    /// Events accepted per minute per target before answering 429.
    pub events_per_minute: u32,
}

impl Default for PagerSpec {
    fn default() -> Self {
        PagerSpec {
            targets: Vec::new(),
            events_per_minute: 120,
        }
    }
}

/// Chat (Slack).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChatSpec {
    /// The channels that exist (with or without `#`); empty = any channel.
    pub channels: Vec<String>,
}

impl Default for ChatSpec {
    fn default() -> Self {
        ChatSpec {
            channels: vec!["#cato-alerts".into(), "#cato-incident".into()],
        }
    }
}

/// Metric data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsSpec {
    /// How long before the start the world pretends to have been in its start state, so that
    /// metrics and logs have a recent history.
    #[serde(with = "humantime_serde")]
    pub history: Duration,
    /// Raw samples drawn per series per minute at most (percentiles are computed from them;
    /// counts stay exact).
    pub samples_per_minute: u32,
}

impl Default for MetricsSpec {
    fn default() -> Self {
        MetricsSpec {
            history: Duration::from_secs(3600),
            samples_per_minute: 500,
        }
    }
}
