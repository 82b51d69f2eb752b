//! The model endpoint: scaling lowers p99, lost instances answer 5XX until a restart.

use std::time::Duration;

use cato_runbook_core::ports::{Logs, ModelEndpoint, Statistic};
use cato_runbook_mock::{World, WorldChange};

use crate::support::{MINUTE, key, over_last, p99_seconds, query, wait};

#[tokio::test(start_paused = true)]
async fn scaling_the_endpoint_lowers_p99() {
    let world = World::default();
    let healthy = p99_seconds(&world, 10).await;
    assert!(healthy < 2.0, "healthy p99 {healthy}");

    // A traffic surge: the endpoint runs hot and p99 passes the runbook's 2 seconds.
    world
        .apply(WorldChange::RequestRate {
            requests_per_minute: 3000.0,
        })
        .unwrap();
    wait(&world, 5 * MINUTE).await;
    let hot = p99_seconds(&world, 5).await;
    assert!(hot > 2.0, "surge p99 {hot}");

    // The runbook's scale-up. Nothing changes until the new instances serve.
    world
        .model_endpoint()
        .set_instance_count("cato-shadow-self", "primary", 30, &key("scale-up"))
        .await
        .unwrap();
    wait(&world, 3 * MINUTE).await;
    assert!(p99_seconds(&world, 2).await > 2.0);
    wait(&world, 10 * MINUTE).await;
    let scaled = p99_seconds(&world, 5).await;
    assert!(scaled < 1.2, "scaled p99 {scaled}");
    assert!(scaled < hot / 2.0);
}

#[tokio::test(start_paused = true)]
async fn lost_instances_answer_5xx_until_restarted() {
    let world = World::default();
    world
        .apply(WorldChange::EndpointLosesInstances {
            endpoint: "cato-shadow-self".into(),
            cause: cato_runbook_mock::config::CrashCause::Oom,
        })
        .unwrap();
    wait(&world, 5 * MINUTE).await;
    let dims = [("EndpointName", "cato-shadow-self")];
    let errors = over_last(
        &world,
        5,
        query(
            "e",
            "AWS/SageMaker",
            "Invocation5XXErrors",
            &dims,
            Statistic::Sum,
        ),
    )
    .await
    .unwrap();
    let calls = over_last(
        &world,
        5,
        query("i", "AWS/SageMaker", "Invocations", &dims, Statistic::Sum),
    )
    .await
    .unwrap();
    assert!(calls > 0.0 && errors == calls, "{errors} of {calls}");
    let latency = over_last(
        &world,
        5,
        query(
            "l",
            "AWS/SageMaker",
            "ModelLatency",
            &dims,
            Statistic::Average,
        ),
    )
    .await;
    assert_eq!(latency, None, "no instance, no model latency");

    let oom = world
        .logs()
        .filter(
            "/aws/sagemaker/Endpoints/cato-shadow-self",
            "\"out of memory\"",
            world.at(Duration::ZERO),
            100,
        )
        .await
        .unwrap();
    assert!(!oom.is_empty());

    world
        .model_endpoint()
        .update_config(
            "cato-shadow-self",
            "cato-shadow-self-config",
            &key("restart"),
        )
        .await
        .unwrap();
    wait(&world, 15 * MINUTE).await;
    let errors = over_last(
        &world,
        5,
        query(
            "e",
            "AWS/SageMaker",
            "Invocation5XXErrors",
            &dims,
            Statistic::Sum,
        ),
    )
    .await
    .unwrap();
    assert_eq!(errors, 0.0);
    assert!(p99_seconds(&world, 5).await < 2.0);
}
