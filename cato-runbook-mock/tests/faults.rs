//! Fault injection: each kind, sequences, windows, hangs under paused time, wrappers.

mod support;

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::ports::{
    Budget, Clock, InMemoryIncidentStore, IncidentStore, Metrics, ModelEndpoint, Quotas,
    SystemClock, Workloads,
};
use cato_runbook_core::{ErrorKind, Retry};
use cato_runbook_mock::fault::Layer;
use cato_runbook_mock::{
    CallOutcome, Fault, FaultInjecting, FaultInjectingLayer, FaultRule, Faults, Op, OpMatch, World,
};
use support::{MINUTE, key};

#[tokio::test(start_paused = true)]
async fn each_error_kind_maps_to_its_class() {
    let world = World::default();
    let workloads = world.workloads();
    world.faults().sequence(
        Op::WorkloadsGet,
        [
            Fault::transient(),
            Fault::throttled(),
            Fault::permanent(ErrorKind::PermissionDenied),
            Fault::error(ErrorKind::Conflict, Retry::Transient),
        ],
    );
    let mut seen = Vec::new();
    for _ in 0..4 {
        let err = workloads
            .get("cato", "cato-orchestrator")
            .await
            .unwrap_err();
        assert_eq!(err.provider(), Some("fake-kubernetes"));
        assert_eq!(err.operation(), "workloads.get");
        seen.push((err.kind(), err.retry()));
    }
    assert_eq!(
        seen,
        [
            (ErrorKind::Unavailable, Retry::Transient),
            (ErrorKind::Throttled, Retry::Throttled),
            (ErrorKind::PermissionDenied, Retry::Permanent),
            (ErrorKind::Conflict, Retry::Transient),
        ]
    );
    workloads.get("cato", "cato-orchestrator").await.unwrap();
    let failed = world.calls().failed(Op::WorkloadsGet);
    assert_eq!(failed.len(), 4);
    assert!(matches!(
        &failed[1].outcome,
        CallOutcome::Failed {
            kind: ErrorKind::Throttled,
            ..
        }
    ));
}

#[tokio::test(start_paused = true)]
async fn fail_twice_then_succeed_and_the_change_applies_once() {
    let world = World::default();
    world.faults().on(Op::WorkloadsScale).times(2).transient();
    let workloads = world.workloads();
    let k = key("scale");
    let mut tries = 0;
    let result = loop {
        tries += 1;
        match workloads.scale("cato", "cato-orchestrator", 12, &k).await {
            Err(err) if err.is_retryable() && tries < 5 => continue,
            other => break other,
        }
    };
    result.unwrap();
    assert_eq!(tries, 3);
    assert_eq!(world.calls().applied(Op::WorkloadsScale).len(), 1);
    assert_eq!(world.faults().injected().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_lost_answer_takes_effect_and_fails_the_caller() {
    let world = World::default();
    world.faults().on(Op::WorkloadsScale).once().lost();
    let workloads = world.workloads();
    let k = key("scale");
    let err = workloads
        .scale("cato", "cato-orchestrator", 12, &k)
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Unavailable, Retry::Transient)
    );
    assert_eq!(err.provider(), Some("fake-kubernetes"));
    assert!(err.to_string().contains("injected lost answer"), "{err}");
    // The service applied it: the record says so, and a read shows it.
    assert_eq!(world.calls().applied(Op::WorkloadsScale).len(), 1);
    assert!(world.calls().failed(Op::WorkloadsScale).is_empty());
    let now = workloads.get("cato", "cato-orchestrator").await.unwrap();
    assert_eq!(now.desired_replicas, 12);
    // A rejected call comes through as the rejection: it took no effect.
    world.faults().on(Op::WorkloadsScale).once().lost();
    let rejected = workloads
        .scale("cato", "no-such-workload", 3, &key("other"))
        .await
        .unwrap_err();
    assert_eq!(rejected.kind(), ErrorKind::NotFound);
    assert_eq!(
        world.faults().injected(),
        vec![(Op::WorkloadsScale, Fault::lost()); 2]
    );
}

