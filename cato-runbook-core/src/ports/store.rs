//! The incident store port, and the in-memory store.
//!
//! What several replicas and a crash need from a store:
//!
//! - **create-if-absent**: [`create`](IncidentStore::create) stores a new incident only when no
//!   open incident holds its dedup key (and its id is free), so one symptom is one incident
//!   across every replica;
//! - **compare-and-swap**: every record has a version; [`update`](IncidentStore::update) names
//!   the version it read, and a stale one is a [`Conflict`](crate::ErrorKind::Conflict): the
//!   writer re-reads and re-applies its change, never overwrites silently;
//! - **fencing**: every write carries the writer's [`Fence`]; a write whose fence is older
//!   than the greatest one the store has seen is refused
//!   ([`Fenced`](crate::ErrorKind::Fenced)), so a deposed leader writes nothing;
//! - the engine's shared [`Guardrails`] (kill switch, cooldowns, the hourly count of
//!   destructive actions) beside the incidents, under the same rules.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::lease::Fence;
use crate::error::{Error, ErrorKind, Result};
use crate::incident::{DedupKey, Incident, IncidentId};
use crate::time::Timestamp;

/// A record as stored, with the version a compare-and-swap names. Version 0 is "never
/// stored"; the first write makes it 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stored<T> {
    /// The record.
    pub value: T,
    /// Its version.
    pub version: u64,
}

/// What [`IncidentStore::create`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Created {
    /// Stored, at version 1.
    Created,
    /// An open incident already holds the dedup key: this one, as stored. Nothing was written.
    Exists(Box<Stored<Incident>>),
}

/// The kill switch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Halt {
    /// Who pulled it.
    pub by: String,
    /// When.
    pub at: Timestamp,
}

/// The guardrail state every replica shares: kept in the store, not in a process.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guardrails {
    /// Set while automation is halted.
    #[serde(default)]
    pub halted: Option<Halt>,
    /// When each step last acted on each resource, by `step@resource`: its cooldown runs from
    /// there.
    #[serde(default)]
    pub last_acted: BTreeMap<String, Timestamp>,
    /// When each destructive action of the last hour started (older ones are dropped).
    #[serde(default)]
    pub destructive: Vec<Timestamp>,
    /// When each alert (by its key) was last posted to the alerts channel: not again within
    /// the dedupe window, whichever replica leads.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub alerted: BTreeMap<String, Timestamp>,
    /// When each alert of the last hour was posted (older ones are dropped): the hourly limit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alert_posts: Vec<Timestamp>,
}

/// Where incidents are kept, shared by every replica.
#[async_trait]
pub trait IncidentStore: fmt::Debug + fmt::Display + Send + Sync {
    /// Stores a new incident at version 1, unless an open incident already holds its dedup key
    /// (then that one is returned and nothing is written).
    ///
    /// # Errors
    ///
    /// `Conflict` when the id is taken; `Fenced` when `fence` is older than one the store has
    /// seen.
    async fn create(&self, incident: &Incident, fence: Fence) -> Result<Created>;

    /// Replaces the incident stored at `version`; returns its new version.
    ///
    /// # Errors
    ///
    /// `Conflict` when the stored version is another (someone wrote since it was read) or when
    /// reopening it would give its dedup key a second open incident; `NotFound` when it was
    /// never created; `Fenced` as for [`create`](Self::create).
    async fn update(&self, incident: &Incident, version: u64, fence: Fence) -> Result<u64>;

    /// The incident with `id`, if any.
    async fn get(&self, id: &IncidentId) -> Result<Option<Stored<Incident>>>;

    /// Every incident not yet resolved, oldest id first.
    async fn open(&self) -> Result<Vec<Stored<Incident>>>;

    /// Every incident, oldest id first.
    async fn all(&self) -> Result<Vec<Incident>>;

    /// The id and version of every open incident, oldest id first: what the leader reads at
    /// every tick to find the records someone else changed. The default reads [`open`]
    /// (Self::open); a store that can list versions alone should.
    async fn open_versions(&self) -> Result<Vec<(IncidentId, u64)>> {
        Ok(self
            .open()
            .await?
            .into_iter()
            .map(|stored| (stored.value.id().clone(), stored.version))
            .collect())
    }

