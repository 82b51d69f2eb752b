//! What the engine relies on from an [`IncidentStore`]: create-if-absent, compare-and-swap,
//! fencing, and the shared guardrail state — also under writers racing each other.

use cato_runbook_core::incident::NewIncident;
use cato_runbook_core::ports::{Created, Fence, Guardrails, Halt, IncidentStore};
use cato_runbook_core::{Actor, ErrorKind, Impact, Incident, IncidentId, Status, Timestamp};

use super::{CheckResult, During, Failure, ensure, refused};

mod writes;

pub use writes::{fencing, guardrails_cas, racing_writers};

/// Where the checks write.
#[derive(Debug, Clone)]
pub struct StoreFixture {
    /// Prefix of the incident ids the checks use (no other incident has it).
    pub id_prefix: String,
    /// The time the incidents open at.
    pub at: Timestamp,
    /// A fence at least as great as any the store has seen: the checks write with it, and
    /// the fencing check leaves the store at `fence + 10`.
    pub fence: Fence,
}

impl StoreFixture {
    fn fence(&self, plus: u64) -> Fence {
        Fence(self.fence.0 + plus)
    }
}

/// An open incident `n` on resource `resource`.
fn incident(fixture: &StoreFixture, n: u32, resource: &str) -> Incident {
    incident_at(fixture, n, resource, fixture.at)
}

/// An incident `n` on resource `resource`, opened at `at`.
fn incident_at(fixture: &StoreFixture, n: u32, resource: &str, at: Timestamp) -> Incident {
    Incident::open(
        NewIncident {
            id: IncidentId::new(format!("{}-{n:04}", fixture.id_prefix)),
            runbook: "conformance".into(),
            resource: format!("{}-{resource}", fixture.id_prefix),
            title: "conformance check".into(),
            impact: Impact::outage(),
            severity: None,
        },
        at,
        Actor::Engine,
    )
}

fn mine<'a>(fixture: &StoreFixture, all: impl IntoIterator<Item = &'a Incident>) -> Vec<String> {
    all.into_iter()
        .filter(|i| i.id().as_str().starts_with(&fixture.id_prefix))
        .map(|i| i.id().to_string())
        .collect()
}

/// A created incident comes back equal at version 1; an update naming its version makes it 2;
/// an update naming a stale version is a conflict and changes nothing; an update of an
/// incident never created is not found.
pub async fn create_get_update(port: &dyn IncidentStore, fixture: &StoreFixture) -> CheckResult {
    const CHECK: &str = "store.create_get_update";
    let fence = fixture.fence(0);
    let mut first = incident(fixture, 1, "cas");
    let created = port.create(&first, fence).await.during(CHECK)?;
    ensure(created == Created::Created, CHECK, || {
        format!("create: {created:?}")
    })?;
    let back = port.get(first.id()).await.during(CHECK)?;
    ensure(
        back.as_ref()
            .is_some_and(|s| s.version == 1 && s.value == first),
        CHECK,
        || format!("created {first:?}, got {back:?}"),
    )?;
    first.note(fixture.at, Actor::person("conformance"), "a change");
    let version = port.update(&first, 1, fence).await.during(CHECK)?;
    ensure(version == 2, CHECK, || {
        format!("update gave version {version}")
    })?;
    let mut stale = first.clone();
    stale.note(fixture.at, Actor::person("conformance"), "a stale change");
    refused(
        port.update(&stale, 1, fence).await,
        CHECK,
        &[ErrorKind::Conflict],
    )?;
    let back = port.get(first.id()).await.during(CHECK)?;
    ensure(
        back.as_ref()
            .is_some_and(|s| s.version == 2 && s.value == first),
        CHECK,
        || format!("after a stale update: {back:?}"),
    )?;
    let never = incident(fixture, 9999, "never");
    refused(
        port.update(&never, 1, fence).await,
        CHECK,
        &[ErrorKind::NotFound],
    )?;
    let missing = port.get(never.id()).await.during(CHECK)?;
    ensure(missing.is_none(), CHECK, || {
        "an incident never created was found".into()
    })
}

