//! The alarms port (CloudWatch alarms): the runbook's "CloudWatch alarms → PagerDuty →
//! On-call" as a source of detection.

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::time::Timestamp;

/// Most alarms one page may hold (`DescribeAlarms`' `MaxRecords` is `1..=100`).
pub const MAX_ALARMS_PER_PAGE: u32 = 100;

/// How much of an unknown state an error quotes: a page of garbage is not copied into logs.
const SHOWN: usize = 40;

/// Where an alarm is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AlarmValue {
    /// The alarm's condition holds: `ALARM`.
    Alarm,
    /// It does not: `OK`.
    Ok,
    /// Too little data to tell (the metric stopped, or the alarm just started):
    /// `INSUFFICIENT_DATA`. Never read as healthy.
    InsufficientData,
}

impl AlarmValue {
    /// CloudWatch's spelling: `ALARM`, `OK`, `INSUFFICIENT_DATA`.
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmValue::Alarm => "ALARM",
            AlarmValue::Ok => "OK",
            AlarmValue::InsufficientData => "INSUFFICIENT_DATA",
        }
    }

    /// The value CloudWatch spells `text`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MalformedResponse`](crate::ErrorKind::MalformedResponse) for any other text,
    /// quoting its first 40 characters.
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "ALARM" => Ok(AlarmValue::Alarm),
            "OK" => Ok(AlarmValue::Ok),
            "INSUFFICIENT_DATA" => Ok(AlarmValue::InsufficientData),
            other => {
                let shown: String = other.chars().take(SHOWN).collect();
                Err(Error::new(
                    crate::ErrorKind::MalformedResponse,
                    "alarms.describe",
                    format!("unknown alarm state {shown:?}"),
                ))
            }
        }
    }
}

impl fmt::Display for AlarmValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One alarm's state.
///
/// Tags are not part of it: `DescribeAlarms` does not return them, and reading them costs a
/// `ListTagsForResource` call per alarm on every look. Alarms are mapped to runbooks by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmState {
    /// The alarm's name, e.g. `cato-shadow-self-5xx`.
    pub name: String,
    /// Where it is.
    pub state: AlarmValue,
    /// Why, as the alarm says (`Threshold Crossed: 1 datapoint [12.0] was greater than …`).
    pub reason: String,
    /// When its state last changed.
    pub updated_at: Timestamp,
}

/// One page of alarms.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AlarmPage {
    /// The alarms of this page, by name.
    pub alarms: Vec<AlarmState>,
    /// The token of the next page; `None` on the last one.
    pub next_token: Option<String>,
}

/// Alarms on metrics.
#[async_trait]
pub trait Alarms: fmt::Debug + fmt::Display + Send + Sync {
    /// `describe-alarms --alarm-name-prefix`: one page of at most `max_records`
    /// (`1..=`[`MAX_ALARMS_PER_PAGE`]) alarms whose names start with `prefix` (an empty prefix
    /// names every alarm), by name, from `next_token` (`None`: the first page).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for `max_records` out of
    /// range or a token this service did not give.
    async fn describe(
        &self,
        prefix: &str,
        max_records: u32,
        next_token: Option<String>,
    ) -> Result<AlarmPage>;
}

/// Every alarm whose name starts with `prefix`, following the pages, at most `max_pages` of
/// [`MAX_ALARMS_PER_PAGE`] alarms.
///
/// # Errors
///
/// As [`Alarms::describe`]; and
/// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) when more pages follow.
pub async fn all_alarms(
    alarms: &dyn Alarms,
    prefix: &str,
    max_pages: usize,
) -> Result<Vec<AlarmState>> {
    let mut found = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..max_pages.max(1) {
        let page = alarms
            .describe(prefix, MAX_ALARMS_PER_PAGE, token.take())
            .await?;
        found.extend(page.alarms);
        match page.next_token {
            Some(next) => token = Some(next),
            None => return Ok(found),
        }
    }
    Err(Error::unsupported(
        "alarms.describe",
        format!("more than {max_pages} pages of alarms named {prefix:?}…: use a longer prefix"),
    ))
}