    /// Every resolved incident (not closed: its postmortem is not attached), oldest id first:
    /// what a new leader reads once to watch the postmortems' deadlines. The default reads
    /// [`all`](Self::all); a store that can list them alone (an index on the status) should.
    async fn awaiting_postmortem(&self) -> Result<Vec<Stored<Incident>>> {
        let mut awaiting = Vec::new();
        for incident in self.all().await? {
            if incident.status() != crate::incident::Status::Resolved {
                continue;
            }
            if let Some(stored) = self.get(incident.id()).await? {
                awaiting.push(stored);
            }
        }
        Ok(awaiting)
    }

    /// Deletes every closed incident (its postmortem attached) that was closed before
    /// `closed_before`, with its timeline; returns how many it deleted. Open and resolved
    /// incidents are never deleted, whatever their age. The engine calls it at most once an
    /// hour with its retention (`[store] retention`). A store whose records expire on their
    /// own (DynamoDB's time to live) still deletes here what has expired, so that what it
    /// answers never depends on when the expiry runs.
    ///
    /// The default keeps everything (a store that cannot delete); every store of the library
    /// implements it, and the store conformance suite checks it.
    ///
    /// # Errors
    ///
    /// `Fenced` as for [`create`](Self::create), or the store's error.
    async fn delete_closed(&self, closed_before: Timestamp, fence: Fence) -> Result<u64> {
        let _ = (closed_before, fence);
        Ok(0)
    }

    /// The shared guardrail state (empty, at version 0, before the first write).
    async fn guardrails(&self) -> Result<Stored<Guardrails>>;

    /// Replaces the guardrail state stored at `version` (0: never written); returns its new
    /// version.
    ///
    /// # Errors
    ///
    /// `Conflict` on a stale version, `Fenced` as for [`create`](Self::create).
    async fn save_guardrails(
        &self,
        guardrails: &Guardrails,
        version: u64,
        fence: Fence,
    ) -> Result<u64>;
}

/// The error of a write whose fence is older than one the store has seen.
pub fn fenced(operation: &'static str, fence: Fence, seen: Fence) -> Error {
    Error::new(
        ErrorKind::Fenced,
        operation,
        format!("{fence} is older than {seen}: another replica leads now"),
    )
}

/// The error of a compare-and-swap that found another version.
pub fn stale(operation: &'static str, what: &str, read: u64, stored: u64) -> Error {
    Error::new(
        ErrorKind::Conflict,
        operation,
        format!("{what} was written since it was read (version {read}, now {stored})"),
    )
    .with_resource(what.to_owned())
}

/// Whether `incident` is closed and was closed before `before`: what
/// [`IncidentStore::delete_closed`] deletes.
pub fn closed_before_time(incident: &Incident, before: Timestamp) -> bool {
    incident.status() == crate::incident::Status::Closed
        && incident
            .phases()
            .closed
            .is_some_and(|closed| closed < before)
}

/// Incidents in memory, lost when the process ends. Share one (`Arc`) between engines to
/// simulate replicas over one store.
#[derive(Debug, Default)]
pub struct InMemoryIncidentStore {
    state: Mutex<Records>,
}

#[derive(Debug, Default)]
struct Records {
    incidents: BTreeMap<IncidentId, Stored<Incident>>,
    /// The open incident of each dedup key.
    open_by_key: std::collections::HashMap<DedupKey, IncidentId>,
    guardrails: Option<Stored<Guardrails>>,
    fence: Fence,
}

impl Records {
    /// Refuses `fence` if older than the greatest seen (checked before anything else, as
    /// every store does).
    fn check_fence(&self, operation: &'static str, fence: Fence) -> Result<()> {
        if fence < self.fence {
            return Err(fenced(operation, fence, self.fence));
        }
        Ok(())
    }

    fn holder_of(&self, incident: &Incident) -> Option<&Stored<Incident>> {
        let holder = self.open_by_key.get(incident.dedup_key())?;
        if holder == incident.id() {
            return None;
        }
        self.incidents.get(holder)
    }

    fn put(&mut self, incident: &Incident, version: u64) {
        let key = incident.dedup_key();
        if incident.is_open() {
            self.open_by_key.insert(key.clone(), incident.id().clone());
        } else if self.open_by_key.get(key) == Some(incident.id()) {
            self.open_by_key.remove(key);
        }
        self.incidents.insert(
            incident.id().clone(),
            Stored {
                value: incident.clone(),
                version,
            },
        );
    }
}

