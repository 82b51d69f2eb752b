//! The store port on the file: each write one `IMMEDIATE` transaction that checks the fence,
//! then the version or the key, then writes.

use async_trait::async_trait;
use cato_runbook_core::ports::{Created, Fence, Guardrails, IncidentStore, Stored, fenced, stale};
use cato_runbook_core::{Error, ErrorKind, Incident, IncidentId, Result, Timestamp};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::{PROVIDER, SqliteIncidentStore, decode, sqlite_error};

fn encode<T: serde::Serialize>(operation: &'static str, what: &str, value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            operation,
            format!("the record cannot be written: {e}"),
        )
        .with_provider(PROVIDER)
        .with_resource(what.to_owned())
    })
}

fn conflict(operation: &'static str, id: &str, message: String) -> Error {
    Error::new(ErrorKind::Conflict, operation, message)
        .with_provider(PROVIDER)
        .with_resource(id.to_owned())
}

/// Refuses `fence` if older than the greatest seen; else makes it the greatest.
pub(super) fn check_fence(
    tx: &Transaction<'_>,
    operation: &'static str,
    fence: Fence,
) -> Result<Result<()>> {
    let seen: Option<i64> = tx
        .query_row("SELECT value FROM meta WHERE key = 'fence'", [], |row| {
            row.get(0)
        })
        .optional()
        .map_err(|e| sqlite_error(operation, "meta", e))?;
    let seen = Fence(seen.map_or(0, |v| v.max(0) as u64));
    if fence < seen {
        return Ok(Err(fenced(operation, fence, seen).with_provider(PROVIDER)));
    }
    let value = i64::try_from(fence.0)
        .map_err(|_| Error::invalid_input(operation, format!("{fence} does not fit the file")))?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('fence', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![value],
    )
    .map_err(|e| sqlite_error(operation, "meta", e))?;
    Ok(Ok(()))
}

impl SqliteIncidentStore {
    /// Runs `work` in one `IMMEDIATE` transaction, committed when it answers `Ok(Ok(_))`.
    pub(super) fn write<T>(
        &self,
        operation: &'static str,
        work: impl FnOnce(&Transaction<'_>) -> Result<Result<T>>,
    ) -> Result<T> {
        let resource = self.resource();
        let mut connection = self.connection();
        let tx = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sqlite_error(operation, &resource, e))?;
        match work(&tx)? {
            Ok(value) => {
                tx.commit()
                    .map_err(|e| sqlite_error(operation, &resource, e))?;
                Ok(value)
            }
            // Dropping the transaction rolls it back.
            Err(refused) => Err(refused),
        }
    }

    fn read_all(&self, operation: &'static str, sql: &str) -> Result<Vec<Stored<Incident>>> {
        let resource = self.resource();
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(sql)
            .map_err(|e| sqlite_error(operation, &resource, e))?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })
            .map_err(|e| sqlite_error(operation, &resource, e))?;
        let mut incidents = Vec::new();
        for row in rows {
            let (id, version, body) = row.map_err(|e| sqlite_error(operation, &resource, e))?;
            incidents.push(Stored {
                value: decode(operation, &id, &body)?,
                version: version.max(0) as u64,
            });
        }
        Ok(incidents)
    }
}

fn open_holder(
    tx: &Transaction<'_>,
    operation: &'static str,
    incident: &Incident,
) -> Result<Option<(String, i64, String)>> {
    tx.query_row(
        "SELECT id, version, body FROM incidents WHERE open = 1 AND dedup = ?1 AND id != ?2",
        params![incident.dedup_key().to_string(), incident.id().as_str()],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )
    .optional()
    .map_err(|e| sqlite_error(operation, incident.id().as_str(), e))
}

#[async_trait]
impl IncidentStore for SqliteIncidentStore {
    async fn create(&self, incident: &Incident, fence: Fence) -> Result<Created> {
        const OP: &str = "store.create";
        let id = incident.id().as_str();
        let body = encode(OP, id, incident)?;
        self.write(OP, |tx| {
            let taken = tx
                .query_row("SELECT 1 FROM incidents WHERE id = ?1", params![id], |_| {
                    Ok(())
                })
                .optional()
                .map_err(|e| sqlite_error(OP, id, e))?
                .is_some();
            if taken {
                return Ok(Err(conflict(OP, id, "the id is taken".into())));
            }
            if incident.is_open()
                && let Some((holder, version, body)) = open_holder(tx, OP, incident)?
            {
                return Ok(Ok(Created::Exists(Box::new(Stored {
                    value: decode(OP, &holder, &body)?,
                    version: version.max(0) as u64,
                }))));
            }
            if let Err(refused) = check_fence(tx, OP, fence)? {
                return Ok(Err(refused));
            }
            tx.execute(
                "INSERT INTO incidents (id, open, dedup, version, body) VALUES (?1, ?2, ?3, 1, ?4)",
                params![
                    id,
                    incident.is_open(),
                    incident.dedup_key().to_string(),
                    body
                ],
            )
            .map_err(|e| sqlite_error(OP, id, e))?;
            Ok(Ok(Created::Created))
        })
    }

