//! AWS Health's answers as the port's types.

use aws_sdk_health::types::{AffectedEntity, Event, EventStatusCode};
use cato_runbook_core::Result;
use cato_runbook_core::ports::HealthEvent;

use crate::sdk::{Call, to_timestamp};

/// The watched resource `entity` is, if any: its value or ARN names it (exactly, or as the
/// last part of an ARN: `…:endpoint/cato-shadow-self`, `…:table/cato-semantic-memory`), in any
/// case (SageMaker's ARNs are lower-case).
pub(super) fn watched(entity: &AffectedEntity, resources: &[String]) -> Option<String> {
    let names = [entity.entity_value(), entity.entity_arn()];
    resources
        .iter()
        .find(|resource| {
            names.iter().flatten().any(|name| {
                let last = name.rsplit(['/', ':']).next().unwrap_or(name);
                name.eq_ignore_ascii_case(resource) || last.eq_ignore_ascii_case(resource)
            })
        })
        .cloned()
}

/// One event as the port's, naming the watched resources it affects.
pub(super) fn event(
    call: &Call<'_>,
    event: &Event,
    affected: &[(String, String)],
) -> Result<HealthEvent> {
    let arn = event.arn().unwrap_or_default();
    let service = event
        .service()
        .ok_or_else(|| call.malformed(format!("event {arn} has no service")))?;
    let started_at = event
        .start_time()
        .and_then(to_timestamp)
        .ok_or_else(|| call.malformed(format!("event {arn} has no start time")))?;
    let mut description = event.event_type_code().unwrap_or("event").to_owned();
    if let Some(category) = event.event_type_category() {
        description.push_str(&format!(" ({})", category.as_str()));
    }
    let mut resources: Vec<&str> = affected
        .iter()
        .filter(|(event, _)| event == arn)
        .map(|(_, resource)| resource.as_str())
        .collect();
    resources.sort_unstable();
    resources.dedup();
    if !resources.is_empty() {
        description.push_str(&format!("; affects {}", resources.join(", ")));
    }
    Ok(HealthEvent {
        service: service.to_owned(),
        region: event.region().unwrap_or("global").to_owned(),
        started_at,
        open: event.status_code() == Some(&EventStatusCode::Open),
        description,
    })
}