#[tokio::test(start_paused = true)]
async fn after_a_lost_answer_a_key_only_the_client_keeps_is_a_new_call() {
    let world = World::default();
    let endpoint = world.model_endpoint();
    let k = key("restart-endpoint");
    world.faults().on(Op::EndpointUpdateConfig).once().lost();
    let restart = || endpoint.update_config("cato-shadow-self", "cato-shadow-self-config", &k);
    assert_eq!(restart().await.unwrap_err().retry(), Retry::Transient);
    // SageMaker takes no token: the repeat is refused while the first update runs…
    let busy = restart().await.unwrap_err();
    assert_eq!(busy.kind(), ErrorKind::Conflict);
    assert!(busy.to_string().contains("in-progress"), "{busy}");
    // …and applied again once it is done.
    world.clock().sleep(30 * MINUTE).await;
    restart().await.unwrap();
    assert_eq!(world.calls().applied(Op::EndpointUpdateConfig).len(), 2);

    // The admin API keeps its Idempotency-Key: the repeat is answered, not applied.
    world.faults().on(Op::BudgetSetMonthlyLimit).once().lost();
    let budget = world.budget();
    assert!(
        budget
            .set_monthly_limit(900.0, &key("raise"))
            .await
            .is_err()
    );
    budget
        .set_monthly_limit(900.0, &key("raise"))
        .await
        .unwrap();
    assert_eq!(world.calls().applied(Op::BudgetSetMonthlyLimit).len(), 1);
    let outcomes: Vec<CallOutcome> = world
        .calls()
        .of(Op::BudgetSetMonthlyLimit)
        .into_iter()
        .map(|c| c.outcome)
        .collect();
    assert_eq!(outcomes, [CallOutcome::Ok, CallOutcome::Deduplicated]);
}

#[tokio::test(start_paused = true)]
async fn a_quota_request_asked_again_while_open_is_answered_with_the_open_one() {
    let world = World::default();
    let quotas = world.quotas();
    world.faults().on(Op::QuotasRequestIncrease).once().lost();
    let k = key("quota");
    let ask = || quotas.request_increase("bedrock", "L-XXXXXXXX", 10_000.0, &k);
    assert!(ask().await.is_err());
    let open = ask().await.unwrap();
    assert_eq!(world.calls().applied(Op::QuotasRequestIncrease).len(), 1);
    // Another value while one is open is refused, as Service Quotas does.
    let other = quotas
        .request_increase("bedrock", "L-XXXXXXXX", 20_000.0, &key("other"))
        .await
        .unwrap_err();
    assert_eq!(other.kind(), ErrorKind::Conflict);
    assert_eq!(
        quotas.request_status(&open.id).await.unwrap().desired,
        10_000.0
    );
}

#[tokio::test(start_paused = true)]
async fn the_wrapper_loses_answers_after_the_inner_call() {
    let world = World::default();
    let faults = Faults::new(world.clock_handle());
    let workloads = FaultInjecting::new(world.workloads(), faults.clone());
    faults.on(Op::WorkloadsScale).once().lost();
    let err = workloads
        .scale("cato", "cato-orchestrator", 9, &key("scale"))
        .await
        .unwrap_err();
    assert_eq!(err.retry(), Retry::Transient);
    let inner = world.workloads().to_string();
    assert_eq!(
        err.provider(),
        Some(inner.as_str()),
        "named as the wrapper names it"
    );
    // The wrapped provider made the call and answered it.
    assert_eq!(world.calls().applied(Op::WorkloadsScale).len(), 1);
    let now = workloads.get("cato", "cato-orchestrator").await.unwrap();
    assert_eq!(now.desired_replicas, 9);
}

#[tokio::test(start_paused = true)]
async fn latency_is_virtual_time() {
    let world = World::default();
    world
        .faults()
        .on(Op::EndpointDescribe)
        .latency(Duration::from_secs(20));
    let before = world.now();
    world
        .model_endpoint()
        .describe("cato-shadow-self")
        .await
        .unwrap();
    assert_eq!(world.now() - before, chrono::TimeDelta::seconds(20));
    // The call is recorded when it was made.
    assert_eq!(world.calls().last(Op::EndpointDescribe).unwrap().at, before);
}

#[tokio::test(start_paused = true)]
#[allow(clippy::disallowed_methods)] // a test drives tokio's time itself
async fn a_hang_ends_only_with_the_callers_timeout() {
    let world = World::default();
    world.faults().on(Op::MetricsQuery).hang();
    let metrics = world.metrics();
    let start = world.now();
    let hung = tokio::time::timeout(
        Duration::from_secs(30),
        metrics.query(
            &[],
            world.at(Duration::ZERO) - chrono::TimeDelta::minutes(5),
            world.now(),
        ),
    )
    .await;
    assert!(hung.is_err(), "the call answered");
    assert_eq!(world.now() - start, chrono::TimeDelta::seconds(30));
    assert_eq!(
        world.calls().last(Op::MetricsQuery).unwrap().outcome,
        CallOutcome::Pending
    );
}

