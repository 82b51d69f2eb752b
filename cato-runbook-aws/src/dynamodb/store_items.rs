//! The items of the incident store's table (and the lease's), how they are read, and the pieces
//! of the transactions that write them. The layout is in [`DynamoDbIncidentStore`]'s
//! documentation.
//!
//! [`DynamoDbIncidentStore`]: super::DynamoDbIncidentStore

use std::collections::HashMap;

use aws_sdk_dynamodb::types::error::TransactionCanceledException;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::error::operation::BuildError;
use cato_runbook_core::incident::IncidentId;
use cato_runbook_core::ports::{Fence, Guardrails, Stored};
use cato_runbook_core::{Error, ErrorKind, Incident, Result, Retry, Timestamp};
use serde::Serialize;

use super::PROVIDER;
use crate::sdk::Call;

/// One item: attribute name to value.
pub(super) type Item = HashMap<String, AttributeValue>;

/// The table's partition key (a string).
pub(super) const PK: &str = "pk";
/// The partition key of an incident is this and its id.
pub(super) const INCIDENT_PREFIX: &str = "incident#";
/// The partition key of the open slot of a dedup key is this and the key.
const OPEN_PREFIX: &str = "open#";
/// The partition key of the greatest fence the store has seen.
pub(super) const FENCE_ITEM: &str = "fence";
/// The partition key of the guardrail state.
pub(super) const GUARDRAILS_ITEM: &str = "guardrails";

/// The incident's id (an incident item).
pub(super) const ID: &str = "id";
/// The record's version (incident and guardrails items).
pub(super) const VERSION: &str = "version";
/// Whether the incident is open (BOOL; an incident item).
pub(super) const OPEN: &str = "open";
/// On open incidents only (a sparse index): the partition key of [`OPEN_INDEX`].
pub(super) const OPEN_SHARD: &str = "open_shard";
/// The index of the open incidents' ids and versions, read at every tick.
pub(super) const OPEN_INDEX: &str = "open-incidents";
/// The incident's dedup key (an incident item).
const DEDUP: &str = "dedup";
/// The record as JSON (incident and guardrails items).
const BODY: &str = "body";
/// The id of the open incident that holds a dedup key (an open-slot item).
const HOLDER: &str = "incident";
/// The fence (the fence item; the lease item).
pub(super) const FENCE: &str = "fence";

/// The code of a condition that failed, in a transaction's cancellation reasons.
const CONDITION_FAILED: &str = "ConditionalCheckFailed";

/// The partition key of incident `id`.
pub(super) fn incident_pk(id: &IncidentId) -> String {
    format!("{INCIDENT_PREFIX}{id}")
}

/// The partition key of the open slot of `dedup`.
pub(super) fn slot_pk(dedup: &str) -> String {
    format!("{OPEN_PREFIX}{dedup}")
}

/// A string value.
pub(super) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number value.
pub(super) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// The string attribute `name` of `item`.
pub(super) fn text<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Some(value),
        _ => None,
    }
}

/// The number attribute `name` of `item`, when it is a whole number that fits `T`.
pub(super) fn number<T: std::str::FromStr>(item: &Item, name: &str) -> Option<T> {
    match item.get(name) {
        Some(AttributeValue::N(value)) => value.parse().ok(),
        _ => None,
    }
}

/// Epoch milliseconds (a lease's expiry) as a timestamp.
pub(super) fn instant(call: &Call<'_>, millis: i64) -> Result<Timestamp> {
    Timestamp::from_timestamp_millis(millis).ok_or_else(|| {
        call.malformed(format!("{millis} ms since the epoch is out of range"))
            .with_retry(Retry::Permanent)
    })
}

/// A stored record that cannot be read: permanent, naming it.
pub(super) fn corrupt(operation: &'static str, what: &str, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::MalformedResponse, operation, message)
        .with_retry(Retry::Permanent)
        .with_provider(PROVIDER)
        .with_resource(what.to_owned())
}

/// `value` as the JSON body of its item.
pub(super) fn body<T: Serialize>(call: &Call<'_>, value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| {
        call.error(
            ErrorKind::Internal,
            format!("the record cannot be written as JSON: {e}"),
        )
    })
}

fn built(call: &Call<'_>, err: BuildError) -> Error {
    call.error(
        ErrorKind::Internal,
        format!("the request cannot be built: {err}"),
    )
}

/// What an incident item says besides its body: enough to write the next version.
#[derive(Debug)]
pub(super) struct Header {
    pub(super) version: u64,
    pub(super) open: bool,
    pub(super) dedup: String,
}

