//! Shadow Self Endpoint Down: SEV1; restart on 0 instances, then roll back, then people.

mod catalog_entry;
mod detect_and_diagnose;
mod guardrails;
mod ladder;

use std::time::Duration;

use cato_runbook_core::Result;
use cato_runbook_core::catalog::Providers;
use cato_runbook_core::catalog::shadow_self_down::{self, Config};
use cato_runbook_core::engine::{Mode, Policy};
use cato_runbook_core::runbook::{Risk, Runbook};
use cato_runbook_mock::config::CrashCause;
use cato_runbook_mock::{Op, World, WorldChange};

const ID: &str = "shadow-self-down";
const ENDPOINT: &str = "cato-shadow-self";

fn runbook(config: Config) -> impl FnOnce(&Providers) -> Result<Vec<Runbook>> {
    move |p| Ok(vec![shadow_self_down::runbook(p, &config)?])
}

fn lose_instances(world: &World, at: Duration, cause: CrashCause) {
    world
        .schedule_in(
            at,
            WorldChange::EndpointLosesInstances {
                endpoint: ENDPOINT.into(),
                cause,
            },
        )
        .unwrap();
}

fn break_config(world: &World, config: &str, cause: CrashCause) {
    world
        .apply(WorldChange::ConfigBroken {
            config: config.into(),
            cause: Some(cause),
        })
        .unwrap();
}

fn updates(world: &World) -> Vec<String> {
    world
        .calls()
        .applied(Op::EndpointUpdateConfig)
        .iter()
        .map(|c| c.arg_str("config").unwrap().to_owned())
        .collect()
}

fn approvals(policy_mode: Mode) -> Policy {
    let mut policy = Policy::with_mode(policy_mode);
    policy.approval.risk_at_least = Some(Risk::High);
    policy
}
