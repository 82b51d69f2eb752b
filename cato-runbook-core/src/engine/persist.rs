//! Saving an incident: compare-and-swap at the version the copy is based on, the re-read after
//! a conflict, and the late create of an incident opened while the store could not answer.

use super::Inner;
use super::state;
use crate::error::Result;

impl Inner {
    /// Saves the incident in `cell` as it is now, in its turn (see [`Cell`](state::Cell)), naming the
    /// version its copy is based on.
    ///
    /// # Errors
    ///
    /// `Conflict` when someone wrote since (the caller re-reads and re-applies, see
    /// [`Inner::reread`]), `Fenced` when another replica leads now, or the store's error.
    pub(super) async fn persist(
        &self,
        cell: &state::Cell,
        fence: crate::ports::Fence,
        generation: Option<u64>,
    ) -> Result<()> {
        let _turn = cell.save_turn().await;
        let (incident, now_generation) = {
            let copy = cell.lock().await;
            (copy.clone(), cell.generation())
        };
        if generation.is_some_and(|g| g != now_generation) {
            // The copy was replaced since the change was made on it: the change is not in it.
            return Err(crate::Error::new(
                crate::ErrorKind::Conflict,
                "store.update",
                "the copy was replaced by the store's record since the change",
            ));
        }
        if cell.version() == 0 {
            return self.create_late(cell, &incident, fence).await;
        }
        let saved = self
            .store_call(
                "store.update",
                incident.id().as_str(),
                self.store.update(&incident, cell.version(), fence),
            )
            .await;
        match saved {
            Ok(version) => {
                cell.set_version(version);
                cell.set_unsaved(false);
                Ok(())
            }
            Err(err) => {
                match err.kind() {
                    // The caller re-reads and re-applies.
                    crate::ErrorKind::Conflict => {}
                    crate::ErrorKind::Fenced => {
                        self.depose(&err);
                        cell.set_unsaved(true);
                    }
                    _ => cell.set_unsaved(true),
                }
                Err(err)
            }
        }
    }

    /// Creates an incident opened while the store could not answer (version 0). Another
    /// incident open on its key by then is a conflict the next tick's sync settles (see
    /// `sync.rs`).
    async fn create_late(
        &self,
        cell: &state::Cell,
        incident: &crate::Incident,
        fence: crate::ports::Fence,
    ) -> Result<()> {
        let created = self
            .store_call(
                "store.create",
                incident.id().as_str(),
                self.store.create(incident, fence),
            )
            .await;
        match created {
            Ok(crate::ports::Created::Created) => {
                cell.set_version(1);
                cell.set_unsaved(false);
                Ok(())
            }
            Ok(crate::ports::Created::Exists(theirs)) => {
                cell.set_unsaved(true);
                Err(crate::Error::new(
                    crate::ErrorKind::Conflict,
                    "store.create",
                    format!("{} is open on the same dedup key", theirs.value.id()),
                )
                .with_resource(incident.id().to_string()))
            }
            Err(err) => {
                if err.kind() == crate::ErrorKind::Fenced {
                    self.depose(&err);
                }
                cell.set_unsaved(true);
                Err(err)
            }
        }
    }

    /// Replaces the copy in `cell` with the store's record after a conflicting save. Changes
    /// of this replica that earlier saves failed to write are lost with the copy: that is said
    /// at error level.
    pub(super) async fn reread(&self, cell: &state::Cell) -> Result<()> {
        let _turn = cell.save_turn().await;
        let id = cell.lock().await.id().clone();
        let Some(stored) = self.get_stored(&id).await? else {
            return Err(crate::Error::not_found("store.get", id.to_string()));
        };
        if cell.is_unsaved() {
            tracing::error!(incident = %id, "another writer changed the incident while earlier changes of this replica were unsaved; the store's record wins");
        }
        cell.replace(stored.value, stored.version).await;
        Ok(())
    }

    /// The store's record of `id`, under the call timeout.
    pub(super) async fn get_stored(
        &self,
        id: &crate::IncidentId,
    ) -> Result<Option<crate::ports::Stored<crate::Incident>>> {
        self.store_call("store.get", id.as_str(), self.store.get(id))
            .await
    }
}
