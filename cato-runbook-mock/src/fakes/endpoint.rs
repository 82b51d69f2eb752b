//! The model endpoint fake (SageMaker).

use async_trait::async_trait;
use cato_runbook_core::ports::{
    ConfigVariant, EndpointConfig, EndpointConfigDescription, EndpointDescription, ModelEndpoint,
};
use cato_runbook_core::time;
use cato_runbook_core::{Error, ErrorKind, IdempotencyKey, Result, Retry};
use serde_json::{Value, json};

use super::FakeModelEndpoint;
use crate::ops::Op;
use crate::world::{EndpointOp, Reply, Timer};

const PROVIDER: &str = "fake-sagemaker";

impl FakeModelEndpoint {
    fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// A call's arguments, with the region of another region's fake.
    fn args(&self, mut args: Value) -> Value {
        if let (Some(region), Some(map)) = (&self.region, args.as_object_mut()) {
            map.insert("region".into(), Value::from(region.clone()));
        }
        args
    }

    /// The scope of an idempotency key: `what`, in the fake's region.
    fn scope(&self, what: &str) -> String {
        match &self.region {
            Some(region) => format!("{region}/{what}"),
            None => what.to_owned(),
        }
    }
}

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
        let args = self.args(json!({ "endpoint": endpoint }));
        self.world
            .call(op, PROVIDER, args, None, |sim, _| {
                sim.state()
                    .endpoint_in(self.region(), endpoint)
                    .map(|e| Reply::new(e.describe()))
                    .ok_or_else(|| Error::not_found(op.as_str(), endpoint))
            })
            .await
    }

    async fn update_config(
        &self,
        endpoint: &str,
        config: &str,
        key: &IdempotencyKey,
    ) -> Result<()> {
        let op = Op::EndpointUpdateConfig;
        let args = self.args(json!({ "endpoint": endpoint, "config": config }));
        let region = self.region();
        let scope = self.scope(endpoint);
        self.world
            .call(op, PROVIDER, args.clone(), Some(key), |sim, now| {
                sim.idempotent(op, &scope, key, &args, |sim| {
                    let current = sim.state();
                    let e = current
                        .endpoint_in(region, endpoint)
                        .ok_or_else(|| Error::not_found(op.as_str(), endpoint))?;
                    if current.config_in(region, config).is_none() {
                        return Err(Error::not_found(op.as_str(), config));
                    }
                    if e.op.is_some() {
                        return Err(in_progress(op, endpoint, e.status()));
                    }
                    let id = sim.next_id();
                    let mut state = sim.edit(now);
                    let mut done = now;
                    if let Some(e) = state.endpoint_in_mut(region, endpoint) {
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
                            region: region.map(str::to_owned),
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
        let args = self.args(json!({ "name_contains": name_contains }));
        let region = self.region();
        self.world
            .call(op, PROVIDER, args, None, |sim, _| {
                let mut configs: Vec<EndpointConfig> = sim
                    .state()
                    .configs
                    .iter()
                    .filter(|c| c.region.as_deref() == region && c.name.contains(name_contains))
                    .map(|c| EndpointConfig {
                        name: c.name.clone(),
                        created_at: c.created_at,
                    })
                    .collect();
                configs.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.name.cmp(&b.name)));
                Ok(Reply::new(configs))
            })
            .await
    }

    async fn describe_config(&self, config: &str) -> Result<EndpointConfigDescription> {
        let op = Op::EndpointDescribeConfig;
        let args = self.args(json!({ "config": config }));
        self.world
            .call(op, PROVIDER, args, None, |sim, _| {
                sim.state()
                    .config_in(self.region(), config)
                    .map(|c| {
                        Reply::new(EndpointConfigDescription {
                            name: c.name.clone(),
                            variants: vec![ConfigVariant {
                                name: c.variant.clone(),
                                instance_type: c.instance_type.clone(),
                                initial_instances: c.instances,
                            }],
                        })
                    })
                    .ok_or_else(|| Error::not_found(op.as_str(), config))
            })
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
        let args = self.args(args);
        let region = self.region();
        let scope = self.scope(&format!("{endpoint}/{variant}"));
        self.world
            .call(op, PROVIDER, args.clone(), Some(key), |sim, now| {
                sim.idempotent(op, &scope, key, &args, |sim| {
                    let e = sim
                        .state()
                        .endpoint_in(region, endpoint)
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
                    if let Some(e) = state.endpoint_in_mut(region, endpoint) {
                        e.desired = count;
                        e.op = Some(EndpointOp::Capacity { id, count });
                        e.last_modified = now;
                        done = time::add(now, e.scale_duration);
                    }
                    sim.commit(now, state);
                    sim.schedule(
                        done,
                        Timer::EndpointOpDone {
                            region: region.map(str::to_owned),
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
