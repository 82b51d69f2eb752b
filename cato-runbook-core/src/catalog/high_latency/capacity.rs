//! The diagnosis `capacity`: the endpoint's and the orchestrator's sizes now.

use std::sync::Arc;

use async_trait::async_trait;

use super::Config;
use crate::catalog::facts;
use crate::catalog::kit;
use crate::error::{Error, ErrorKind, Result};
use crate::ports::{ModelEndpoint, Workloads};
use crate::runbook::{DiagnoseContext, Diagnosis, DiagnosisReport, Finding};

/// The endpoint's and the orchestrator's sizes now.
///
/// Facts: `endpoint_instances`, `endpoint_desired_instances`, `endpoint_status`,
/// `orchestrator_replicas`, `orchestrator_ready_replicas` — each when its service answered.
#[derive(Debug)]
pub(super) struct Capacity {
    endpoint: Arc<dyn ModelEndpoint>,
    workloads: Arc<dyn Workloads>,
    config: Arc<Config>,
}

impl Capacity {
    pub(super) fn new(
        endpoint: Arc<dyn ModelEndpoint>,
        workloads: Arc<dyn Workloads>,
        config: Arc<Config>,
    ) -> Self {
        Capacity {
            endpoint,
            workloads,
            config,
        }
    }
}

#[async_trait]
impl Diagnosis for Capacity {
    fn name(&self) -> &str {
        "capacity"
    }

    async fn diagnose(&self, _ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
        let s = &self.config.shadow_self;
        let o = &self.config.orchestrator;
        let (described, workload) = futures::join!(
            self.endpoint.describe(&s.endpoint),
            self.workloads.get(&o.namespace, &o.deployment)
        );
        if let (Err(a), Err(b)) = (&described, &workload) {
            return Err(Error::new(
                ErrorKind::Unavailable,
                "capacity",
                format!("neither the endpoint nor the deployment answered: {a}; {b}"),
            ));
        }
        let mut finding = Finding::new(self.name(), String::new());
        let mut parts = Vec::new();
        match described {
            Ok(d) => match kit::find_variant(&d, &s.variant) {
                Some(v) => {
                    finding = finding
                        .with(facts::ENDPOINT_INSTANCES, v.current_instances)
                        .with(facts::ENDPOINT_DESIRED_INSTANCES, v.desired_instances)
                        .with(facts::ENDPOINT_STATUS, d.status.to_string());
                    parts.push(format!(
                        "{} {}: {} of {} instances",
                        s.endpoint, d.status, v.current_instances, v.desired_instances
                    ));
                }
                None => {
                    finding = finding
                        .with_evidence(format!("{} has no variant {}", s.endpoint, s.variant));
                }
            },
            // The failure is in the summary, so that it is on the timeline.
            Err(err) => parts.push(format!("describe-endpoint failed: {err}")),
        }
        match workload {
            Ok(w) => {
                finding = finding
                    .with(facts::ORCHESTRATOR_REPLICAS, w.desired_replicas)
                    .with(facts::ORCHESTRATOR_READY_REPLICAS, w.ready_replicas);
                parts.push(format!(
                    "{}/{}: {} of {} replicas ready",
                    w.namespace, w.name, w.ready_replicas, w.desired_replicas
                ));
            }
            Err(err) => parts.push(format!("get deployment failed: {err}")),
        }
        finding.summary = parts.join(", ");
        Ok(DiagnosisReport::finding(finding))
    }
}
