//! The store's writes: one transaction each, and how a cancelled one is read.

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::TransactWriteItem;
use cato_runbook_core::incident::IncidentId;
use cato_runbook_core::ports::{Created, Fence, Guardrails, Stored, fenced, stale};
use cato_runbook_core::{Error, ErrorKind, Incident, Result, Retry};

use super::super::PROVIDER;
use super::super::store_items::{self as items, Cancelled, Expect};
use super::DynamoDbIncidentStore;
use crate::sdk::Call;

/// How many transactions one write tries when the store changes between its check and its
/// write (an open incident resolved while a create looked at it).
const ATTEMPTS: usize = 3;

impl DynamoDbIncidentStore {
    pub(super) async fn create_incident(
        &self,
        incident: &Incident,
        fence: Fence,
    ) -> Result<Created> {
        const OP: &str = "store.create";
        let id = incident.id();
        let call = Call::new(PROVIDER, "TransactWriteItems", &self.settings).on(id.as_str());
        call.run(async {
            let body = items::body(&call, incident)?;
            for _ in 0..ATTEMPTS {
                let mut writes = vec![items::put_incident(
                    &call,
                    &self.table,
                    incident,
                    &body,
                    1,
                    Expect::Absent,
                    self.retention,
                )?];
                let slot = incident.is_open().then_some(writes.len());
                if slot.is_some() {
                    writes.push(items::claim_slot(&call, &self.table, incident)?);
                }
                let fence_at = writes.len();
                writes.push(items::advance_fence(&call, &self.table, fence)?);
                let Some(cancelled) = self.transact(&call, writes).await? else {
                    tracing::debug!(provider = PROVIDER, incident = %id, %fence, "created");
                    return Ok(Created::Created);
                };
                if let Some(err) = cancelled.other(&call) {
                    return Err(err);
                }
                if cancelled.may_have_failed(fence_at) {
                    self.check_fence(&call, OP, fence).await?;
                }
                if cancelled.may_have_failed(0)
                    && self.stored_version(&call, OP, id).await?.is_some()
                {
                    return Err(conflict(OP, id, "the id is taken"));
                }
                if let Some(slot) = slot
                    && cancelled.may_have_failed(slot)
                    && let Some(holder) = self.open_holder(&call, OP, incident).await?
                {
                    let other = holder.value.id();
                    tracing::debug!(provider = PROVIDER, incident = %id, %other, "dedup key held");
                    return Ok(Created::Exists(Box::new(holder)));
                }
                tracing::debug!(provider = PROVIDER, incident = %id, "store changed; trying again");
            }
            Err(changed(&call))
        })
        .await
    }

    pub(super) async fn update_incident(
        &self,
        incident: &Incident,
        version: u64,
        fence: Fence,
    ) -> Result<u64> {
        const OP: &str = "store.update";
        let id = incident.id();
        let call = Call::new(PROVIDER, "TransactWriteItems", &self.settings).on(id.as_str());
        call.run(async {
            let body = items::body(&call, incident)?;
            let pk = items::incident_pk(id);
            let key = incident.dedup_key().as_str();
            for _ in 0..ATTEMPTS {
                let Some(item) = self.read(&call.op("GetItem"), &pk).await? else {
                    self.check_fence(&call, OP, fence).await?;
                    return Err(Error::not_found(OP, id.as_str()).with_provider(PROVIDER));
                };
                let was = items::header(OP, id.as_str(), &item)?;
                if was.version != version {
                    self.check_fence(&call, OP, fence).await?;
                    let err = stale(OP, id.as_str(), version, was.version);
                    return Err(err.with_provider(PROVIDER));
                }
                let next = version + 1;
                let expect = Expect::Version(version);
                let mut writes = vec![
                    items::put_incident(
                        &call,
                        &self.table,
                        incident,
                        &body,
                        next,
                        expect,
                        self.retention,
                    )?,
                    items::advance_fence(&call, &self.table, fence)?,
                ];
                let moved = was.dedup != key;
                let mut release_at = None;
                if was.open && (!incident.is_open() || moved) {
                    release_at = Some(writes.len());
                    writes.push(items::release_slot(&call, &self.table, &was.dedup, id)?);
                }
                let mut claim_at = None;
                if incident.is_open() && (!was.open || moved) {
                    claim_at = Some(writes.len());
                    writes.push(items::claim_slot(&call, &self.table, incident)?);
                }
                let Some(cancelled) = self.transact(&call, writes).await? else {
                    tracing::debug!(provider = PROVIDER, incident = %id, next, %fence, "updated");
                    return Ok(next);
                };
                if let Some(err) = cancelled.other(&call) {
                    return Err(err);
                }
                if cancelled.may_have_failed(1) {
                    self.check_fence(&call, OP, fence).await?;
                }
                if cancelled.may_have_failed(0) {
                    match self.stored_version(&call, OP, id).await? {
                        None => {
                            let err = Error::not_found(OP, id.as_str());
                            return Err(err.with_provider(PROVIDER));
                        }
                        Some(stored) if stored != version => {
                            let err = stale(OP, id.as_str(), version, stored);
                            return Err(err.with_provider(PROVIDER));
                        }
                        Some(_) => {}
                    }
                }
                let get = call.op("GetItem");
                if let Some(at) = claim_at
                    && cancelled.may_have_failed(at)
                    && let Some(holder) = self.slot_holder(&get, key).await?
                    && holder != id.as_str()
                {
                    let message = format!("{holder} is open on the same dedup key");
                    return Err(conflict(OP, id, message));
                }
                if let Some(at) = release_at
                    && cancelled.may_have_failed(at)
                    && let Some(holder) = self.slot_holder(&get, &was.dedup).await?
                    && holder != id.as_str()
                {
                    let message = format!(
                        "the open slot of {} is {holder}'s, though this incident is open on it",
                        was.dedup
                    );
                    return Err(Error::new(ErrorKind::Internal, OP, message)
                        .with_provider(PROVIDER)
                        .with_resource(id.to_string()));
                }
                tracing::debug!(provider = PROVIDER, incident = %id, "store changed; trying again");
            }
            Err(changed(&call))
        })
        .await
    }

