//! What the engine relies on from an [`IncidentStore`].

use cato_runbook_core::incident::NewIncident;
use cato_runbook_core::ports::IncidentStore;
use cato_runbook_core::{Actor, Impact, Incident, IncidentId, Status, Timestamp};

use super::{CheckResult, During, Failure, ensure, run_checks};

/// Where the checks write.
#[derive(Debug, Clone)]
pub struct StoreFixture {
    /// Prefix of the incident ids the checks use (no other incident has it).
    pub id_prefix: String,
    /// The time the incidents open at.
    pub at: Timestamp,
}

fn incident(fixture: &StoreFixture, n: u32) -> Incident {
    Incident::open(
        NewIncident {
            id: IncidentId::new(format!("{}-{n}", fixture.id_prefix)),
            runbook: "conformance".into(),
            resource: format!("resource-{n}"),
            title: "conformance check".into(),
            impact: Impact::outage(),
            severity: None,
        },
        fixture.at,
        Actor::Engine,
    )
}

fn mine<'a>(fixture: &StoreFixture, all: &'a [Incident]) -> Vec<&'a Incident> {
    all.iter()
        .filter(|i| i.id().as_str().starts_with(&fixture.id_prefix))
        .collect()
}

/// An incident saved comes back equal; saving it again replaces it; `open` leaves out resolved
/// ones; `all` keeps them, oldest id first.
pub async fn save_get_open_all(port: &dyn IncidentStore, fixture: &StoreFixture) -> CheckResult {
    const CHECK: &str = "store.save_get_open_all";
    let first = incident(fixture, 1);
    port.save(&first).await.during(CHECK)?;
    let back = port.get(first.id()).await.during(CHECK)?;
    ensure(back.as_ref() == Some(&first), CHECK, || {
        format!("saved {first:?}, got {back:?}")
    })?;
    let mut second = incident(fixture, 2);
    port.save(&second).await.during(CHECK)?;
    second
        .transition(Status::Resolved, fixture.at, Actor::Engine)
        .map_err(|e| Failure::port(CHECK, e))?;
    port.save(&second).await.during(CHECK)?;
    let back = port.get(second.id()).await.during(CHECK)?;
    ensure(
        back.as_ref().map(Incident::status) == Some(Status::Resolved),
        CHECK,
        || "save did not replace".into(),
    )?;
    let open = port.open().await.during(CHECK)?;
    let open_ids: Vec<&str> = mine(fixture, &open)
        .iter()
        .map(|i| i.id().as_str())
        .collect();
    ensure(open_ids == [first.id().as_str()], CHECK, || {
        format!("open {open_ids:?}")
    })?;
    let all = port.all().await.during(CHECK)?;
    let all_ids: Vec<&str> = mine(fixture, &all)
        .iter()
        .map(|i| i.id().as_str())
        .collect();
    ensure(
        all_ids == [first.id().as_str(), second.id().as_str()],
        CHECK,
        || format!("all {all_ids:?}"),
    )?;
    let missing = port
        .get(&IncidentId::new(format!("{}-none", fixture.id_prefix)))
        .await
        .during(CHECK)?;
    ensure(missing.is_none(), CHECK, || {
        "an incident never saved was found".into()
    })
}

/// Every check.
pub async fn run_all(port: &dyn IncidentStore, fixture: &StoreFixture) -> CheckResult {
    run_checks!(port, fixture; save_get_open_all)
}
