//! The file's tables, and the migration of a file of the first schema.

use rusqlite::{Connection, OptionalExtension};

/// The schema this code writes (`PRAGMA user_version`).
const VERSION: i64 = 2;

/// Creates the tables, or brings an older file up to date, in one transaction.
pub(super) fn set_up(connection: &Connection) -> rusqlite::Result<()> {
    let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version >= VERSION {
        return Ok(());
    }
    connection.execute_batch("BEGIN IMMEDIATE")?;
    let done = migrate(connection);
    match done {
        Ok(()) => connection.execute_batch("COMMIT"),
        Err(err) => {
            let _ = connection.execute_batch("ROLLBACK");
            Err(err)
        }
    }
}

fn migrate(connection: &Connection) -> rusqlite::Result<()> {
    let first_schema = connection
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'incidents'",
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if first_schema {
        let has_version = connection
            .prepare("SELECT version FROM incidents LIMIT 0")
            .is_ok();
        if !has_version {
            connection.execute_batch(
                "ALTER TABLE incidents ADD COLUMN dedup TEXT;
                 ALTER TABLE incidents ADD COLUMN version INTEGER NOT NULL DEFAULT 1;",
            )?;
            // The dedup key is `runbook/resource`, as the body says.
            connection.execute_batch(
                "UPDATE incidents SET dedup = json_extract(body, '$.dedup_key')
                 WHERE dedup IS NULL;",
            )?;
        }
    }
    connection.execute_batch(
        "CREATE TABLE IF NOT EXISTS incidents (
             id      TEXT PRIMARY KEY NOT NULL,
             open    INTEGER NOT NULL,
             dedup   TEXT,
             version INTEGER NOT NULL DEFAULT 1,
             body    TEXT NOT NULL
         );
         CREATE INDEX IF NOT EXISTS incidents_open ON incidents (open, id);
         CREATE UNIQUE INDEX IF NOT EXISTS incidents_open_dedup
             ON incidents (dedup) WHERE open = 1;
         CREATE TABLE IF NOT EXISTS guardrails (
             id      INTEGER PRIMARY KEY CHECK (id = 1),
             version INTEGER NOT NULL,
             body    TEXT NOT NULL
         );
         CREATE TABLE IF NOT EXISTS meta (
             key   TEXT PRIMARY KEY NOT NULL,
             value INTEGER NOT NULL
         );",
    )?;
    connection.pragma_update(None, "user_version", VERSION)
}
