//! The incident store port, and the in-memory store.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;

use crate::error::Result;
use crate::incident::{Incident, IncidentId};

/// Where incidents are kept. The engine saves an incident after every change.
#[async_trait]
pub trait IncidentStore: fmt::Debug + fmt::Display + Send + Sync {
    /// Inserts or replaces the incident with the same id.
    async fn save(&self, incident: &Incident) -> Result<()>;

    /// The incident with `id`, if any.
    async fn get(&self, id: &IncidentId) -> Result<Option<Incident>>;

    /// Every incident not yet resolved, oldest id first.
    async fn open(&self) -> Result<Vec<Incident>>;

    /// Every incident, oldest id first.
    async fn all(&self) -> Result<Vec<Incident>>;
}

/// Incidents in memory, lost when the process ends.
#[derive(Debug, Default)]
pub struct InMemoryIncidentStore {
    incidents: Mutex<BTreeMap<IncidentId, Incident>>,
}

impl InMemoryIncidentStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<IncidentId, Incident>> {
        // A panic while holding the lock cannot leave a half-written incident: every write is a
        // single insert. Keep serving.
        self.incidents
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl fmt::Display for InMemoryIncidentStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("in-memory incident store")
    }
}

#[async_trait]
impl IncidentStore for InMemoryIncidentStore {
    async fn save(&self, incident: &Incident) -> Result<()> {
        self.lock().insert(incident.id().clone(), incident.clone());
        Ok(())
    }

    async fn get(&self, id: &IncidentId) -> Result<Option<Incident>> {
        Ok(self.lock().get(id).cloned())
    }

    async fn open(&self) -> Result<Vec<Incident>> {
        Ok(self
            .lock()
            .values()
            .filter(|i| i.is_open())
            .cloned()
            .collect())
    }

    async fn all(&self) -> Result<Vec<Incident>> {
        Ok(self.lock().values().cloned().collect())
    }
}