#[tokio::test(start_paused = true)]
async fn windows_follow_the_clock() {
    let world = World::default();
    world
        .faults()
        .on(OpMatch::port("endpoint").unwrap())
        .between(world.at(5 * MINUTE), world.at(10 * MINUTE))
        .throttled();
    let endpoint = world.model_endpoint();
    endpoint.describe("cato-shadow-self").await.unwrap();
    world.clock().sleep_until(world.at(5 * MINUTE)).await;
    assert_eq!(
        endpoint
            .describe("cato-shadow-self")
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Throttled
    );
    world.clock().sleep_until(world.at(10 * MINUTE)).await;
    endpoint.describe("cato-shadow-self").await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn skip_lets_calls_through_first() {
    let world = World::default();
    world
        .faults()
        .on(Op::WorkloadsGet)
        .skip(2)
        .once()
        .permanent(ErrorKind::PermissionDenied);
    let w = world.workloads();
    assert!(w.get("cato", "cato-orchestrator").await.is_ok());
    assert!(w.get("cato", "cato-orchestrator").await.is_ok());
    assert!(w.get("cato", "cato-orchestrator").await.is_err());
    assert!(w.get("cato", "cato-orchestrator").await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn rules_come_from_data() {
    let world = World::default();
    let rules: Vec<FaultRule> = toml::from_str::<toml::Table>(
        r#"
        [[rule]]
        op = "workloads.*"
        times = 1
        fault = { kind = "throttled" }

        [[rule]]
        op = "workloads.scale"
        fault = { kind = "permanent", error = "permission_denied", message = "RBAC says no" }

        [[rule]]
        op = "workloads.roll_back"
        fault = { kind = "lost", message = "connection reset after the 200" }
        "#,
    )
    .unwrap()["rule"]
        .clone()
        .try_into()
        .unwrap();
    for rule in rules {
        world.faults().add(rule);
    }
    let w = world.workloads();
    assert_eq!(
        w.get("cato", "cato-orchestrator").await.unwrap_err().kind(),
        ErrorKind::Throttled
    );
    let err = w
        .scale("cato", "cato-orchestrator", 3, &key("s"))
        .await
        .unwrap_err();
    assert_eq!(err.message(), "RBAC says no");
    assert_eq!(
        world.faults().rules()[2].fault,
        Fault::Lost {
            message: Some("connection reset after the 200".to_owned())
        }
    );
    assert!(w.get("cato", "cato-orchestrator").await.is_ok());
    world.faults().clear();
    assert!(
        w.scale("cato", "cato-orchestrator", 3, &key("s"))
            .await
            .is_ok()
    );
}

#[tokio::test(start_paused = true)]
async fn the_wrapper_works_over_any_provider() {
    let clock: Arc<dyn Clock> = Arc::new(World::default().clock());
    let faults = Faults::new(clock);
    let layer = FaultInjectingLayer::new(faults.clone());
    let store = layer.layer(InMemoryIncidentStore::new());
    faults.on(Op::IncidentStoreOpen).once().transient();
    let err = store.open().await.unwrap_err();
    assert_eq!(err.provider(), Some("in-memory incident store"));
    assert!(store.open().await.unwrap().is_empty());
    assert_eq!(
        store.to_string(),
        "in-memory incident store with injected faults"
    );

    // Wrappers stack, and take trait objects.
    let world = World::default();
    let inner: Arc<dyn ModelEndpoint> = Arc::new(world.model_endpoint());
    let outer = FaultInjecting::new(
        FaultInjecting::new(inner, faults.clone()),
        world.faults().clone(),
    );
    world.faults().on(Op::EndpointDescribe).once().throttled();
    assert_eq!(
        outer.describe("cato-shadow-self").await.unwrap_err().kind(),
        ErrorKind::Throttled
    );
    assert!(outer.describe("cato-shadow-self").await.is_ok());
}

#[tokio::test]
async fn the_wrapper_runs_on_real_time_too() {
    let faults = Faults::new(Arc::new(SystemClock));
    let store = FaultInjecting::new(InMemoryIncidentStore::new(), faults.clone());
    faults
        .on(OpMatch::Any)
        .once()
        .latency(Duration::from_millis(1));
    assert!(store.all().await.unwrap().is_empty());
    assert_eq!(faults.injected().len(), 1);
}
