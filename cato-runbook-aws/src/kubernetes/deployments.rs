//! Recent deployments from Deployments' ReplicaSets ([`KubeDeployments`]).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::call;
use cato_runbook_core::ports::{Clock, Deployment, Deployments, SystemClock};
use cato_runbook_core::{Result, Timestamp};
use k8s_openapi::api::apps::v1::Deployment as KubeDeployment;
use kube::Api;

use super::{error, rollout};

/// "Review recent deployments" from Kubernetes: each revision of the watched Deployments (each
/// of their ReplicaSets) is a deployment — the service is the Deployment's name, the version
/// its `kubernetes.io/change-cause` or else its images, the author its
/// `cato.thinktank.ai/author` annotation when there is one.
///
/// The time is when the revision became current: its ReplicaSet's `creationTimestamp` for a
/// revision a rollout made; for a revision made current again by a rollback (whose ReplicaSet
/// is not re-created), the ReplicaSet's latest `managedFields` time, since Kubernetes keeps no
/// time of that change — at or a little after the rollback. Only each revision's latest time
/// is known: a revision current twice shows once, at the later time.
///
/// Calls per [`since`](Deployments::since), for each watched Deployment: `GET` the Deployment
/// (for its selector), `GET …/replicasets?labelSelector=…`. RBAC: `get` on `deployments`,
/// `list` on `replicasets`.
///
/// ```no_run
/// use cato_runbook_aws::kubernetes::KubeDeployments;
///
/// # async fn wire() -> Result<(), kube::Error> {
/// let client = kube::Client::try_default().await?;
/// let deployments = KubeDeployments::new(client).watching("cato", "cato-orchestrator");
/// assert_eq!(deployments.to_string(), "kubernetes deployments (cato/cato-orchestrator)");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct KubeDeployments {
    client: kube::Client,
    watched: Vec<(String, String)>,
    timeout: Duration,
    clock: Arc<dyn Clock>,
}

impl KubeDeployments {
    /// Watches no Deployment until [`watching`](Self::watching).
    pub fn new(client: kube::Client) -> Self {
        KubeDeployments {
            client,
            watched: Vec::new(),
            timeout: Duration::from_secs(10),
            clock: Arc::new(SystemClock),
        }
    }

    /// Adds the Deployment `namespace/name` to those whose revisions are listed.
    pub fn watching(mut self, namespace: impl Into<String>, name: impl Into<String>) -> Self {
        self.watched.push((namespace.into(), name.into()));
        self
    }

    /// Sets the timeout of one call (every watched Deployment's reads together; 10 s by
    /// default).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the clock the timeout runs on (the system clock by default).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    async fn of(&self, namespace: &str, name: &str, since: Timestamp) -> Result<Vec<Deployment>> {
        const OP: &str = "deployments.since";
        let resource = format!("{namespace}/{name}");
        let api: Api<KubeDeployment> = Api::namespaced(self.client.clone(), namespace);
        let deployment = api
            .get(name)
            .await
            .map_err(|e| error::map(OP, &resource, e))?;
        let sets = rollout::replica_sets(&self.client, OP, &resource, &deployment).await?;
        Ok(rollout::revisions(&sets)
            .into_iter()
            .filter(|r| r.current_since >= since)
            .map(|r| Deployment {
                service: name.to_owned(),
                version: r.version(),
                at: r.current_since,
                author: r.author.clone(),
                description: format!("revision {} ({})", r.number, r.images.join(", ")),
            })
            .collect())
    }
}

#[async_trait]
impl Deployments for KubeDeployments {
    async fn since(&self, since: Timestamp) -> Result<Vec<Deployment>> {
        const OP: &str = "deployments.since";
        let resource = self
            .watched
            .iter()
            .map(|(ns, name)| format!("{ns}/{name}"))
            .collect::<Vec<_>>()
            .join(", ");
        call::within(self.clock.as_ref(), self.timeout, async {
            let mut all = Vec::new();
            for (namespace, name) in &self.watched {
                all.extend(self.of(namespace, name, since).await?);
            }
            all.sort_by_key(|d| d.at);
            Ok(all)
        })
        .await
        .ok_or_else(|| error::timeout(OP, &resource, self.timeout))?
    }
}

impl fmt::Display for KubeDeployments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let watched: Vec<String> = self
            .watched
            .iter()
            .map(|(ns, name)| format!("{ns}/{name}"))
            .collect();
        write!(f, "kubernetes deployments ({})", watched.join(", "))
    }
}

impl fmt::Debug for KubeDeployments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KubeDeployments")
            .field("watched", &self.watched)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