impl InMemoryIncidentStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Records> {
        // A panic while holding the lock cannot leave a half-written record: every write is
        // checked first, then a single insert. Keep serving.
        self.state
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
    async fn create(&self, incident: &Incident, fence: Fence) -> Result<Created> {
        const OP: &str = "store.create";
        let mut records = self.lock();
        records.check_fence(OP, fence)?;
        if records.incidents.contains_key(incident.id()) {
            return Err(Error::new(ErrorKind::Conflict, OP, "the id is taken")
                .with_resource(incident.id().to_string()));
        }
        if incident.is_open()
            && let Some(holder) = records.holder_of(incident)
        {
            return Ok(Created::Exists(Box::new(holder.clone())));
        }
        records.fence = fence;
        records.put(incident, 1);
        Ok(Created::Created)
    }

    async fn update(&self, incident: &Incident, version: u64, fence: Fence) -> Result<u64> {
        const OP: &str = "store.update";
        let mut records = self.lock();
        records.check_fence(OP, fence)?;
        let Some(stored) = records.incidents.get(incident.id()) else {
            return Err(Error::not_found(OP, incident.id().as_str()));
        };
        if stored.version != version {
            return Err(stale(OP, incident.id().as_str(), version, stored.version));
        }
        if incident.is_open()
            && let Some(holder) = records.holder_of(incident)
        {
            return Err(Error::new(
                ErrorKind::Conflict,
                OP,
                format!("{} is open on the same dedup key", holder.value.id()),
            )
            .with_resource(incident.id().to_string()));
        }
        records.fence = fence;
        let next = version + 1;
        records.put(incident, next);
        Ok(next)
    }

    async fn get(&self, id: &IncidentId) -> Result<Option<Stored<Incident>>> {
        Ok(self.lock().incidents.get(id).cloned())
    }

    async fn open(&self) -> Result<Vec<Stored<Incident>>> {
        Ok(self
            .lock()
            .incidents
            .values()
            .filter(|s| s.value.is_open())
            .cloned()
            .collect())
    }

    async fn all(&self) -> Result<Vec<Incident>> {
        Ok(self
            .lock()
            .incidents
            .values()
            .map(|s| s.value.clone())
            .collect())
    }

    async fn open_versions(&self) -> Result<Vec<(IncidentId, u64)>> {
        let records = self.lock();
        let mut open: Vec<(IncidentId, u64)> = records
            .open_by_key
            .values()
            .filter_map(|id| records.incidents.get(id).map(|s| (id.clone(), s.version)))
            .collect();
        open.sort();
        Ok(open)
    }

    async fn awaiting_postmortem(&self) -> Result<Vec<Stored<Incident>>> {
        Ok(self
            .lock()
            .incidents
            .values()
            .filter(|s| s.value.status() == crate::incident::Status::Resolved)
            .cloned()
            .collect())
    }

    async fn delete_closed(&self, closed_before: Timestamp, fence: Fence) -> Result<u64> {
        let mut records = self.lock();
        records.check_fence("store.delete_closed", fence)?;
        records.fence = fence;
        let before = records.incidents.len();
        records
            .incidents
            .retain(|_, stored| !closed_before_time(&stored.value, closed_before));
        Ok((before - records.incidents.len()) as u64)
    }

    async fn guardrails(&self) -> Result<Stored<Guardrails>> {
        Ok(self.lock().guardrails.clone().unwrap_or(Stored {
            value: Guardrails::default(),
            version: 0,
        }))
    }

    async fn save_guardrails(
        &self,
        guardrails: &Guardrails,
        version: u64,
        fence: Fence,
    ) -> Result<u64> {
        const OP: &str = "store.save_guardrails";
        let mut records = self.lock();
        let stored = records.guardrails.as_ref().map_or(0, |g| g.version);
        records.check_fence(OP, fence)?;
        if stored != version {
            return Err(stale(OP, "guardrails", version, stored));
        }
        records.fence = fence;
        records.guardrails = Some(Stored {
            value: guardrails.clone(),
            version: version + 1,
        });
        Ok(version + 1)
    }
}
