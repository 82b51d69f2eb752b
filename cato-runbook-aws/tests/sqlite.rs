//! The SQLite incident store: the shared conformance suite of the store port, a file reopened,
//! two handles on one file racing compare-and-swap, a file of the first schema migrated, a
//! corrupt row, and a writer killed with SIGKILL mid-loop.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use cato_runbook_aws::sqlite::SqliteIncidentStore;
use cato_runbook_core::incident::NewIncident;
use cato_runbook_core::ports::{Created, Fence, IncidentStore, Stored};
use cato_runbook_core::{Actor, ErrorKind, Impact, Incident, IncidentId, Status};
use cato_runbook_mock::VirtualClock;
use cato_runbook_mock::conformance::{self, store::StoreFixture};

fn incident(n: u32) -> Incident {
    Incident::open(
        NewIncident {
            id: IncidentId::new(format!("INC-{n:06}")),
            runbook: "shadow-self-down".into(),
            resource: format!("cato-shadow-self-{n}"),
            title: "Shadow Self endpoint down".into(),
            impact: Impact::outage(),
            severity: None,
        },
        VirtualClock::default_start(),
        Actor::Engine,
    )
}

#[tokio::test]
async fn conforms() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteIncidentStore::open(dir.path().join("incidents.db")).unwrap();
    let fixture = StoreFixture {
        id_prefix: "conformance".into(),
        at: VirtualClock::default_start(),
        fence: Fence(0),
    };
    conformance::store::run_all(&store, &fixture).await.unwrap();
}

#[tokio::test]
async fn a_reopened_file_has_every_incident_and_two_handles_share_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("incidents.db");
    let writer = SqliteIncidentStore::open(&path).unwrap();
    let reader = SqliteIncidentStore::open(&path).unwrap();
    let mut resolved = incident(2);
    writer.create(&incident(1), Fence(0)).await.unwrap();
    writer.create(&resolved, Fence(0)).await.unwrap();
    resolved
        .transition(
            Status::Resolved,
            VirtualClock::default_start(),
            Actor::Engine,
        )
        .unwrap();
    writer.update(&resolved, 1, Fence(0)).await.unwrap();
    let open: Vec<_> = reader.open().await.unwrap();
    assert_eq!(
        open,
        [Stored {
            value: incident(1),
            version: 1
        }],
        "the other handle reads the writer's saves"
    );
    // The two handles race one version: one wins, the other conflicts.
    let mut a = incident(1);
    a.note(VirtualClock::default_start(), Actor::person("a"), "a");
    let mut b = incident(1);
    b.note(VirtualClock::default_start(), Actor::person("b"), "b");
    assert_eq!(writer.update(&a, 1, Fence(0)).await.unwrap(), 2);
    let lost = reader.update(&b, 1, Fence(0)).await.unwrap_err();
    assert_eq!(lost.kind(), ErrorKind::Conflict, "{lost}");
    // A fence one handle raised holds for the other.
    writer.update(&a, 2, Fence(7)).await.unwrap();
    let fenced = reader.update(&a, 3, Fence(6)).await.unwrap_err();
    assert_eq!(fenced.kind(), ErrorKind::Fenced, "{fenced}");
    drop((writer, reader));

    let again = SqliteIncidentStore::open(&path).unwrap();
    assert_eq!(again.all().await.unwrap(), [a.clone(), resolved.clone()]);
    let back = again.get(resolved.id()).await.unwrap().unwrap();
    assert_eq!((back.value.status(), back.version), (Status::Resolved, 2));
    let refenced = again.update(&a, 3, Fence(6)).await.unwrap_err();
    assert_eq!(
        refenced.kind(),
        ErrorKind::Fenced,
        "the fence outlives the process"
    );
}

