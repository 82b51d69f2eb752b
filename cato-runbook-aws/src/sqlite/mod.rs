//! The incident store in an SQLite file: the embedded default for one host and for the command.
//!
//! Three tables: `incidents (id, open, dedup, version, body)` with the incident as JSON and a
//! unique index on the dedup key of open incidents (one open incident per key, enforced by
//! SQLite itself), `guardrails` (one row: the shared guardrail state, versioned), and `meta`
//! (the greatest fence seen). Every write is one `IMMEDIATE` transaction that checks the fence,
//! the version and the key before it writes, so two processes on one file cannot interleave a
//! read and a write. A file of the first schema (no version, no dedup column) is migrated when
//! opened. The engine's hourly retention sweep (`delete_closed`) deletes the rows of incidents
//! closed before the retention, in one such transaction (`retention.rs`).
//!
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
//! | a stale version, a taken id or dedup key | `Conflict` | permanent (re-read) |
//! | a fence older than one seen | `Fenced` | permanent |
//! | any other SQLite failure | `Internal` | permanent |

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use cato_runbook_core::{Error, ErrorKind, Result, Retry};
use rusqlite::Connection;

mod retention;
mod schema;
mod store;

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
        schema::set_up(&connection).map_err(|e| sqlite_error(setup, &shown, e))?;
        Ok(SqliteIncidentStore {
            path,
            connection: Mutex::new(connection),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn connection(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite's own transaction state intact (every
        // write is one statement): keep serving.
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn resource(&self) -> String {
        self.path.display().to_string()
    }
}

fn decode<T: serde::de::DeserializeOwned>(
    operation: &'static str,
    id: &str,
    body: &str,
) -> Result<T> {
    serde_json::from_str(body).map_err(|e| {
        Error::new(
            ErrorKind::MalformedResponse,
            operation,
            format!("the stored record is not readable: {e}"),
        )
        .with_retry(Retry::Permanent)
        .with_provider(PROVIDER)
        .with_resource(id.to_owned())
    })
}

pub(crate) fn sqlite_error(operation: &'static str, resource: &str, err: rusqlite::Error) -> Error {
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
