//! Shadow Self Endpoint Down: the restart and the rollback, each `update-endpoint` sent twice.

use cato_runbook_core::Result;
use cato_runbook_core::ports::EndpointStatus;
use cato_runbook_mock::config::CrashCause;
use cato_runbook_mock::{Op, WorldChange, WorldConfig};

use super::{Rung, Twins, alike, applied, apply_twice, minutes, record, repeated};

const ID: &str = "shadow-self-down";
const ENDPOINT: &str = "cato-shadow-self";

/// Twins whose endpoint lost every instance to a crash loop two minutes ago: both steps apply
/// (0 instances; a config to roll back to and an endpoint that is itself failing).
async fn crashed() -> Result<Twins> {
    let twins = Twins::new(WorldConfig::default())?;
    twins.apply(WorldChange::EndpointLosesInstances {
        endpoint: ENDPOINT.into(),
        cause: CrashCause::CrashLoop,
    })?;
    twins.wait(minutes(2)).await;
    Ok(twins)
}

#[tokio::test(start_paused = true)]
async fn restart_endpoint_applied_twice_restarts_once() {
    let twins = crashed().await.unwrap();
    let rung = Rung::new(ID, ENDPOINT, "restart-endpoint").diagnosed_by(&["endpoint-status"]);
    let (twice, once) = twins.plan(&rung).await.unwrap();
    assert!(!twice.plan.reversible);

    // The repeat comes while the endpoint is still Updating (an update takes 8 minutes).
    let line = apply_twice(&twice, &once, minutes(2)).await.unwrap();
    assert!(
        line.contains("--endpoint-config-name cato-shadow-self-config:"),
        "{line}"
    );
    let world = alike(&twice, &once, minutes(10)).await;
    let endpoint = &world.endpoints[0];
    assert_eq!(endpoint.status, EndpointStatus::InService);
    assert_eq!(endpoint.config, "cato-shadow-self-config");
    assert_eq!(endpoint.current_instances, 10, "a new fleet, once");

    let key = twice.key();
    assert_eq!(
        record(&twice, Op::EndpointUpdateConfig),
        [applied(&key), repeated(&key)]
    );
    assert_eq!(record(&once, Op::EndpointUpdateConfig), [applied(&key)]);
}

#[tokio::test(start_paused = true)]
async fn rollback_endpoint_config_applied_twice_rolls_back_once() {
    let twins = crashed().await.unwrap();
    let rung =
        Rung::new(ID, ENDPOINT, "rollback-endpoint-config").diagnosed_by(&["endpoint-status"]);
    let (twice, once) = twins.plan(&rung).await.unwrap();
    assert!(!twice.plan.reversible);
    let target = twice.plan.changes[0].after.clone();
    assert_eq!(target, "cato-shadow-self-config-v1");

    apply_twice(&twice, &once, minutes(2)).await.unwrap();
    let world = alike(&twice, &once, minutes(10)).await;
    let endpoint = &world.endpoints[0];
    assert_eq!(endpoint.status, EndpointStatus::InService);
    assert_eq!(endpoint.config, target, "rolled back one config, not two");
    assert!(endpoint.current_instances > 0);

    let key = twice.key();
    assert_eq!(
        record(&twice, Op::EndpointUpdateConfig),
        [applied(&key), repeated(&key)]
    );
    assert_eq!(record(&once, Op::EndpointUpdateConfig), [applied(&key)]);
    let configs: Vec<_> = twice
        .world
        .calls()
        .of(Op::EndpointUpdateConfig)
        .iter()
        .map(|c| c.arg_str("config").map(str::to_owned))
        .collect();
    assert_eq!(configs, [Some(target.clone()), Some(target)]);
}
