//! The incident store fake: the in-memory store, with call records and faults. Every call is
//! recorded, a refused one (a conflict, a fence) too.

use async_trait::async_trait;
use cato_runbook_core::ports::{Created, Fence, Guardrails, IncidentStore, Stored};
use cato_runbook_core::{Incident, IncidentId, Result, Timestamp};
use serde_json::json;

use super::FakeIncidentStore;
use crate::ops::Op;
use crate::world::Reply;

const PROVIDER: &str = "fake-incident-store";

impl FakeIncidentStore {
    async fn gate(&self, op: Op, args: serde_json::Value) -> Result<()> {
        self.world
            .call(op, PROVIDER, args, None, |_, _| Ok(Reply::new(())))
            .await
    }
}

#[async_trait]
impl IncidentStore for FakeIncidentStore {
    async fn create(&self, incident: &Incident, fence: Fence) -> Result<Created> {
        let args = json!({ "id": incident.id(), "status": incident.status(), "severity": incident.severity(), "fence": fence });
        self.gate(Op::IncidentStoreCreate, args).await?;
        self.world.store().create(incident, fence).await
    }

    async fn update(&self, incident: &Incident, version: u64, fence: Fence) -> Result<u64> {
        let args = json!({ "id": incident.id(), "status": incident.status(), "severity": incident.severity(), "version": version, "fence": fence });
        self.gate(Op::IncidentStoreUpdate, args).await?;
        self.world.store().update(incident, version, fence).await
    }

    async fn get(&self, id: &IncidentId) -> Result<Option<Stored<Incident>>> {
        self.gate(Op::IncidentStoreGet, json!({ "id": id })).await?;
        self.world.store().get(id).await
    }

    async fn open(&self) -> Result<Vec<Stored<Incident>>> {
        self.gate(Op::IncidentStoreOpen, json!({})).await?;
        self.world.store().open().await
    }

    async fn all(&self) -> Result<Vec<Incident>> {
        self.gate(Op::IncidentStoreAll, json!({})).await?;
        self.world.store().all().await
    }

    async fn awaiting_postmortem(&self) -> Result<Vec<Stored<Incident>>> {
        self.gate(Op::IncidentStoreAwaitingPostmortem, json!({}))
            .await?;
        self.world.store().awaiting_postmortem().await
    }

    async fn open_versions(&self) -> Result<Vec<(IncidentId, u64)>> {
        self.gate(Op::IncidentStoreOpenVersions, json!({})).await?;
        self.world.store().open_versions().await
    }

    async fn delete_closed(&self, closed_before: Timestamp, fence: Fence) -> Result<u64> {
        let args = json!({ "closed_before": closed_before, "fence": fence });
        self.gate(Op::IncidentStoreDeleteClosed, args).await?;
        self.world.store().delete_closed(closed_before, fence).await
    }

    async fn guardrails(&self) -> Result<Stored<Guardrails>> {
        self.gate(Op::IncidentStoreGuardrails, json!({})).await?;
        self.world.store().guardrails().await
    }

    async fn save_guardrails(
        &self,
        guardrails: &Guardrails,
        version: u64,
        fence: Fence,
    ) -> Result<u64> {
        let args =
            json!({ "halted": guardrails.halted.is_some(), "version": version, "fence": fence });
        self.gate(Op::IncidentStoreSaveGuardrails, args).await?;
        self.world
            .store()
            .save_guardrails(guardrails, version, fence)
            .await
    }
}
