//! Retention: closed incidents older than the retention leave the file, their timeline (in
//! the body) with them.

use cato_runbook_core::ports::{Fence, closed_before_time};
use cato_runbook_core::{Incident, Result, Timestamp};
use rusqlite::params;

use super::store::check_fence;
use super::{SqliteIncidentStore, decode, sqlite_error};

impl SqliteIncidentStore {
    /// Deletes, in one `IMMEDIATE` transaction under `fence`, every closed incident closed
    /// before `closed_before`. A body that cannot be read is kept (and logged): nothing is
    /// deleted on a guess.
    pub(super) fn delete_closed_rows(&self, closed_before: Timestamp, fence: Fence) -> Result<u64> {
        const OP: &str = "store.delete_closed";
        self.write(OP, |tx| {
            if let Err(refused) = check_fence(tx, OP, fence)? {
                return Ok(Err(refused));
            }
            let mut expired = Vec::new();
            {
                let mut statement = tx
                    .prepare_cached(
                        "SELECT id, body FROM incidents
                         WHERE open = 0 AND json_extract(body, '$.status') = 'closed'",
                    )
                    .map_err(|e| sqlite_error(OP, "incidents", e))?;
                let rows = statement
                    .query_map([], |row| {
                        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                    })
                    .map_err(|e| sqlite_error(OP, "incidents", e))?;
                for row in rows {
                    let (id, body) = row.map_err(|e| sqlite_error(OP, "incidents", e))?;
                    match decode::<Incident>(OP, &id, &body) {
                        Ok(incident) if closed_before_time(&incident, closed_before) => {
                            expired.push(id);
                        }
                        Ok(_) => {}
                        Err(err) => {
                            tracing::warn!(incident = %id, error = %err, "an unreadable closed incident is kept");
                        }
                    }
                }
            }
            let mut deleted = 0u64;
            for id in &expired {
                deleted += tx
                    .execute("DELETE FROM incidents WHERE id = ?1", params![id])
                    .map_err(|e| sqlite_error(OP, id, e))? as u64;
            }
            Ok(Ok(deleted))
        })
    }
}
