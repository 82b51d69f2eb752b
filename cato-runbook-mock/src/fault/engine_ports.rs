//! `FaultInjecting<P>` for the engine's own ports: the pager, chat, mail, the incident store
//! and the lease.

use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::ports::{
    Chat, ChatMessage, Created, Email, Fence, Guardrails, IncidentStore, Leadership, Lease, Mail,
    Page, Pager, Posted, Stored,
};
use cato_runbook_core::{Incident, IncidentId, Result, Timestamp};

use super::layer::FaultInjecting;
use crate::ops::Op;

#[async_trait]
impl<P: Pager> Pager for FaultInjecting<P> {
    async fn trigger(&self, page: &Page) -> Result<()> {
        let injected = self.gate(Op::PagerTrigger).await?;
        self.inner
            .trigger(page)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn acknowledge(&self, target: &str, dedup_key: &str) -> Result<()> {
        let injected = self.gate(Op::PagerAcknowledge).await?;
        self.inner
            .acknowledge(target, dedup_key)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn resolve(&self, target: &str, dedup_key: &str) -> Result<()> {
        let injected = self.gate(Op::PagerResolve).await?;
        self.inner
            .resolve(target, dedup_key)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
}

#[async_trait]
impl<P: Chat> Chat for FaultInjecting<P> {
    async fn post(&self, message: &ChatMessage) -> Result<Posted> {
        let injected = self.gate(Op::ChatPost).await?;
        self.inner
            .post(message)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
}

#[async_trait]
impl<P: Mail> Mail for FaultInjecting<P> {
    async fn send(&self, email: &Email) -> Result<()> {
        let injected = self.gate(Op::MailSend).await?;
        self.inner
            .send(email)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
}

#[async_trait]
impl<P: IncidentStore> IncidentStore for FaultInjecting<P> {
    async fn create(&self, incident: &Incident, fence: Fence) -> Result<Created> {
        let injected = self.gate(Op::IncidentStoreCreate).await?;
        self.inner
            .create(incident, fence)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn update(&self, incident: &Incident, version: u64, fence: Fence) -> Result<u64> {
        let injected = self.gate(Op::IncidentStoreUpdate).await?;
        self.inner
            .update(incident, version, fence)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn get(&self, id: &IncidentId) -> Result<Option<Stored<Incident>>> {
        let injected = self.gate(Op::IncidentStoreGet).await?;
        self.inner
            .get(id)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn open(&self) -> Result<Vec<Stored<Incident>>> {
        let injected = self.gate(Op::IncidentStoreOpen).await?;
        self.inner
            .open()
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn all(&self) -> Result<Vec<Incident>> {
        let injected = self.gate(Op::IncidentStoreAll).await?;
        self.inner
            .all()
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn awaiting_postmortem(&self) -> Result<Vec<Stored<Incident>>> {
        let injected = self.gate(Op::IncidentStoreAwaitingPostmortem).await?;
        self.inner
            .awaiting_postmortem()
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn open_versions(&self) -> Result<Vec<(IncidentId, u64)>> {
        let injected = self.gate(Op::IncidentStoreOpenVersions).await?;
        self.inner
            .open_versions()
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn delete_closed(&self, closed_before: Timestamp, fence: Fence) -> Result<u64> {
        let injected = self.gate(Op::IncidentStoreDeleteClosed).await?;
        self.inner
            .delete_closed(closed_before, fence)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn guardrails(&self) -> Result<Stored<Guardrails>> {
        let injected = self.gate(Op::IncidentStoreGuardrails).await?;
        self.inner
            .guardrails()
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn save_guardrails(
        &self,
        guardrails: &Guardrails,
        version: u64,
        fence: Fence,
    ) -> Result<u64> {
        let injected = self.gate(Op::IncidentStoreSaveGuardrails).await?;
        self.inner
            .save_guardrails(guardrails, version, fence)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
}

#[async_trait]
impl<P: Lease> Lease for FaultInjecting<P> {
    fn replica(&self) -> &str {
        self.inner.replica()
    }
    async fn acquire(&self, ttl: Duration) -> Result<Leadership> {
        let injected = self.gate(Op::LeaseAcquire).await?;
        self.inner
            .acquire(ttl)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn release(&self) -> Result<()> {
        let injected = self.gate(Op::LeaseRelease).await?;
        self.inner
            .release()
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
}
