//! The incident store fake: the in-memory store, with call records and faults.

use async_trait::async_trait;
use cato_runbook_core::ports::IncidentStore;
use cato_runbook_core::{Incident, IncidentId, Result};
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
    async fn save(&self, incident: &Incident) -> Result<()> {
        let args = json!({ "id": incident.id(), "status": incident.status(), "severity": incident.severity() });
        self.gate(Op::IncidentStoreSave, args).await?;
        self.world.store().save(incident).await
    }

    async fn get(&self, id: &IncidentId) -> Result<Option<Incident>> {
        self.gate(Op::IncidentStoreGet, json!({ "id": id })).await?;
        self.world.store().get(id).await
    }

    async fn open(&self) -> Result<Vec<Incident>> {
        self.gate(Op::IncidentStoreOpen, json!({})).await?;
        self.world.store().open().await
    }

    async fn all(&self) -> Result<Vec<Incident>> {
        self.gate(Op::IncidentStoreAll, json!({})).await?;
        self.world.store().all().await
    }
}
