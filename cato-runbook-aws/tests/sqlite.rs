//! The SQLite incident store: the shared conformance suite of the store port, a file reopened,
//! two handles on one file, a corrupt row, and a writer killed with SIGKILL mid-loop.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use cato_runbook_aws::sqlite::SqliteIncidentStore;
use cato_runbook_core::incident::NewIncident;
use cato_runbook_core::ports::IncidentStore;
use cato_runbook_core::{Actor, ErrorKind, Impact, Incident, IncidentId, Status};
use cato_runbook_mock::VirtualClock;
use cato_runbook_mock::conformance::{self, store::StoreFixture};

fn incident(n: u32) -> Incident {
    Incident::open(
        NewIncident {
            id: IncidentId::new(format!("INC-{n:06}")),
            runbook: "shadow-self-down".into(),
            resource: "cato-shadow-self".into(),
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
    writer.save(&incident(1)).await.unwrap();
    writer.save(&resolved).await.unwrap();
    resolved
        .transition(
            Status::Resolved,
            VirtualClock::default_start(),
            Actor::Engine,
        )
        .unwrap();
    writer.save(&resolved).await.unwrap();
    let open: Vec<_> = reader.open().await.unwrap();
    assert_eq!(
        open,
        [incident(1)],
        "the other handle reads the writer's saves"
    );
    drop((writer, reader));

    let again = SqliteIncidentStore::open(&path).unwrap();
    assert_eq!(again.all().await.unwrap(), [incident(1), resolved.clone()]);
    assert_eq!(
        again.get(resolved.id()).await.unwrap().unwrap().status(),
        Status::Resolved
    );
}

#[tokio::test]
async fn a_corrupt_row_is_a_typed_error_naming_it_and_the_others_stay_readable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("incidents.db");
    let store = SqliteIncidentStore::open(&path).unwrap();
    store.save(&incident(1)).await.unwrap();
    let raw = rusqlite_connection(&path);
    raw.execute(
        "INSERT INTO incidents (id, open, body) VALUES ('INC-bad', 1, '{\"not\": \"an incident\"}')",
        [],
    )
    .unwrap();
    let err = store.get(&IncidentId::new("INC-bad")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MalformedResponse);
    assert_eq!(err.resource(), Some("INC-bad"));
    let open_err = store.open().await.unwrap_err();
    assert_eq!(open_err.kind(), ErrorKind::MalformedResponse);
    assert_eq!(
        store.get(incident(1).id()).await.unwrap(),
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
            assert_eq!(back.unwrap(), Some(incident(*n)), "acknowledged save {n}");
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
        runtime.block_on(store.save(&incident(n))).unwrap();
        writeln!(out, "saved {n}").unwrap();
        out.flush().unwrap();
    }
}