/// The header of the stored incident `id`.
pub(super) fn header(operation: &'static str, id: &str, item: &Item) -> Result<Header> {
    let version = number(item, VERSION)
        .ok_or_else(|| corrupt(operation, id, "the stored incident has no version"))?;
    let open = match item.get(OPEN) {
        Some(AttributeValue::Bool(open)) => *open,
        _ => {
            return Err(corrupt(
                operation,
                id,
                "the stored incident has no open flag",
            ));
        }
    };
    let dedup = text(item, DEDUP)
        .ok_or_else(|| corrupt(operation, id, "the stored incident has no dedup key"))?
        .to_owned();
    Ok(Header {
        version,
        open,
        dedup,
    })
}

/// The incident an incident item holds.
pub(super) fn incident(operation: &'static str, item: &Item) -> Result<Stored<Incident>> {
    let id = text(item, ID)
        .or_else(|| text(item, PK).and_then(|pk| pk.strip_prefix(INCIDENT_PREFIX)))
        .unwrap_or("an incident item");
    let version = number(item, VERSION)
        .ok_or_else(|| corrupt(operation, id, "the stored incident has no version"))?;
    let body = text(item, BODY)
        .ok_or_else(|| corrupt(operation, id, "the stored incident has no body"))?;
    let value: Incident = serde_json::from_str(body).map_err(|e| {
        corrupt(
            operation,
            id,
            format!("the stored incident is not readable: {e}"),
        )
    })?;
    if value.id().as_str() != id {
        return Err(corrupt(
            operation,
            id,
            format!("the item holds another incident ({})", value.id()),
        ));
    }
    Ok(Stored { value, version })
}

/// The guardrail state the guardrails item holds.
pub(super) fn guardrails(operation: &'static str, item: &Item) -> Result<Stored<Guardrails>> {
    let what = GUARDRAILS_ITEM;
    let version = number(item, VERSION)
        .ok_or_else(|| corrupt(operation, what, "the stored guardrails have no version"))?;
    let body = text(item, BODY)
        .ok_or_else(|| corrupt(operation, what, "the stored guardrails have no body"))?;
    let value = serde_json::from_str(body).map_err(|e| {
        corrupt(
            operation,
            what,
            format!("the stored guardrails are not readable: {e}"),
        )
    })?;
    Ok(Stored { value, version })
}

/// The id of the open incident holding the open slot item `item`.
pub(super) fn slot_holder(item: &Item) -> Option<&str> {
    text(item, HOLDER)
}

/// What a versioned put expects to find.
#[derive(Debug, Clone, Copy)]
pub(super) enum Expect {
    /// No item: the first write.
    Absent,
    /// The item at this version.
    Version(u64),
}

fn expecting(
    put: aws_sdk_dynamodb::types::builders::PutBuilder,
    expect: Expect,
) -> aws_sdk_dynamodb::types::builders::PutBuilder {
    match expect {
        Expect::Absent => put
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK),
        Expect::Version(version) => put
            .condition_expression("#v = :v")
            .expression_attribute_names("#v", VERSION)
            .expression_attribute_values(":v", n(version)),
    }
}

