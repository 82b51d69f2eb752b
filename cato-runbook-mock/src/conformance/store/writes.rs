//! The store's writes: the guardrail state's compare-and-swap, writers racing, fencing.

use super::*;

/// The guardrail state is empty at version 0 before its first write, then versioned like an
/// incident: a stale write is a conflict.
pub async fn guardrails_cas(port: &dyn IncidentStore, fixture: &StoreFixture) -> CheckResult {
    const CHECK: &str = "store.guardrails_cas";
    let fence = fixture.fence(0);
    let read = port.guardrails().await.during(CHECK)?;
    let mut next = read.value.clone();
    next.halted = Some(Halt {
        by: "conformance".into(),
        at: fixture.at,
    });
    let version = port
        .save_guardrails(&next, read.version, fence)
        .await
        .during(CHECK)?;
    ensure(version == read.version + 1, CHECK, || {
        format!("saved at {} gave {version}", read.version)
    })?;
    let stale = Guardrails::default();
    refused(
        port.save_guardrails(&stale, read.version, fence).await,
        CHECK,
        &[ErrorKind::Conflict],
    )?;
    let back = port.guardrails().await.during(CHECK)?;
    ensure(back.value == next && back.version == version, CHECK, || {
        format!("after a stale write: {back:?}")
    })?;
    // Leave the switch as it was.
    port.save_guardrails(&read.value, version, fence)
        .await
        .during(CHECK)?;
    Ok(())
}

/// Writers that all read one version and all write: exactly one wins, the others conflict.
/// Then writers that re-read and re-apply on a conflict: no change is lost.
pub async fn racing_writers(port: &dyn IncidentStore, fixture: &StoreFixture) -> CheckResult {
    const CHECK: &str = "store.racing_writers";
    const WRITERS: usize = 8;
    let fence = fixture.fence(0);
    let base = incident(fixture, 30, "race");
    port.create(&base, fence).await.during(CHECK)?;
    let writes = (0..WRITERS).map(|n| {
        let mut mine = base.clone();
        mine.note(fixture.at, Actor::person(format!("writer-{n}")), "first");
        async move { port.update(&mine, 1, fence).await }
    });
    let results = futures::future::join_all(writes).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    let lost = results
        .iter()
        .filter(|r| r.as_ref().is_err_and(|e| e.kind() == ErrorKind::Conflict))
        .count();
    ensure(won == 1 && lost == WRITERS - 1, CHECK, || {
        format!("{WRITERS} writers on one version: {won} won, {lost} conflicted, {results:?}")
    })?;
    let base = &base;
    let retrying = (0..WRITERS).map(|n| async move {
        for _ in 0..(4 * WRITERS) {
            let stored = port
                .get(base.id())
                .await?
                .ok_or_else(|| cato_runbook_core::Error::not_found(CHECK, base.id().as_str()))?;
            let mut next = stored.value;
            next.note(fixture.at, Actor::person(format!("writer-{n}")), "second");
            match port.update(&next, stored.version, fence).await {
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == ErrorKind::Conflict => continue,
                Err(e) => return Err(e),
            }
        }
        Err(cato_runbook_core::Error::new(
            ErrorKind::Conflict,
            CHECK,
            "kept losing",
        ))
    });
    for result in futures::future::join_all(retrying).await {
        result.during(CHECK)?;
    }
    let last = port.get(base.id()).await.during(CHECK)?;
    let seconds = last.as_ref().map_or(0, |s| {
        s.value
            .timeline()
            .entries()
            .iter()
            .filter(|e| e.detail == "second")
            .count()
    });
    ensure(seconds == WRITERS, CHECK, || {
        format!("{seconds} of {WRITERS} re-applied changes kept: {last:?}")
    })
}

/// A write whose fence is older than one the store has seen is refused, whatever it writes;
/// the same fence or a greater one is not. Leaves the store at `fence + 10`.
pub async fn fencing(port: &dyn IncidentStore, fixture: &StoreFixture) -> CheckResult {
    const CHECK: &str = "store.fencing";
    let (old, new) = (fixture.fence(5), fixture.fence(10));
    let mut first = incident(fixture, 40, "fence");
    port.create(&first, old).await.during(CHECK)?;
    first.note(fixture.at, Actor::Engine, "the new leader");
    let version = port.update(&first, 1, new).await.during(CHECK)?;
    first.note(fixture.at, Actor::Engine, "the deposed leader");
    refused(
        port.update(&first, version, old).await,
        CHECK,
        &[ErrorKind::Fenced],
    )?;
    let other = incident(fixture, 41, "fence-other");
    refused(port.create(&other, old).await, CHECK, &[ErrorKind::Fenced])?;
    let guardrails = port.guardrails().await.during(CHECK)?;
    refused(
        port.save_guardrails(&guardrails.value, guardrails.version, old)
            .await,
        CHECK,
        &[ErrorKind::Fenced],
    )?;
    refused(
        port.delete_closed(fixture.at, old).await,
        CHECK,
        &[ErrorKind::Fenced],
    )?;
    let version = port.update(&first, version, new).await.during(CHECK)?;
    ensure(version == 3, CHECK, || {
        format!("the same fence again gave version {version}")
    })
}