/// One open incident per dedup key: a second create on the key hands back the first and
/// writes nothing; once the first resolves, the key is free again; an id is never reused.
pub async fn one_open_per_key(port: &dyn IncidentStore, fixture: &StoreFixture) -> CheckResult {
    const CHECK: &str = "store.one_open_per_key";
    let fence = fixture.fence(0);
    let mut first = incident(fixture, 10, "dedup");
    port.create(&first, fence).await.during(CHECK)?;
    let second = incident(fixture, 11, "dedup");
    let created = port.create(&second, fence).await.during(CHECK)?;
    ensure(
        matches!(&created, Created::Exists(s) if s.value.id() == first.id() && s.version == 1),
        CHECK,
        || format!("a second create on the key: {created:?}"),
    )?;
    ensure(
        port.get(second.id()).await.during(CHECK)?.is_none(),
        CHECK,
        || "the second incident was written".into(),
    )?;
    first
        .transition(Status::Resolved, fixture.at, Actor::Engine)
        .map_err(|e| Failure::port(CHECK, e))?;
    port.update(&first, 1, fence).await.during(CHECK)?;
    let created = port.create(&second, fence).await.during(CHECK)?;
    ensure(created == Created::Created, CHECK, || {
        format!("create after the first resolved: {created:?}")
    })?;
    let taken = incident(fixture, 10, "another-resource");
    refused(
        port.create(&taken, fence).await,
        CHECK,
        &[ErrorKind::Conflict],
    )
}

/// `open` lists the open incidents only and `all` every one, oldest id first, with versions.
pub async fn open_and_all(port: &dyn IncidentStore, fixture: &StoreFixture) -> CheckResult {
    const CHECK: &str = "store.open_and_all";
    let fence = fixture.fence(0);
    let open_one = incident(fixture, 21, "listed-open");
    let mut closed = incident(fixture, 20, "listed-closed");
    port.create(&open_one, fence).await.during(CHECK)?;
    port.create(&closed, fence).await.during(CHECK)?;
    closed
        .transition(Status::Resolved, fixture.at, Actor::Engine)
        .map_err(|e| Failure::port(CHECK, e))?;
    port.update(&closed, 1, fence).await.during(CHECK)?;
    let open = port.open().await.during(CHECK)?;
    let listed = mine(fixture, open.iter().map(|s| &s.value));
    let mut sorted = listed.clone();
    sorted.sort();
    ensure(listed == sorted, CHECK, || {
        format!("open not in id order: {listed:?}")
    })?;
    ensure(
        listed.contains(&open_one.id().to_string()) && !listed.contains(&closed.id().to_string()),
        CHECK,
        || format!("open lists {listed:?}"),
    )?;
    ensure(
        open.iter()
            .filter(|s| s.value.id() == open_one.id())
            .all(|s| s.version == 1),
        CHECK,
        || "open does not carry the version".into(),
    )?;
    let versions = port.open_versions().await.during(CHECK)?;
    let expected: Vec<_> = open
        .iter()
        .map(|s| (s.value.id().clone(), s.version))
        .collect();
    ensure(versions == expected, CHECK, || {
        format!("open_versions {versions:?}, open {expected:?}")
    })?;
    let all = port.all().await.during(CHECK)?;
    let listed = mine(fixture, all.iter());
    let mut sorted = listed.clone();
    sorted.sort();
    ensure(listed == sorted, CHECK, || {
        format!("all not in id order: {listed:?}")
    })?;
    ensure(
        listed.contains(&open_one.id().to_string()) && listed.contains(&closed.id().to_string()),
        CHECK,
        || format!("all lists {listed:?}"),
    )
}

