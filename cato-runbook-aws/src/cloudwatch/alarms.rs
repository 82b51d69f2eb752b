//! [`Alarms`] on CloudWatch: the runbook's "CloudWatch alarms → PagerDuty → On-call".
//!
//! | port call | CloudWatch operation (IAM action `cloudwatch:…`) |
//! |---|---|
//! | [`describe`](Alarms::describe) | `DescribeAlarms` with `AlarmNamePrefix`, `MaxRecords`, `NextToken`: one page of metric alarms |

use std::fmt;

use async_trait::async_trait;
use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{MetricAlarm, StateValue};
use cato_runbook_core::Result;
use cato_runbook_core::ports::{AlarmPage, AlarmState, AlarmValue, Alarms, MAX_ALARMS_PER_PAGE};

use crate::sdk::{Call, Settings, settings_builders, to_timestamp};

const PROVIDER: &str = "cloudwatch";

/// The [`Alarms`] port on Amazon CloudWatch's metric alarms.
///
/// # Examples
///
/// ```no_run
/// # async fn example() {
/// use cato_runbook_aws::cloudwatch::CloudWatchAlarms;
///
/// let sdk = aws_config::load_from_env().await;
/// let alarms = CloudWatchAlarms::new(&sdk);
/// assert_eq!(alarms.to_string(), "cloudwatch alarms");
/// # }
/// ```
pub struct CloudWatchAlarms {
    client: Client,
    settings: Settings,
}

impl CloudWatchAlarms {
    /// A provider over a client built from `config`.
    pub fn new(config: &aws_types::SdkConfig) -> Self {
        Self::from_client(Client::new(config))
    }

    /// A provider over a ready client.
    pub fn from_client(client: Client) -> Self {
        CloudWatchAlarms {
            client,
            settings: Settings::default(),
        }
    }
}

settings_builders!(CloudWatchAlarms);

impl fmt::Debug for CloudWatchAlarms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudWatchAlarms")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for CloudWatchAlarms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cloudwatch alarms")
    }
}

fn state_of(call: &Call<'_>, alarm: &MetricAlarm) -> Result<AlarmState> {
    let name = alarm
        .alarm_name()
        .ok_or_else(|| call.malformed("an alarm without a name"))?;
    let state = match alarm.state_value() {
        Some(StateValue::Alarm) => AlarmValue::Alarm,
        Some(StateValue::Ok) => AlarmValue::Ok,
        Some(StateValue::InsufficientData) => AlarmValue::InsufficientData,
        other => {
            return Err(call.malformed(format!("alarm {name}: state {other:?}")));
        }
    };
    let updated_at = alarm
        .state_updated_timestamp()
        .and_then(to_timestamp)
        .ok_or_else(|| call.malformed(format!("alarm {name}: no state time")))?;
    Ok(AlarmState {
        name: name.to_owned(),
        state,
        reason: alarm.state_reason().unwrap_or_default().to_owned(),
        updated_at,
    })
}

#[async_trait]
impl Alarms for CloudWatchAlarms {
    async fn describe(
        &self,
        prefix: &str,
        max_records: u32,
        next_token: Option<String>,
    ) -> Result<AlarmPage> {
        let call = Call::new(PROVIDER, "DescribeAlarms", &self.settings).on(prefix);
        if !(1..=MAX_ALARMS_PER_PAGE).contains(&max_records) {
            return Err(call.invalid(format!(
                "MaxRecords {max_records} is outside 1..={MAX_ALARMS_PER_PAGE}"
            )));
        }
        let records = i32::try_from(max_records).unwrap_or(100);
        call.run(async {
            let out = self
                .client
                .describe_alarms()
                // CloudWatch takes no empty prefix: none names every alarm.
                .set_alarm_name_prefix((!prefix.is_empty()).then(|| prefix.to_owned()))
                .max_records(records)
                .set_next_token(next_token)
                .send()
                .await
                .map_err(|e| call.sdk(e))?;
            let mut alarms = out
                .metric_alarms()
                .iter()
                .map(|a| state_of(&call, a))
                .collect::<Result<Vec<_>>>()?;
            alarms.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(AlarmPage {
                alarms,
                next_token: out
                    .next_token()
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned),
            })
        })
        .await
    }
}