    async fn update(&self, incident: &Incident, version: u64, fence: Fence) -> Result<u64> {
        const OP: &str = "store.update";
        let id = incident.id().as_str();
        let body = encode(OP, id, incident)?;
        self.write(OP, |tx| {
            if let Err(refused) = check_fence(tx, OP, fence)? {
                return Ok(Err(refused));
            }
            let stored: Option<i64> = tx
                .query_row(
                    "SELECT version FROM incidents WHERE id = ?1",
                    params![id],
                    |row| row.get(0),
                )
                .optional()
                .map_err(|e| sqlite_error(OP, id, e))?;
            let Some(stored) = stored else {
                return Ok(Err(Error::not_found(OP, id).with_provider(PROVIDER)));
            };
            let stored = stored.max(0) as u64;
            if stored != version {
                return Ok(Err(stale(OP, id, version, stored).with_provider(PROVIDER)));
            }
            if incident.is_open()
                && let Some((holder, _, _)) = open_holder(tx, OP, incident)?
            {
                let message = format!("{holder} is open on the same dedup key");
                return Ok(Err(conflict(OP, id, message)));
            }
            let next = version + 1;
            let next_value = i64::try_from(next)
                .map_err(|_| Error::invalid_input(OP, "the version does not fit the file"))?;
            tx.execute(
                "UPDATE incidents SET open = ?2, dedup = ?3, version = ?4, body = ?5 WHERE id = ?1",
                params![
                    id,
                    incident.is_open(),
                    incident.dedup_key().to_string(),
                    next_value,
                    body
                ],
            )
            .map_err(|e| sqlite_error(OP, id, e))?;
            Ok(Ok(next))
        })
    }

    async fn get(&self, id: &IncidentId) -> Result<Option<Stored<Incident>>> {
        const OP: &str = "store.get";
        let resource = self.resource();
        let row: Option<(i64, String)> = self
            .connection()
            .prepare_cached("SELECT version, body FROM incidents WHERE id = ?1")
            .and_then(|mut statement| {
                statement
                    .query_row(params![id.as_str()], |row| Ok((row.get(0)?, row.get(1)?)))
                    .optional()
            })
            .map_err(|e| sqlite_error(OP, &resource, e))?;
        row.map(|(version, body)| {
            Ok(Stored {
                value: decode(OP, id.as_str(), &body)?,
                version: version.max(0) as u64,
            })
        })
        .transpose()
    }

    async fn open(&self) -> Result<Vec<Stored<Incident>>> {
        self.read_all(
            "store.open",
            "SELECT id, version, body FROM incidents WHERE open = 1 ORDER BY id",
        )
    }

    async fn all(&self) -> Result<Vec<Incident>> {
        let all = self.read_all(
            "store.all",
            "SELECT id, version, body FROM incidents ORDER BY id",
        )?;
        Ok(all.into_iter().map(|stored| stored.value).collect())
    }

    async fn awaiting_postmortem(&self) -> Result<Vec<Stored<Incident>>> {
        // Once per leader's term: the rows no longer open, their status read in place.
        self.read_all(
            "store.awaiting_postmortem",
            "SELECT id, version, body FROM incidents
             WHERE open = 0 AND json_extract(body, '$.status') = 'resolved' ORDER BY id",
        )
    }

    async fn open_versions(&self) -> Result<Vec<(IncidentId, u64)>> {
        const OP: &str = "store.open_versions";
        let resource = self.resource();
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached("SELECT id, version FROM incidents WHERE open = 1 ORDER BY id")
            .map_err(|e| sqlite_error(OP, &resource, e))?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })
            .map_err(|e| sqlite_error(OP, &resource, e))?;
        let mut open = Vec::new();
        for row in rows {
            let (id, version) = row.map_err(|e| sqlite_error(OP, &resource, e))?;
            open.push((IncidentId::new(id), version.max(0) as u64));
        }
        Ok(open)
    }

    async fn delete_closed(&self, closed_before: Timestamp, fence: Fence) -> Result<u64> {
        self.delete_closed_rows(closed_before, fence)
    }

    async fn guardrails(&self) -> Result<Stored<Guardrails>> {
        const OP: &str = "store.guardrails";
        let resource = self.resource();
        let row: Option<(i64, String)> = self
            .connection()
            .query_row(
                "SELECT version, body FROM guardrails WHERE id = 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(|e| sqlite_error(OP, &resource, e))?;
        match row {
            None => Ok(Stored {
                value: Guardrails::default(),
                version: 0,
            }),
            Some((version, body)) => Ok(Stored {
                value: decode(OP, "guardrails", &body)?,
                version: version.max(0) as u64,
            }),
        }
    }

    async fn save_guardrails(
        &self,
        guardrails: &Guardrails,
        version: u64,
        fence: Fence,
    ) -> Result<u64> {
        const OP: &str = "store.save_guardrails";
        let body = encode(OP, "guardrails", guardrails)?;
        self.write(OP, |tx| {
            if let Err(refused) = check_fence(tx, OP, fence)? {
                return Ok(Err(refused));
            }
            let stored: Option<i64> = tx
                .query_row("SELECT version FROM guardrails WHERE id = 1", [], |row| {
                    row.get(0)
                })
                .optional()
                .map_err(|e| sqlite_error(OP, "guardrails", e))?;
            let stored = stored.map_or(0, |v| v.max(0) as u64);
            if stored != version {
                return Ok(Err(
                    stale(OP, "guardrails", version, stored).with_provider(PROVIDER)
                ));
            }
            let next = version + 1;
            let next_value = i64::try_from(next)
                .map_err(|_| Error::invalid_input(OP, "the version does not fit the file"))?;
            tx.execute(
                "INSERT INTO guardrails (id, version, body) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET version = excluded.version, body = excluded.body",
                params![next_value, body],
            )
            .map_err(|e| sqlite_error(OP, "guardrails", e))?;
            Ok(Ok(next))
        })
    }
}
