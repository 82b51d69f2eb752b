//! The LLM budget, Bedrock and its quotas.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The LLM budget (Cato admin API).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BudgetSpec {
    /// The monthly limit, US dollars.
    pub monthly_limit_usd: f64,
    /// Spent this month at the start, US dollars.
    pub spent_usd: f64,
    /// Cost of one Bedrock request, US dollars.
    pub usd_per_bedrock_request: f64,
    /// Curiosity exploration's spend per hour, US dollars.
    pub curiosity_usd_per_hour: f64,
    /// A fixed spend rate, US dollars per hour, instead of the one the traffic implies.
    pub spend_rate_usd_per_hour: Option<f64>,
    /// The share of the limit from which the mode is `WARNING`.
    pub warning_ratio: f64,
}

impl Default for BudgetSpec {
    fn default() -> Self {
        BudgetSpec {
            monthly_limit_usd: 1000.0,
            spent_usd: 420.0,
            usd_per_bedrock_request: 0.0001,
            curiosity_usd_per_hour: 0.1,
            spend_rate_usd_per_hour: None,
            warning_ratio: 0.8,
        }
    }
}

/// Bedrock, the managed LLM service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BedrockSpec {
    /// The model Cato calls (the `ModelId` dimension of `AWS/Bedrock` metrics).
    pub model_id: String,
    /// The model Cato falls back to when throttled.
    pub fallback_model_id: String,
    /// The service code of its requests-per-minute quota.
    pub quota_service: String,
    /// The quota code of its requests-per-minute quota.
    pub quota_code: String,
    /// Median latency of a Bedrock call, milliseconds.
    pub latency_ms: f64,
    /// Milliseconds a throttled call spends in the SDK's retries and back-off before Cato falls
    /// back to the smaller model: why throttling shows as latency.
    pub throttle_retry_ms: f64,
}

impl Default for BedrockSpec {
    fn default() -> Self {
        BedrockSpec {
            model_id: "anthropic.claude-3-5-sonnet-20241022-v2:0".into(),
            fallback_model_id: "anthropic.claude-3-haiku-20240307-v1:0".into(),
            quota_service: "bedrock".into(),
            quota_code: "L-XXXXXXXX".into(),
            latency_ms: 900.0,
            throttle_retry_ms: 1500.0,
        }
    }
}

/// One service quota.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QuotaSpec {
    /// e.g. `bedrock`.
    pub service: String,
    /// e.g. `L-XXXXXXXX`.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its value at the start.
    pub value: f64,
}

impl Default for QuotaSpec {
    fn default() -> Self {
        QuotaSpec {
            service: "bedrock".into(),
            code: "L-XXXXXXXX".into(),
            name: "Requests per minute for Anthropic Claude 3.5 Sonnet".into(),
            value: 200.0,
        }
    }
}

/// How an increase request is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaDecision {
    /// Granted: the quota takes the requested value.
    Approve,
    /// Refused.
    Deny,
}

/// Service Quotas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QuotasSpec {
    /// The quotas.
    pub quotas: Vec<QuotaSpec>,
    /// How long a request stays `PENDING` before its support case opens.
    #[serde(with = "humantime_serde")]
    pub case_opened_after: Duration,
    /// How long after the request the decision comes.
    #[serde(with = "humantime_serde")]
    pub decided_after: Duration,
    /// The decision.
    pub decision: QuotaDecision,
}

impl Default for QuotasSpec {
    fn default() -> Self {
        QuotasSpec {
            quotas: vec![QuotaSpec::default()],
            case_opened_after: Duration::from_secs(5 * 60),
            decided_after: Duration::from_secs(30 * 60),
            decision: QuotaDecision::Approve,
        }
    }
}