/// Puts `incident` (as `body`) at `version`, finding what `expect` says; a closed one with
/// its close time and, under a `retention`, its time to live.
pub(super) fn put_incident(
    call: &Call<'_>,
    table: &str,
    incident: &Incident,
    body: &str,
    version: u64,
    expect: Expect,
    retention: Option<std::time::Duration>,
) -> Result<TransactWriteItem> {
    let put = Put::builder()
        .table_name(table)
        .item(PK, s(incident_pk(incident.id())))
        .item(ID, s(incident.id().as_str()))
        .item(VERSION, n(version))
        .item(OPEN, AttributeValue::Bool(incident.is_open()))
        .item(DEDUP, s(incident.dedup_key().as_str()))
        .item(BODY, s(body));
    let put = super::store::retention::closed_attributes(put, incident, retention);
    // Only open incidents are in the index: a resolved one leaves it with this write.
    let put = if incident.is_open() {
        put.item(OPEN_SHARD, s(OPEN))
    } else {
        put
    };
    let put = expecting(put, expect).build().map_err(|e| built(call, e))?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// Puts the guardrail state (as `body`) at `version`, finding what `expect` says.
pub(super) fn put_guardrails(
    call: &Call<'_>,
    table: &str,
    body: &str,
    version: u64,
    expect: Expect,
) -> Result<TransactWriteItem> {
    let put = Put::builder()
        .table_name(table)
        .item(PK, s(GUARDRAILS_ITEM))
        .item(VERSION, n(version))
        .item(BODY, s(body));
    let put = expecting(put, expect).build().map_err(|e| built(call, e))?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// Takes the open slot of `incident`'s dedup key for it: refused when another holds it.
pub(super) fn claim_slot(
    call: &Call<'_>,
    table: &str,
    incident: &Incident,
) -> Result<TransactWriteItem> {
    let put = Put::builder()
        .table_name(table)
        .item(PK, s(slot_pk(incident.dedup_key().as_str())))
        .item(HOLDER, s(incident.id().as_str()))
        .condition_expression("attribute_not_exists(#pk)")
        .expression_attribute_names("#pk", PK)
        .build()
        .map_err(|e| built(call, e))?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// Frees the open slot of `dedup`, held by `id` (or by nobody: nothing to free).
pub(super) fn release_slot(
    call: &Call<'_>,
    table: &str,
    dedup: &str,
    id: &IncidentId,
) -> Result<TransactWriteItem> {
    let delete = Delete::builder()
        .table_name(table)
        .key(PK, s(slot_pk(dedup)))
        .condition_expression("attribute_not_exists(#pk) OR #holder = :id")
        .expression_attribute_names("#pk", PK)
        .expression_attribute_names("#holder", HOLDER)
        .expression_attribute_values(":id", s(id.as_str()))
        .build()
        .map_err(|e| built(call, e))?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// Records `fence` as the greatest seen: refused when a greater one was.
pub(super) fn advance_fence(
    call: &Call<'_>,
    table: &str,
    fence: Fence,
) -> Result<TransactWriteItem> {
    let update = Update::builder()
        .table_name(table)
        .key(PK, s(FENCE_ITEM))
        .update_expression("SET #fence = :fence")
        .condition_expression("attribute_not_exists(#fence) OR #fence <= :fence")
        .expression_attribute_names("#fence", FENCE)
        .expression_attribute_values(":fence", n(fence.0))
        .build()
        .map_err(|e| built(call, e))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// Whether `err` is the service's error `code` (`ConditionalCheckFailedException`, …).
pub(super) fn has_code<E: ProvideErrorMetadata>(
    err: &SdkError<E, HttpResponse>,
    code: &str,
) -> bool {
    err.as_service_error().and_then(|e| e.code()) == Some(code)
}

/// `true` when a conditional write was made, `false` when its condition failed; any other
/// failure is the call's error.
pub(super) fn written<T, E>(
    call: &Call<'_>,
    result: std::result::Result<T, SdkError<E, HttpResponse>>,
) -> Result<bool>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(true),
        Err(err) if has_code(&err, "ConditionalCheckFailedException") => Ok(false),
        Err(err) => Err(call.sdk(err)),
    }
}

/// Why a transaction was cancelled: one code per write, in the request's order (`None` or
/// `"None"` for a write that was fine). Empty when the service gave no reasons: then any write
/// may have failed, and the store looks.
#[derive(Debug)]
pub(super) struct Cancelled {
    codes: Vec<Option<String>>,
}

impl Cancelled {
    pub(super) fn new(cancelled: &TransactionCanceledException) -> Self {
        let codes = cancelled
            .cancellation_reasons
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|reason| reason.code.clone())
            .collect();
        Cancelled { codes }
    }

    /// Whether the condition of write `index` may be why.
    pub(super) fn may_have_failed(&self, index: usize) -> bool {
        self.codes.is_empty()
            || self.codes.get(index).and_then(Option::as_deref) == Some(CONDITION_FAILED)
    }

    /// The error of a cancellation for another reason than a condition: a concurrent
    /// transaction on the same items, throttling, validation.
    pub(super) fn other(&self, call: &Call<'_>) -> Option<Error> {
        let code = self
            .codes
            .iter()
            .flatten()
            .map(String::as_str)
            .find(|code| !matches!(*code, "" | "None" | CONDITION_FAILED))?;
        let (kind, retry) = match code {
            "TransactionConflict" => (ErrorKind::Conflict, Retry::Transient),
            "ThrottlingError" | "ProvisionedThroughputExceeded" | "RequestLimitExceeded" => {
                (ErrorKind::Throttled, Retry::Throttled)
            }
            "ValidationError" | "ItemCollectionSizeLimitExceeded" => {
                (ErrorKind::InvalidInput, Retry::Permanent)
            }
            _ => (ErrorKind::Unavailable, Retry::Transient),
        };
        tracing::debug!(provider = PROVIDER, code, %kind, "transaction cancelled");
        Some(
            call.error(kind, format!("the transaction was cancelled: {code}"))
                .with_retry(retry),
        )
    }
}
