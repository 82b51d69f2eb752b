//! The incident store in an SQLite file: the embedded default for one host and for the command.
//!
//! One table, `incidents (id TEXT PRIMARY KEY, open INTEGER, body TEXT)`, the incident as JSON.
//! The file is in WAL mode with `synchronous = FULL`, so a save that returned is on disk: a
//! process killed at any moment, or a machine that loses power, loses no acknowledged save, and
//! readers never wait for the writer. Another process (the command, a second engine on the same
//! host) may open the same file; a write that finds it locked waits up to the busy timeout.
//!
//! Calls run on the caller's thread: a local write is one fsync, about a millisecond.
//!
//! | what happened | [`ErrorKind`] | retry |
//! | --- | --- | --- |
//! | the file is locked past the busy timeout | `Unavailable` | transient |
//! | the file cannot be opened or created | `PermissionDenied` | permanent |
//! | a stored body that is not an incident | `MalformedResponse` | permanent |
//! | any other SQLite failure | `Internal` | permanent |

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::ports::IncidentStore;
use cato_runbook_core::{Error, ErrorKind, Incident, IncidentId, Result, Retry};
use rusqlite::{Connection, OptionalExtension, params};

const PROVIDER: &str = "sqlite";

/// Incidents in an SQLite file.
///
/// ```
/// use cato_runbook_aws::sqlite::SqliteIncidentStore;
///
/// let dir = std::env::temp_dir().join(format!("cato-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let store = SqliteIncidentStore::open(dir.join("incidents.db"))?;
/// assert!(store.to_string().starts_with("sqlite incident store ("));
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), cato_runbook_core::Error>(())
/// ```
pub struct SqliteIncidentStore {
    path: PathBuf,
    connection: Mutex<Connection>,
}

impl SqliteIncidentStore {
    /// Opens (or creates) the store at `path`, waiting up to 5 s for a lock another process
    /// holds.
    ///
    /// # Errors
    ///
    /// `PermissionDenied` when the file cannot be opened or created; `Internal` when the
    /// schema cannot be set up.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path, Duration::from_secs(5))
    }

    /// As [`open`](Self::open), waiting up to `busy_timeout` for a lock.
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open).
    pub fn open_with(path: impl AsRef<Path>, busy_timeout: Duration) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let shown = path.display().to_string();
        let connection = Connection::open(&path).map_err(|e| {
            Error::new(
                ErrorKind::PermissionDenied,
                "store.open_file",
                "the file cannot be opened or created",
            )
            .with_provider(PROVIDER)
            .with_resource(shown.clone())
            .with_source(e)
        })?;
        let setup = "store.setup";
        connection
            .busy_timeout(busy_timeout)
            .map_err(|e| sqlite_error(setup, &shown, e))?;
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| sqlite_error(setup, &shown, e))?;
        connection
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|e| sqlite_error(setup, &shown, e))?;
        connection
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS incidents (
                     id   TEXT PRIMARY KEY NOT NULL,
                     open INTEGER NOT NULL,
                     body TEXT NOT NULL
                 );
                 CREATE INDEX IF NOT EXISTS incidents_open ON incidents (open, id);",
            )
            .map_err(|e| sqlite_error(setup, &shown, e))?;
        Ok(SqliteIncidentStore {
            path,
            connection: Mutex::new(connection),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn connection(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite's own transaction state intact (every
        // write is one statement): keep serving.
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn resource(&self) -> String {
        self.path.display().to_string()
    }

    fn read_all(&self, operation: &'static str, sql: &str) -> Result<Vec<Incident>> {
        let resource = self.resource();
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(sql)
            .map_err(|e| sqlite_error(operation, &resource, e))?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(|e| sqlite_error(operation, &resource, e))?;
        let mut incidents = Vec::new();
        for row in rows {
            let (id, body) = row.map_err(|e| sqlite_error(operation, &resource, e))?;
            incidents.push(decode(operation, &id, &body)?);
        }
        Ok(incidents)
    }
}

fn decode(operation: &'static str, id: &str, body: &str) -> Result<Incident> {
    serde_json::from_str(body).map_err(|e| {
        Error::new(
            ErrorKind::MalformedResponse,
            operation,
            format!("the stored incident is not readable: {e}"),
        )
        .with_retry(Retry::Permanent)
        .with_provider(PROVIDER)
        .with_resource(id.to_owned())
    })
}

fn sqlite_error(operation: &'static str, resource: &str, err: rusqlite::Error) -> Error {
    let busy = matches!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    );
    let (kind, message) = if busy {
        (
            ErrorKind::Unavailable,
            "the file is locked by another writer",
        )
    } else {
        (ErrorKind::Internal, "SQLite failed")
    };
    Error::new(kind, operation, message)
        .with_provider(PROVIDER)
        .with_resource(resource.to_owned())
        .with_source(err)
}

impl fmt::Debug for SqliteIncidentStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteIncidentStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for SqliteIncidentStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sqlite incident store ({})", self.path.display())
    }
}

#[async_trait]
impl IncidentStore for SqliteIncidentStore {
    async fn save(&self, incident: &Incident) -> Result<()> {
        const OP: &str = "store.save";
        let body = serde_json::to_string(incident).map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                OP,
                format!("the incident cannot be written: {e}"),
            )
            .with_provider(PROVIDER)
            .with_resource(incident.id().to_string())
        })?;
        let resource = self.resource();
        self.connection()
            .prepare_cached(
                "INSERT INTO incidents (id, open, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET open = excluded.open, body = excluded.body",
            )
            .and_then(|mut statement| {
                statement.execute(params![incident.id().as_str(), incident.is_open(), body])
            })
            .map_err(|e| sqlite_error(OP, &resource, e))?;
        Ok(())
    }

    async fn get(&self, id: &IncidentId) -> Result<Option<Incident>> {
        const OP: &str = "store.get";
        let resource = self.resource();
        let body: Option<String> = self
            .connection()
            .prepare_cached("SELECT body FROM incidents WHERE id = ?1")
            .and_then(|mut statement| {
                statement
                    .query_row(params![id.as_str()], |row| row.get(0))
                    .optional()
            })
            .map_err(|e| sqlite_error(OP, &resource, e))?;
        body.map(|body| decode(OP, id.as_str(), &body)).transpose()
    }

    async fn open(&self) -> Result<Vec<Incident>> {
        self.read_all(
            "store.open",
            "SELECT id, body FROM incidents WHERE open = 1 ORDER BY id",
        )
    }

    async fn all(&self) -> Result<Vec<Incident>> {
        self.read_all("store.all", "SELECT id, body FROM incidents ORDER BY id")
    }
}
