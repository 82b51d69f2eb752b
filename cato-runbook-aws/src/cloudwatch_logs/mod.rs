//! [`Logs`] on CloudWatch Logs: `FilterLogEvents`, every page up to the caller's limit.
//!
//! | port call | CloudWatch Logs operation (IAM action `logs:…`) |
//! |---|---|
//! | [`filter`](Logs::filter) | `FilterLogEvents`, page after page until `limit` events or the last page |
//!
//! The result is bounded: at most `limit` events, read from at most 100 pages, within the
//! provider's timeout. A pattern CloudWatch would refuse (an unterminated quoted phrase,
//! unbalanced brackets) is refused before any call.

mod pattern;

use std::fmt;

use async_trait::async_trait;
use aws_sdk_cloudwatchlogs::Client;
use cato_runbook_core::ports::{LogEvent, Logs};
use cato_runbook_core::{Result, Timestamp};

use crate::sdk::{Call, Settings, settings_builders};

const PROVIDER: &str = "cloudwatch-logs";
/// The most events one `FilterLogEvents` page answers.
const PAGE_LIMIT: usize = 10_000;
/// Pages read at most for one call.
const MAX_PAGES: usize = 100;

/// The [`Logs`] port on Amazon CloudWatch Logs.
///
/// # Examples
///
/// ```no_run
/// # async fn example() {
/// use cato_runbook_aws::cloudwatch_logs::CloudWatchLogs;
///
/// let sdk = aws_config::load_from_env().await;
/// let logs = CloudWatchLogs::new(&sdk);
/// assert_eq!(logs.to_string(), "cloudwatch-logs");
/// # }
/// ```
pub struct CloudWatchLogs {
    client: Client,
    settings: Settings,
}

impl CloudWatchLogs {
    /// A provider over a client built from `config`.
    pub fn new(config: &aws_types::SdkConfig) -> Self {
        Self::from_client(Client::new(config))
    }

    /// A provider over a ready client.
    pub fn from_client(client: Client) -> Self {
        CloudWatchLogs {
            client,
            settings: Settings::default(),
        }
    }
}

settings_builders!(CloudWatchLogs);

impl fmt::Debug for CloudWatchLogs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudWatchLogs")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for CloudWatchLogs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PROVIDER)
    }
}

#[async_trait]
impl Logs for CloudWatchLogs {
    async fn filter(
        &self,
        group: &str,
        pattern: &str,
        since: Timestamp,
        limit: usize,
    ) -> Result<Vec<LogEvent>> {
        let call = Call::new(PROVIDER, "FilterLogEvents", &self.settings).on(group);
        pattern::validate(pattern).map_err(|why| call.invalid(format!("filter pattern: {why}")))?;
        if limit == 0 {
            return Ok(Vec::new());
        }
        call.run(async {
            let mut events = Vec::new();
            let mut token: Option<String> = None;
            for _ in 0..MAX_PAGES {
                let page = (limit - events.len()).min(PAGE_LIMIT);
                let out = self
                    .client
                    .filter_log_events()
                    .log_group_name(group)
                    .set_filter_pattern((!pattern.trim().is_empty()).then(|| pattern.to_owned()))
                    .start_time(since.timestamp_millis())
                    .limit(i32::try_from(page).unwrap_or(i32::MAX))
                    .set_next_token(token.take())
                    .send()
                    .await
                    .map_err(|e| call.sdk(e))?;
                for e in out.events() {
                    let at = e
                        .timestamp()
                        .and_then(chrono::DateTime::from_timestamp_millis)
                        .ok_or_else(|| call.malformed("an event has no timestamp"))?;
                    events.push(LogEvent {
                        at,
                        stream: e.log_stream_name().unwrap_or_default().to_owned(),
                        message: e.message().unwrap_or_default().to_owned(),
                    });
                }
                if events.len() >= limit {
                    break;
                }
                match out.next_token() {
                    Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                    _ => break,
                }
            }
            events.sort_by_key(|e| e.at);
            events.truncate(limit);
            Ok(events)
        })
        .await
    }
}
