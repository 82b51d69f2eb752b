//! [`Deployments`] from SageMaker: the watched endpoints' config changes.

use std::fmt;

use async_trait::async_trait;
use aws_sdk_sagemaker::Client;
use cato_runbook_core::ports::{Deployment, Deployments, DeploymentsRead, UnreadSource};
use cato_runbook_core::{Result, Timestamp};

use super::{PROVIDER, classify, convert, list_configs};
use crate::sdk::{Call, Settings, settings_builders};

/// Recent deployments of SageMaker endpoints, read from the endpoints and their configs.
///
/// For each watched endpoint it calls `DescribeEndpoint` (the config it runs, `LastModifiedTime`)
/// and `ListEndpointConfigs` with the endpoint's name as `NameContains` (each config's
/// `CreationTime`), and answers, for the changes since the time asked:
///
/// | deployment | `at` | what it means |
/// |---|---|---|
/// | the config the endpoint runs (`version`) | the endpoint's `LastModifiedTime` | certain: the endpoint changed then and has run this config since. The change may have been of capacity (`UpdateEndpointWeightsAndCapacities` moves `LastModifiedTime` too) rather than of config |
/// | every other config named after the endpoint | its `CreationTime` | a config made then; SageMaker does not record whether or when the endpoint ran it |
///
/// What SageMaker cannot tell: there is no history of which config was current when (an
/// endpoint keeps no record of past configs), who made a change (`author` is `None`; that is in
/// CloudTrail), or what changed inside a config. A config whose name contains the endpoint's
/// (`NameContains` matches substrings) is taken as the endpoint's.
///
/// Each endpoint is a source of its own in [`read`](Deployments::read): an endpoint that cannot
/// be read (missing, denied, throttled) is named as unread (`sagemaker <endpoint>`) and the
/// others still answer; [`since`](Deployments::since) fails on the first such endpoint. The
/// endpoints are read one after the other, each bounded by the provider's timeout.
///
/// # Examples
///
/// ```no_run
/// # async fn example() {
/// use cato_runbook_aws::sagemaker::SageMakerDeployments;
///
/// let sdk = aws_config::load_from_env().await;
/// let deployments = SageMakerDeployments::new(&sdk).watching(["cato-shadow-self"]);
/// assert_eq!(deployments.to_string(), "sagemaker endpoint configs (cato-shadow-self)");
/// # }
/// ```
pub struct SageMakerDeployments {
    client: Client,
    settings: Settings,
    endpoints: Vec<String>,
}

impl SageMakerDeployments {
    /// A provider over a client built from `config`, watching no endpoint yet.
    pub fn new(config: &aws_types::SdkConfig) -> Self {
        Self::from_client(Client::new(config))
    }

    /// A provider over a ready client, watching no endpoint yet.
    pub fn from_client(client: Client) -> Self {
        SageMakerDeployments {
            client,
            settings: Settings::default(),
            endpoints: Vec::new(),
        }
    }

    /// Watches `endpoints` too (each once).
    #[must_use]
    pub fn watching<I, S>(mut self, endpoints: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for endpoint in endpoints {
            let endpoint = endpoint.into();
            if !self.endpoints.contains(&endpoint) {
                self.endpoints.push(endpoint);
            }
        }
        self
    }

    /// The endpoints watched.
    pub fn endpoints(&self) -> &[String] {
        &self.endpoints
    }

    /// The changes of one endpoint since `since`, oldest first.
    async fn of_endpoint(&self, endpoint: &str, since: Timestamp) -> Result<Vec<Deployment>> {
        let call = Call::new(PROVIDER, "DescribeEndpoint", &self.settings)
            .on(endpoint)
            .classify_with(classify);
        call.run(async {
            let described = self
                .client
                .describe_endpoint()
                .endpoint_name(endpoint)
                .send()
                .await
                .map_err(|e| call.sdk(e))?;
            let described = convert::description(&call, &described)?;
            let configs = list_configs(&self.client, &call.op("ListEndpointConfigs"), endpoint).await?;
            let mut found: Vec<Deployment> = configs
                .iter()
                .filter(|c| c.name != described.config_name && c.created_at >= since)
                .map(|c| Deployment {
                    service: endpoint.to_owned(),
                    version: c.name.clone(),
                    at: c.created_at,
                    author: None,
                    description: format!(
                        "endpoint config {} created; SageMaker does not record whether or when {endpoint} ran it",
                        c.name
                    ),
                })
                .collect();
            if described.last_modified >= since && !described.config_name.is_empty() {
                found.push(Deployment {
                    service: endpoint.to_owned(),
                    version: described.config_name.clone(),
                    at: described.last_modified,
                    author: None,
                    description: format!(
                        "{endpoint} last modified (its config or its capacity); runs {} since",
                        described.config_name
                    ),
                });
            }
            found.sort_by_key(|d| d.at);
            Ok(found)
        })
        .await
    }
}

settings_builders!(SageMakerDeployments);

impl fmt::Debug for SageMakerDeployments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SageMakerDeployments")
            .field("endpoints", &self.endpoints)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for SageMakerDeployments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "sagemaker endpoint configs ({})",
            self.endpoints.join(", ")
        )
    }
}

#[async_trait]
impl Deployments for SageMakerDeployments {
    async fn since(&self, since: Timestamp) -> Result<Vec<Deployment>> {
        let read = self.read(since).await?;
        match read.unread.into_iter().next() {
            None => Ok(read.deployments),
            Some(unread) => Err(unread.error),
        }
    }

    async fn read(&self, since: Timestamp) -> Result<DeploymentsRead> {
        let mut out = DeploymentsRead::default();
        let mut failed = Vec::new();
        for endpoint in &self.endpoints {
            match self.of_endpoint(endpoint, since).await {
                Ok(found) => out.deployments.extend(found),
                Err(error) => failed.push((endpoint, error)),
            }
        }
        if failed.len() == self.endpoints.len() {
            // Nothing was read: the first endpoint's error, as SageMaker gave it (no endpoint
            // watched: nothing to read).
            return match failed.into_iter().next() {
                Some((_, error)) => Err(error),
                None => Ok(out),
            };
        }
        out.unread = failed
            .into_iter()
            .map(|(endpoint, error)| UnreadSource {
                source: format!("{PROVIDER} {endpoint}"),
                error,
            })
            .collect();
        out.deployments.sort_by_key(|d| d.at);
        Ok(out)
    }
}