/// `awaiting_postmortem` lists the resolved incidents, with their versions, and neither the
/// open nor the closed ones.
pub async fn awaiting_postmortem(port: &dyn IncidentStore, fixture: &StoreFixture) -> CheckResult {
    const CHECK: &str = "store.awaiting_postmortem";
    let fence = fixture.fence(0);
    let open = incident(fixture, 51, "pm-open");
    let mut resolved = incident(fixture, 50, "pm-resolved");
    let mut closed = incident(fixture, 52, "pm-closed");
    for i in [&open, &resolved, &closed] {
        port.create(i, fence).await.during(CHECK)?;
    }
    for i in [&mut resolved, &mut closed] {
        i.transition(Status::Resolved, fixture.at, Actor::Engine)
            .map_err(|e| Failure::port(CHECK, e))?;
        port.update(i, 1, fence).await.during(CHECK)?;
    }
    closed
        .transition(Status::Closed, fixture.at, Actor::Engine)
        .map_err(|e| Failure::port(CHECK, e))?;
    port.update(&closed, 2, fence).await.during(CHECK)?;
    let awaiting = port.awaiting_postmortem().await.during(CHECK)?;
    let listed: Vec<(String, u64)> = awaiting
        .iter()
        .filter(|s| s.value.id().as_str().starts_with(&fixture.id_prefix))
        .filter(|s| s.value.resource().contains("pm-"))
        .map(|s| (s.value.id().to_string(), s.version))
        .collect();
    ensure(listed == [(resolved.id().to_string(), 2)], CHECK, || {
        format!(
            "awaiting_postmortem lists {listed:?}, not only {} at version 2",
            resolved.id()
        )
    })
}

/// `delete_closed` deletes the incidents closed before the time it is given, and only those:
/// an open, a resolved and a recently closed incident as old stay; a deleted one is gone from
/// `get` and `all`.
pub async fn retention(port: &dyn IncidentStore, fixture: &StoreFixture) -> CheckResult {
    const CHECK: &str = "store.retention";
    let fence = fixture.fence(0);
    let days = |n: u64| std::time::Duration::from_secs(n * 24 * 3600);
    let long_ago = cato_runbook_core::time::sub(fixture.at, days(20));
    let old_close = cato_runbook_core::time::sub(fixture.at, days(10));
    let recent_close = cato_runbook_core::time::sub(fixture.at, days(1));
    let open = incident_at(fixture, 60, "ret-open", long_ago);
    let mut resolved = incident_at(fixture, 61, "ret-resolved", long_ago);
    let mut expired = incident_at(fixture, 62, "ret-expired", long_ago);
    let mut recent = incident_at(fixture, 63, "ret-recent", long_ago);
    for i in [&open, &resolved, &expired, &recent] {
        port.create(i, fence).await.during(CHECK)?;
    }
    for (i, closed) in [
        (&mut resolved, None),
        (&mut expired, Some(old_close)),
        (&mut recent, Some(recent_close)),
    ] {
        i.transition(Status::Resolved, long_ago, Actor::Engine)
            .map_err(|e| Failure::port(CHECK, e))?;
        let mut version = port.update(i, 1, fence).await.during(CHECK)?;
        if let Some(at) = closed {
            i.transition(Status::Closed, at, Actor::person("conformance"))
                .map_err(|e| Failure::port(CHECK, e))?;
            version = port.update(i, version, fence).await.during(CHECK)?;
        }
        ensure(version >= 2, CHECK, || format!("{} at {version}", i.id()))?;
    }
    let before = cato_runbook_core::time::sub(fixture.at, days(5));
    let deleted = port.delete_closed(before, fence).await.during(CHECK)?;
    ensure(deleted >= 1, CHECK, || {
        format!("delete_closed deleted {deleted}, not {}", expired.id())
    })?;
    let gone = port.get(expired.id()).await.during(CHECK)?;
    ensure(gone.is_none(), CHECK, || {
        format!(
            "{} closed before the retention is still there",
            expired.id()
        )
    })?;
    let all = port.all().await.during(CHECK)?;
    let kept: Vec<String> = mine(fixture, &all)
        .into_iter()
        .filter(|id| {
            [&open, &resolved, &expired, &recent]
                .iter()
                .any(|i| i.id().as_str() == id)
        })
        .collect();
    let expected: Vec<String> = [&open, &resolved, &recent]
        .iter()
        .map(|i| i.id().to_string())
        .collect();
    ensure(kept == expected, CHECK, || {
        format!("after delete_closed the store keeps {kept:?}, not {expected:?}")
    })
}

/// Every check (fencing last: it raises the store's fence).
pub async fn run_all(port: &dyn IncidentStore, fixture: &StoreFixture) -> CheckResult {
    create_get_update(port, fixture).await?;
    one_open_per_key(port, fixture).await?;
    open_and_all(port, fixture).await?;
    awaiting_postmortem(port, fixture).await?;
    retention(port, fixture).await?;
    guardrails_cas(port, fixture).await?;
    racing_writers(port, fixture).await?;
    fencing(port, fixture).await
}
