//! The logs port (CloudWatch Logs).

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::time::Timestamp;

/// One log event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEvent {
    /// When it was logged.
    pub at: Timestamp,
    /// The stream it came from.
    pub stream: String,
    /// The message.
    pub message: String,
}

/// A log service.
#[async_trait]
pub trait Logs: fmt::Debug + fmt::Display + Send + Sync {
    /// `filter-log-events`: events of `group` since `since` matching a CloudWatch Logs filter
    /// pattern (terms such as `ERROR`, quoted phrases such as `"out of memory"`; an empty pattern
    /// matches everything), oldest first, at most `limit` of them.
    async fn filter(
        &self,
        group: &str,
        pattern: &str,
        since: Timestamp,
        limit: usize,
    ) -> Result<Vec<LogEvent>>;
}