#[tokio::test]
async fn a_file_of_the_first_schema_is_migrated_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("incidents.db");
    let raw = rusqlite_connection(&path);
    raw.execute_batch(
        "CREATE TABLE incidents (id TEXT PRIMARY KEY NOT NULL, open INTEGER NOT NULL, body TEXT NOT NULL);
         CREATE INDEX incidents_open ON incidents (open, id);",
    )
    .unwrap();
    let body = serde_json::to_string(&incident(1)).unwrap();
    raw.execute(
        "INSERT INTO incidents (id, open, body) VALUES ('INC-000001', 1, ?1)",
        [&body],
    )
    .unwrap();
    drop(raw);
    let store = SqliteIncidentStore::open(&path).unwrap();
    let back = store.get(incident(1).id()).await.unwrap().unwrap();
    assert_eq!((back.value, back.version), (incident(1), 1));
    let mut same_key = incident(2);
    same_key = Incident::open(
        NewIncident {
            id: same_key.id().clone(),
            runbook: "shadow-self-down".into(),
            resource: "cato-shadow-self-1".into(),
            title: "Shadow Self endpoint down".into(),
            impact: Impact::outage(),
            severity: None,
        },
        VirtualClock::default_start(),
        Actor::Engine,
    );
    let created = store.create(&same_key, Fence(0)).await.unwrap();
    assert!(
        matches!(created, Created::Exists(ref s) if s.value.id() == incident(1).id()),
        "the migrated row holds its dedup key: {created:?}"
    );
}

#[tokio::test]
async fn a_corrupt_row_is_a_typed_error_naming_it_and_the_others_stay_readable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("incidents.db");
    let store = SqliteIncidentStore::open(&path).unwrap();
    store.create(&incident(1), Fence(0)).await.unwrap();
    let raw = rusqlite_connection(&path);
    raw.execute(
        "INSERT INTO incidents (id, open, dedup, version, body) VALUES ('INC-bad', 1, 'x', 1, '{\"not\": \"an incident\"}')",
        [],
    )
    .unwrap();
    let err = store.get(&IncidentId::new("INC-bad")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MalformedResponse);
    assert_eq!(err.resource(), Some("INC-bad"));
    let open_err = store.open().await.unwrap_err();
    assert_eq!(open_err.kind(), ErrorKind::MalformedResponse);
    assert_eq!(
        store.get(incident(1).id()).await.unwrap().map(|s| s.value),
        Some(incident(1))
    );
}

#[tokio::test]
async fn a_file_that_cannot_be_created_is_permission_denied() {
    let dir = tempfile::tempdir().unwrap();
    let err =
        SqliteIncidentStore::open(dir.path().join("no-such-dir").join("incidents.db")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
}

fn rusqlite_connection(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

/// Set in the child this test starts: the file it writes to.
const WRITER: &str = "CATO_SQLITE_KILLED_WRITER";

/// A child process saves incidents in a loop and prints the id of each save that returned;
/// the parent kills it with SIGKILL after 200 acknowledged saves, reopens the file, and finds
/// every acknowledged incident whole.
#[test]
fn a_writer_killed_at_any_moment_loses_no_acknowledged_save() {
    if let Ok(path) = std::env::var(WRITER) {
        write_forever(&path);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("incidents.db");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_writer_killed_at_any_moment_loses_no_acknowledged_save",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(WRITER, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut acknowledged = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(n) = line.strip_prefix("saved ") {
            acknowledged.push(n.parse::<u32>().unwrap());
            if acknowledged.len() == 200 {
                child.kill().unwrap(); // SIGKILL on Unix: no destructor, no flush runs.
                break;
            }
        }
    }
    child.wait().unwrap();
    assert_eq!(acknowledged.len(), 200, "the writer acknowledged 200 saves");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let store = SqliteIncidentStore::open(&path).unwrap();
    runtime.block_on(async {
        for n in &acknowledged {
            let back = store.get(&IncidentId::new(format!("INC-{n:06}"))).await;
            let back = back.unwrap().map(|s| s.value);
            assert_eq!(back, Some(incident(*n)), "acknowledged save {n}");
        }
        let all = store.all().await.unwrap();
        assert!(all.len() >= acknowledged.len(), "{} rows", all.len());
    });
}

fn write_forever(path: &str) -> ! {
    use std::io::Write;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let store = SqliteIncidentStore::open(path).unwrap();
    let mut out = std::io::stdout();
    let mut n = 0u32;
    loop {
        n += 1;
        runtime
            .block_on(store.create(&incident(n), Fence(0)))
            .unwrap();
        writeln!(out, "saved {n}").unwrap();
        out.flush().unwrap();
    }
}
