//! Call records and idempotency keys.

mod support;

use cato_runbook_core::ErrorKind;
use cato_runbook_core::ports::{Budget, ModelEndpoint, Quotas, Workloads};
use cato_runbook_mock::{CallOutcome, Op, OpMatch, World};
use support::{MINUTE, key, wait};

#[tokio::test(start_paused = true)]
async fn scaled_exactly_once_to_twelve() {
    let world = World::default();
    let workloads = world.workloads();
    let k = key("scale-orchestrator");
    workloads.get("cato", "cato-orchestrator").await.unwrap();
    workloads
        .scale("cato", "cato-orchestrator", 12, &k)
        .await
        .unwrap();
    wait(&world, MINUTE).await;
    workloads
        .scale("cato", "cato-orchestrator", 12, &k)
        .await
        .unwrap(); // a retry

    let calls = world.calls();
    assert_eq!(calls.count(Op::WorkloadsScale), 2);
    let applied = calls.applied(Op::WorkloadsScale);
    assert_eq!(applied.len(), 1);
    assert_eq!(applied[0].arg_u64("replicas"), Some(12));
    assert_eq!(applied[0].arg_str("namespace"), Some("cato"));
    assert_eq!(applied[0].key.as_ref(), Some(&k));
    assert_eq!(applied[0].at, world.at(std::time::Duration::ZERO));
    assert_eq!(
        calls.last(Op::WorkloadsScale).unwrap().outcome,
        CallOutcome::Deduplicated
    );
    assert_eq!(
        calls.sequence(),
        [Op::WorkloadsGet, Op::WorkloadsScale, Op::WorkloadsScale]
    );
    assert_eq!(calls.count(OpMatch::port("workloads").unwrap()), 3);
    assert_eq!(calls.count(OpMatch::Any), 3);
}

#[tokio::test(start_paused = true)]
async fn a_repeat_does_not_apply_twice() {
    let world = World::default();
    let endpoint = world.model_endpoint();
    let k = key("scale-up");
    endpoint
        .set_instance_count("cato-shadow-self", "primary", 50, &k)
        .await
        .unwrap();
    // The endpoint is Updating: a second application would be refused; the repeat is answered.
    endpoint
        .set_instance_count("cato-shadow-self", "primary", 50, &k)
        .await
        .unwrap();
    assert_eq!(world.calls().applied(Op::EndpointSetInstanceCount).len(), 1);

    // The same key with other arguments is a conflict, and is recorded as a failure.
    let err = endpoint
        .set_instance_count("cato-shadow-self", "primary", 60, &k)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(
        world
            .calls()
            .last(Op::EndpointSetInstanceCount)
            .unwrap()
            .outcome
            .is_failure()
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_attempt_can_be_retried_with_its_key() {
    let world = World::default();
    world
        .faults()
        .on(Op::BudgetSetMonthlyLimit)
        .once()
        .transient();
    let budget = world.budget();
    let k = key("raise-budget");
    assert!(budget.set_monthly_limit(1500.0, &k).await.is_err());
    budget.set_monthly_limit(1500.0, &k).await.unwrap();
    assert_eq!(budget.status().await.unwrap().monthly_limit_usd, 1500.0);
    let outcomes: Vec<_> = world
        .calls()
        .of(Op::BudgetSetMonthlyLimit)
        .into_iter()
        .map(|c| c.outcome)
        .collect();
    assert!(outcomes[0].is_failure());
    assert_eq!(outcomes[1], CallOutcome::Ok);
}

#[tokio::test(start_paused = true)]
async fn a_repeated_request_answers_the_same_request() {
    let world = World::default();
    let quotas = world.quotas();
    let k = key("bedrock-quota");
    let first = quotas
        .request_increase("bedrock", "L-XXXXXXXX", 10_000.0, &k)
        .await
        .unwrap();
    let again = quotas
        .request_increase("bedrock", "L-XXXXXXXX", 10_000.0, &k)
        .await
        .unwrap();
    assert_eq!(first, again);
    // Another key for the same value while it is pending: the open request, as the Service
    // Quotas provider answers it (the service refuses a second one).
    let same = quotas
        .request_increase("bedrock", "L-XXXXXXXX", 10_000.0, &key("other"))
        .await
        .unwrap();
    assert_eq!(same.id, first.id);
    // Another value: the service says a request is pending.
    let other = quotas
        .request_increase("bedrock", "L-XXXXXXXX", 12_000.0, &key("other"))
        .await
        .unwrap_err();
    assert_eq!(other.kind(), ErrorKind::Conflict);
}

#[tokio::test(start_paused = true)]
async fn one_key_may_act_on_several_resources() {
    // A scale-up step scales the endpoint and the orchestrator under one key.
    let world = World::default();
    let k = key("scale-up");
    world
        .model_endpoint()
        .set_instance_count("cato-shadow-self", "primary", 50, &k)
        .await
        .unwrap();
    world
        .workloads()
        .scale("cato", "cato-orchestrator", 50, &k)
        .await
        .unwrap();
    assert_eq!(world.calls().applied(OpMatch::Any).len(), 2);
}

#[tokio::test(start_paused = true)]
async fn records_are_json() {
    let world = World::default();
    world
        .workloads()
        .scale("cato", "cato-orchestrator", 12, &key("s"))
        .await
        .unwrap();
    let json = serde_json::to_value(world.calls().all()).unwrap();
    assert_eq!(json[0]["op"], "workloads.scale");
    assert_eq!(json[0]["args"]["replicas"], 12);
    assert_eq!(json[0]["outcome"]["outcome"], "ok");
    world.calls().clear();
    assert!(world.calls().all().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_key_is_remembered_for_its_window_then_a_repeat_applies_again() {
    let world = World::default();
    let workloads = world.workloads();
    let k = key("scale-orchestrator");
    let scale = || workloads.scale("cato", "cato-orchestrator", 12, &k);
    scale().await.unwrap();
    wait(&world, cato_runbook_mock::IDEMPOTENCY_WINDOW - MINUTE).await;
    scale().await.unwrap(); // within the window: answered, not applied
    wait(&world, 2 * MINUTE).await;
    scale().await.unwrap(); // past it: a new request, as a provider would take it

    let calls = world.calls();
    assert_eq!(calls.count(Op::WorkloadsScale), 3);
    assert_eq!(calls.count_applied(Op::WorkloadsScale), 2);
    assert_eq!(calls.count_deduplicated(Op::WorkloadsScale), 1);
}
