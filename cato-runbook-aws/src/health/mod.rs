//! [`CloudHealth`] on AWS Health: "Check AWS Health Dashboard".
//!
//! | port call | AWS Health operation (IAM action `health:…`) |
//! |---|---|
//! | [`events`](CloudHealth::events) | `DescribeEvents` (open events, and events closed since the time asked; every page), then `DescribeAffectedEntities` (the resources each event affects, when resources are watched) |
//!
//! AWS Health is a global service served from one region: `us-east-1` (its failover endpoint is
//! `us-east-2`; `aws-cn` and GovCloud have their own). [`AwsHealth::new`] talks to
//! [`GLOBAL_REGION`] whatever region the SDK configuration names; [`AwsHealth::in_region`]
//! picks another.
//!
//! Without a Business, Enterprise On-Ramp or Enterprise support plan the API answers every call
//! with `SubscriptionRequiredException`: that is an
//! [`ErrorKind::Unsupported`](cato_runbook_core::ErrorKind::Unsupported) error whose message
//! begins "AWS Health unavailable (no Business support plan)", which the `cloud-health-events`
//! diagnosis records as a finding, never as a failed diagnosis. Throttling is `Throttled`, 5xx
//! and timeouts are transient, as for every AWS provider.

mod convert;

use std::fmt;

use async_trait::async_trait;
use aws_sdk_health::Client;
use aws_sdk_health::types::{
    DateTimeRange, EntityFilter, EventFilter, EventStatusCode, EventTypeCategory,
};
use cato_runbook_core::ports::{CloudHealth, HealthEvent};
use cato_runbook_core::{Error, ErrorKind, Result, Retry, Timestamp};

use crate::sdk::{Call, Class, Settings, from_timestamp, settings_builders};

const PROVIDER: &str = "aws-health";
/// Pages read at most per query (100 events, or 100 entities, each).
const MAX_PAGES: usize = 50;
/// Event ARNs `DescribeAffectedEntities` takes in one filter.
const ARNS_PER_CALL: usize = 10;

/// The region AWS Health's global endpoint is served from.
pub const GLOBAL_REGION: &str = crate::defaults::HEALTH_GLOBAL_REGION;

/// The message of the error AWS Health answers without a Business support plan.
pub const UNAVAILABLE: &str = "AWS Health unavailable (no Business support plan): the AWS Health API needs a Business, Enterprise On-Ramp or Enterprise support plan";

/// The [`CloudHealth`] port on AWS Health.
///
/// It asks for the events of the services that matter (`SAGEMAKER`, `DYNAMODB`, …; every
/// service when none is given) in the regions that matter (every region when none is given),
/// of the categories `issue` and `scheduledChange` (account notifications are not incidents):
/// the open ones, whenever they started, and those that started since the time asked and have
/// closed. When resources are watched ([`watching`](Self::watching): endpoint, table and
/// cluster names), it reads the events' affected entities and names, in the event's
/// description, each watched resource an event affects.
///
/// # Examples
///
/// ```no_run
/// # async fn example() {
/// use cato_runbook_aws::health::AwsHealth;
///
/// let sdk = aws_config::load_from_env().await;
/// let health = AwsHealth::new(&sdk)
///     .with_services(["SAGEMAKER", "DYNAMODB"])
///     .watching(["cato-shadow-self"]);
/// assert_eq!(health.to_string(), "aws-health (us-east-1)");
/// # }
/// ```
pub struct AwsHealth {
    client: Client,
    region: String,
    settings: Settings,
    services: Vec<String>,
    regions: Vec<String>,
    resources: Vec<String>,
}

impl AwsHealth {
    /// A provider over a client built from `config` (credentials, endpoint, SDK retries and
    /// timeouts), in AWS Health's [`GLOBAL_REGION`].
    pub fn new(config: &aws_types::SdkConfig) -> Self {
        Self::in_region(config, GLOBAL_REGION)
    }

    /// As [`new`](Self::new), in `region` (`us-east-2`, AWS Health's failover, or another
    /// partition's).
    pub fn in_region(config: &aws_types::SdkConfig, region: &str) -> Self {
        let conf = aws_sdk_health::config::Builder::from(config)
            .region(aws_sdk_health::config::Region::new(region.to_owned()))
            .build();
        let mut health = Self::from_client(Client::from_conf(conf));
        region.clone_into(&mut health.region);
        health
    }

    /// A provider over a ready client (whose region should be AWS Health's).
    pub fn from_client(client: Client) -> Self {
        let region = client
            .config()
            .region()
            .map_or_else(|| GLOBAL_REGION.to_owned(), ToString::to_string);
        AwsHealth {
            client,
            region,
            settings: Settings::default(),
            services: Vec::new(),
            regions: Vec::new(),
            resources: Vec::new(),
        }
    }

    /// Only events of `services` (AWS Health's codes: `SAGEMAKER`, `DYNAMODB`, `ELASTICACHE`,
    /// `BEDROCK`, …; upper-cased here).
    #[must_use]
    pub fn with_services<I, S>(mut self, services: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.services = services
            .into_iter()
            .map(|s| s.as_ref().to_ascii_uppercase())
            .collect();
        self
    }

