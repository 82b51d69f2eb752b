//! The quotas port (Service Quotas).

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::incident::IdempotencyKey;
use crate::time::Timestamp;

/// A quota's current value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuotaValue {
    /// e.g. `bedrock`.
    pub service: String,
    /// e.g. `L-XXXXXXXX`.
    pub code: String,
    /// The quota's name.
    pub name: String,
    /// The value in force.
    pub value: f64,
}

/// Where an increase request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QuotaRequestStatus {
    /// Submitted.
    Pending,
    /// A support case is open.
    CaseOpened,
    /// Granted.
    Approved,
    /// Refused.
    Denied,
    /// Closed without a grant.
    NotApproved,
    /// The support case closed.
    CaseClosed,
    /// Malformed.
    InvalidRequest,
}

impl QuotaRequestStatus {
    /// Whether the request is still waiting for an answer.
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            QuotaRequestStatus::Pending | QuotaRequestStatus::CaseOpened
        )
    }
}

/// An increase request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuotaRequest {
    /// The request's id.
    pub id: String,
    /// The service.
    pub service: String,
    /// The quota.
    pub code: String,
    /// The value asked for.
    pub desired: f64,
    /// Where it is.
    pub status: QuotaRequestStatus,
    /// When it was made.
    pub created_at: Timestamp,
}

/// A service-quota service.
#[async_trait]
pub trait Quotas: fmt::Debug + fmt::Display + Send + Sync {
    /// `get-service-quota`.
    async fn get(&self, service: &str, code: &str) -> Result<QuotaValue>;

    /// `request-service-quota-increase --desired-value`.
    async fn request_increase(
        &self,
        service: &str,
        code: &str,
        desired: f64,
        key: &IdempotencyKey,
    ) -> Result<QuotaRequest>;

    /// `get-requested-service-quota-change`.
    async fn request_status(&self, request_id: &str) -> Result<QuotaRequest>;
}