    pub(super) async fn write_guardrails(
        &self,
        guardrails: &Guardrails,
        version: u64,
        fence: Fence,
    ) -> Result<u64> {
        const OP: &str = "store.save_guardrails";
        let what = items::GUARDRAILS_ITEM;
        let call = Call::new(PROVIDER, "TransactWriteItems", &self.settings).on(what);
        call.run(async {
            let body = items::body(&call, guardrails)?;
            let expect = match version {
                0 => Expect::Absent,
                v => Expect::Version(v),
            };
            let next = version + 1;
            for _ in 0..ATTEMPTS {
                let writes = vec![
                    items::put_guardrails(&call, &self.table, &body, next, expect)?,
                    items::advance_fence(&call, &self.table, fence)?,
                ];
                let Some(cancelled) = self.transact(&call, writes).await? else {
                    tracing::debug!(provider = PROVIDER, next, %fence, "guardrails saved");
                    return Ok(next);
                };
                if let Some(err) = cancelled.other(&call) {
                    return Err(err);
                }
                if cancelled.may_have_failed(1) {
                    self.check_fence(&call, OP, fence).await?;
                }
                if cancelled.may_have_failed(0) {
                    let stored = match self.read(&call.op("GetItem"), what).await? {
                        Some(item) => {
                            items::number::<u64>(&item, items::VERSION).ok_or_else(|| {
                                items::corrupt(OP, what, "the stored guardrails have no version")
                            })?
                        }
                        None => 0,
                    };
                    if stored != version {
                        return Err(stale(OP, what, version, stored).with_provider(PROVIDER));
                    }
                }
            }
            Err(changed(&call))
        })
        .await
    }

    /// Writes `writes` at once: `None` when written, why not when cancelled.
    pub(super) async fn transact(
        &self,
        call: &Call<'_>,
        writes: Vec<TransactWriteItem>,
    ) -> Result<Option<Cancelled>> {
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(writes))
            .send()
            .await;
        match result {
            Ok(_) => Ok(None),
            Err(err) => {
                if let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
                    err.as_service_error()
                {
                    return Ok(Some(Cancelled::new(cancelled)));
                }
                Err(call.sdk(err))
            }
        }
    }

    /// `Fenced` when `fence` is older than the greatest the store has seen.
    pub(super) async fn check_fence(
        &self,
        call: &Call<'_>,
        operation: &'static str,
        fence: Fence,
    ) -> Result<()> {
        let item = self.read(&call.op("GetItem"), items::FENCE_ITEM).await?;
        let seen = Fence(
            item.as_ref()
                .and_then(|item| items::number::<u64>(item, items::FENCE))
                .unwrap_or(0),
        );
        if fence < seen {
            let table = &self.table;
            tracing::info!(provider = PROVIDER, %table, %fence, %seen, "a write was fenced off");
            return Err(fenced(operation, fence, seen).with_provider(PROVIDER));
        }
        Ok(())
    }

    /// The open incident holding `incident`'s dedup key, when another does.
    async fn open_holder(
        &self,
        call: &Call<'_>,
        operation: &'static str,
        incident: &Incident,
    ) -> Result<Option<Stored<Incident>>> {
        let get = call.op("GetItem");
        let Some(holder) = self
            .slot_holder(&get, incident.dedup_key().as_str())
            .await?
        else {
            return Ok(None);
        };
        if holder == incident.id().as_str() {
            return Ok(None);
        }
        let Some(item) = self
            .read(&get, &items::incident_pk(&IncidentId::new(holder)))
            .await?
        else {
            return Ok(None);
        };
        let stored = items::incident(operation, &item)?;
        Ok(
            (stored.value.is_open() && stored.value.dedup_key() == incident.dedup_key())
                .then_some(stored),
        )
    }

    /// The id of the incident holding the open slot of `dedup`.
    async fn slot_holder(&self, call: &Call<'_>, dedup: &str) -> Result<Option<String>> {
        let item = self.read(call, &items::slot_pk(dedup)).await?;
        Ok(item
            .as_ref()
            .and_then(items::slot_holder)
            .map(str::to_owned))
    }

    /// The version of the stored incident `id` (`None`: never created).
    async fn stored_version(
        &self,
        call: &Call<'_>,
        operation: &'static str,
        id: &IncidentId,
    ) -> Result<Option<u64>> {
        let item = self
            .read(&call.op("GetItem"), &items::incident_pk(id))
            .await?;
        item.map(|item| items::header(operation, id.as_str(), &item).map(|h| h.version))
            .transpose()
    }
}

/// The error of a write that found the store changed under every try.
fn changed(call: &Call<'_>) -> Error {
    call.error(
        ErrorKind::Conflict,
        "the store changed under every try: read again and retry",
    )
    .with_retry(Retry::Transient)
}

fn conflict(operation: &'static str, id: &IncidentId, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Conflict, operation, message)
        .with_provider(PROVIDER)
        .with_resource(id.to_string())
}