    /// Only events in `regions` (`us-east-1`, …; `global` for global services).
    #[must_use]
    pub fn with_regions<I, S>(mut self, regions: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.regions = regions.into_iter().map(Into::into).collect();
        self
    }

    /// Names, in an event's description, each of `resources` (endpoint, table, cluster names)
    /// it affects, from `DescribeAffectedEntities`.
    #[must_use]
    pub fn watching<I, S>(mut self, resources: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.resources.extend(resources.into_iter().map(Into::into));
        self
    }

    fn call(&self, operation: &'static str) -> Call<'_> {
        Call::new(PROVIDER, operation, &self.settings).classify_with(classify)
    }

    /// Every event `filter` selects, every page.
    async fn describe(
        &self,
        call: &Call<'_>,
        filter: EventFilter,
    ) -> Result<Vec<aws_sdk_health::types::Event>> {
        let mut events = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let out = self
                .client
                .describe_events()
                .filter(filter.clone())
                .max_results(100)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| unavailable(call, call.sdk(e)))?;
            events.extend(out.events().iter().cloned());
            match out.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                _ => break,
            }
        }
        Ok(events)
    }

    /// The watched resources each of `arns` affects, by event ARN.
    async fn affected(&self, call: &Call<'_>, arns: &[String]) -> Result<Vec<(String, String)>> {
        let mut found = Vec::new();
        for chunk in arns.chunks(ARNS_PER_CALL) {
            let filter = EntityFilter::builder()
                .set_event_arns(Some(chunk.to_vec()))
                .build()
                .map_err(|e| call.invalid(format!("an entity filter could not be made: {e}")))?;
            let mut token: Option<String> = None;
            for _ in 0..MAX_PAGES {
                let out = self
                    .client
                    .describe_affected_entities()
                    .filter(filter.clone())
                    .max_results(100)
                    .set_next_token(token.take())
                    .send()
                    .await
                    .map_err(|e| unavailable(call, call.sdk(e)))?;
                for entity in out.entities() {
                    if let (Some(event), Some(resource)) = (
                        entity.event_arn(),
                        convert::watched(entity, &self.resources),
                    ) {
                        found.push((event.to_owned(), resource));
                    }
                }
                match out.next_token() {
                    Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                    _ => break,
                }
            }
        }
        Ok(found)
    }

    fn filter(&self) -> aws_sdk_health::types::builders::EventFilterBuilder {
        let mut filter = EventFilter::builder()
            .event_type_categories(EventTypeCategory::Issue)
            .event_type_categories(EventTypeCategory::ScheduledChange);
        if !self.services.is_empty() {
            filter = filter.set_services(Some(self.services.clone()));
        }
        if !self.regions.is_empty() {
            filter = filter.set_regions(Some(self.regions.clone()));
        }
        filter
    }
}

settings_builders!(AwsHealth);

/// `SubscriptionRequiredException`: the account has no support plan that includes the API.
fn classify(code: &str, _message: &str) -> Option<Class> {
    if code == "SubscriptionRequiredException" {
        Some(Class::new(ErrorKind::Unsupported, Retry::Permanent))
    } else {
        None
    }
}

/// An unsupported call says why in words people know.
fn unavailable(call: &Call<'_>, err: Error) -> Error {
    if err.kind() == ErrorKind::Unsupported {
        call.error(ErrorKind::Unsupported, UNAVAILABLE)
            .with_retry(Retry::Permanent)
            .with_source(err)
    } else {
        err
    }
}

impl fmt::Debug for AwsHealth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsHealth")
            .field("region", &self.region)
            .field("services", &self.services)
            .field("regions", &self.regions)
            .field("resources", &self.resources)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for AwsHealth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PROVIDER} ({})", self.region)
    }
}

#[async_trait]
impl CloudHealth for AwsHealth {
    async fn events(&self, since: Timestamp) -> Result<Vec<HealthEvent>> {
        let call = self.call("DescribeEvents");
        call.run(async {
            let open = self
                .filter()
                .event_status_codes(EventStatusCode::Open)
                .build();
            let closed = self
                .filter()
                .event_status_codes(EventStatusCode::Closed)
                .start_times(DateTimeRange::builder().from(from_timestamp(since)).build())
                .build();
            let mut events = self.describe(&call, open).await?;
            for event in self.describe(&call, closed).await? {
                if !events.iter().any(|e| e.arn() == event.arn()) {
                    events.push(event);
                }
            }
            let affected = if self.resources.is_empty() || events.is_empty() {
                Vec::new()
            } else {
                let arns: Vec<String> = events
                    .iter()
                    .filter_map(|e| e.arn().map(str::to_owned))
                    .collect();
                self.affected(&call.op("DescribeAffectedEntities"), &arns)
                    .await?
            };
            let mut out = events
                .iter()
                .map(|e| convert::event(&call, e, &affected))
                .collect::<Result<Vec<_>>>()?;
            out.retain(|e| e.open || e.started_at >= since);
            out.sort_by_key(|e| e.started_at);
            Ok(out)
        })
        .await
    }
}
