//! The first-five-minutes fakes: recent deployments and cloud health events.

use async_trait::async_trait;
use cato_runbook_core::ports::{CloudHealth, Deployment, Deployments, HealthEvent};
use cato_runbook_core::{Error, ErrorKind, Result, Timestamp};
use serde_json::json;

use super::{FakeCloudHealth, FakeDeployments};
use crate::ops::Op;
use crate::world::Reply;

#[async_trait]
impl Deployments for FakeDeployments {
    async fn since(&self, since: Timestamp) -> Result<Vec<Deployment>> {
        let source = self.source();
        let args = match source {
            Some(source) => json!({ "since": since, "source": source }),
            None => json!({ "since": since }),
        };
        self.world
            .call(
                Op::DeploymentsSince,
                "fake-deployment-history",
                args,
                None,
                |sim, now| {
                    if let Some(source) = source
                        && sim.records.sources_down.contains(source)
                    {
                        return Err(Error::new(
                            ErrorKind::Unavailable,
                            Op::DeploymentsSince.as_str(),
                            format!("the {source} deployment history cannot be reached"),
                        )
                        .with_resource(source.to_owned()));
                    }
                    let mut found: Vec<Deployment> = sim
                        .records
                        .deployments
                        .iter()
                        .filter(|d| d.source.as_deref() == source)
                        .map(|d| &d.deployment)
                        .filter(|d| d.at >= since && d.at <= now)
                        .cloned()
                        .collect();
                    found.sort_by_key(|d| d.at);
                    Ok(Reply::new(found))
                },
            )
            .await
    }
}

#[async_trait]
impl CloudHealth for FakeCloudHealth {
    async fn events(&self, since: Timestamp) -> Result<Vec<HealthEvent>> {
        self.world
            .call(
                Op::CloudHealthEvents,
                "fake-aws-health",
                json!({ "since": since }),
                None,
                |sim, now| {
                    let mut found: Vec<HealthEvent> = sim
                        .records
                        .health
                        .iter()
                        .filter(|h| h.started_at <= now && (h.open || h.started_at >= since))
                        .cloned()
                        .collect();
                    found.sort_by_key(|h| h.started_at);
                    Ok(Reply::new(found))
                },
            )
            .await
    }
}
