//! The model endpoint fake (SageMaker).

use async_trait::async_trait;
use cato_runbook_core::ports::{EndpointConfig, EndpointDescription, ModelEndpoint};
use cato_runbook_core::time;
use cato_runbook_core::{Error, ErrorKind, IdempotencyKey, Result, Retry};
use serde_json::json;

use super::FakeModelEndpoint;
use crate::ops::Op;
use crate::world::{EndpointOp, Reply, Timer};

const PROVIDER: &str = "fake-sagemaker";

fn in_progress(op: Op, endpoint: &str, status: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Conflict,
        op.as_str(),
        format!("Cannot update in-progress endpoint (status {status})"),
    )
    .with_resource(endpoint)
    .with_retry(Retry::Transient)
}

#[async_trait]
impl ModelEndpoint for FakeModelEndpoint {
    async fn describe(&self, endpoint: &str) -> Result<EndpointDescription> {
        let op = Op::EndpointDescribe;
        self.world
            .call(
                op,
                PROVIDER,
                json!({ "endpoint": endpoint }),
                None,
                |sim, _| {
                    sim.state()
                        .endpoint(endpoint)
                        .map(|e| Reply::new(e.describe()))
                        .ok_or_else(|| Error::not_found(op.as_str(), endpoint))
                },
            )
            .await
    }

    async fn update_config(
        &self,
        endpoint: &str,
        config: &str,
        key: &IdempotencyKey,
    ) -> Result<()> {
        let op = Op::EndpointUpdateConfig;
        let args = json!({ "endpoint": endpoint, "config": config });
        self.world
            .call(op, PROVIDER, args.clone(), Some(key), |sim, now| {
                sim.idempotent(op, endpoint, key, &args, |sim| {
                    let current = sim.state();
                    let e = current
                        .endpoint(endpoint)
                        .ok_or_else(|| Error::not_found(op.as_str(), endpoint))?;
                    if !current.configs.iter().any(|c| c.name == config) {
                        return Err(Error::not_found(op.as_str(), config));
                    }
                    if e.op.is_some() {
                        return Err(in_progress(op, endpoint, e.status()));
                    }
                    let id = sim.next_id();
                    let mut state = sim.edit(now);
                    let mut done = now;
                    if let Some(e) = state.endpoint_mut(endpoint) {
                        e.op = Some(EndpointOp::Config {
                            id,
                            config: config.to_owned(),
                        });
                        e.last_modified = now;
                        done = time::add(now, e.update_duration);
                    }
                    sim.commit(now, state);
                    sim.schedule(
                        done,
                        Timer::EndpointOpDone {
                            endpoint: endpoint.to_owned(),
                            op: id,
                        },
                    );
                    Ok(())
                })
                .map(Reply::from_idempotent)
            })
            .await
    }

    async fn list_configs(&self, name_contains: &str) -> Result<Vec<EndpointConfig>> {
        let op = Op::EndpointListConfigs;
        self.world
            .call(
                op,
                PROVIDER,
                json!({ "name_contains": name_contains }),
                None,
                |sim, _| {
                    let mut configs: Vec<EndpointConfig> = sim
                        .state()
                        .configs
                        .iter()
                        .filter(|c| c.name.contains(name_contains))
                        .map(|c| EndpointConfig {
                            name: c.name.clone(),
                            created_at: c.created_at,
                        })
                        .collect();
                    configs
                        .sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.name.cmp(&b.name)));
                    Ok(Reply::new(configs))
                },
            )
            .await
    }

    async fn set_instance_count(
        &self,
        endpoint: &str,
        variant: &str,
        count: u32,
        key: &IdempotencyKey,
    ) -> Result<()> {
        let op = Op::EndpointSetInstanceCount;
        let args = json!({ "endpoint": endpoint, "variant": variant, "count": count });
        let scope = format!("{endpoint}/{variant}");
        self.world
            .call(op, PROVIDER, args.clone(), Some(key), |sim, now| {
                sim.idempotent(op, &scope, key, &args, |sim| {
                    let e = sim
                        .state()
                        .endpoint(endpoint)
                        .ok_or_else(|| Error::not_found(op.as_str(), endpoint))?;
                    if e.variant != variant {
                        return Err(Error::not_found(op.as_str(), scope.as_str()));
                    }
                    if count == 0 || count > e.max_instances {
                        return Err(Error::invalid_input(
                            op.as_str(),
                            format!(
                                "DesiredInstanceCount {count} is outside 1..={} (the account's instance limit)",
                                e.max_instances
                            ),
                        )
                        .with_resource(scope.as_str()));
                    }
                    if e.op.is_some() || e.failed.is_some() {
                        return Err(in_progress(op, endpoint, e.status()));
                    }
                    let id = sim.next_id();
                    let mut state = sim.edit(now);
                    let mut done = now;
                    if let Some(e) = state.endpoint_mut(endpoint) {
                        e.desired = count;
                        e.op = Some(EndpointOp::Capacity { id, count });
                        e.last_modified = now;
                        done = time::add(now, e.scale_duration);
                    }
                    sim.commit(now, state);
                    sim.schedule(
                        done,
                        Timer::EndpointOpDone {
                            endpoint: endpoint.to_owned(),
                            op: id,
                        },
                    );
                    Ok(())
                })
                .map(Reply::from_idempotent)
            })
            .await
    }
}
