//! An account of its own in moto, and seeding it over moto's wire protocols.

use std::hash::{BuildHasher, Hasher};
use std::path::Path;

use assert_cmd::Command;
use cato_runbook_mock::WorldConfig;
use serde_json::json;

use super::cmd;

/// An `Authorization` header moto reads the account (from the access key) and the service
/// from; moto does not check signatures.
fn authorization(access_key: &str, service: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential={access_key}/20260101/us-east-1/{service}/aws4_request, \
         SignedHeaders=host, Signature=0"
    )
}

/// `application/x-www-form-urlencoded`, for the query-protocol calls.
fn form(fields: &[(&str, &str)]) -> String {
    let encode = |text: &str| {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|&(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// An account of its own in moto (an assumed role: moto keeps each account's resources apart,
/// so a run against a moto that earlier runs used starts empty), and seeding over moto's wire
/// protocols.
pub(super) struct MotoAccount {
    url: String,
    account: String,
    http: reqwest::Client,
    access_key: String,
    secret_key: String,
    session_token: String,
}

impl MotoAccount {
    pub(super) async fn assume_role(url: &str) -> MotoAccount {
        let account = format!(
            "{:012}",
            std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish()
                % 1_000_000_000_000
        );
        let http = reqwest::Client::new();
        let role = format!("arn:aws:iam::{account}:role/cato-runbook");
        let body = form(&[
            ("Action", "AssumeRole"),
            ("Version", "2011-06-15"),
            ("RoleArn", role.as_str()),
            ("RoleSessionName", "cato-runbook-cli-tests"),
        ]);
        let xml = http
            .post(format!("{}/", url.trim_end_matches('/')))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("authorization", authorization("AKIDCLITEST", "sts"))
            .body(body)
            .send()
            .await
            .expect("moto answers AssumeRole")
            .text()
            .await
            .unwrap();
        let field = |name: &str| {
            let open = format!("<{name}>");
            let start = xml
                .find(&open)
                .map(|i| i + open.len())
                .unwrap_or_else(|| panic!("no {name} in {xml}"));
            let end = xml[start..].find(&format!("</{name}>")).unwrap() + start;
            xml[start..end].to_owned()
        };
        MotoAccount {
            url: url.trim_end_matches('/').to_owned(),
            account,
            http,
            access_key: field("AccessKeyId"),
            secret_key: field("SecretAccessKey"),
            session_token: field("SessionToken"),
        }
    }

    /// The command, as this account.
    pub(super) fn cmd(&self, config: &Path) -> Command {
        let mut command = cmd(config);
        command
            .env("AWS_ACCESS_KEY_ID", &self.access_key)
            .env("AWS_SECRET_ACCESS_KEY", &self.secret_key)
            .env("AWS_SESSION_TOKEN", &self.session_token);
        command
    }

    async fn call(&self, service: &str, content_type: &str, target: Option<&str>, body: String) {
        let mut request = self
            .http
            .post(format!("{}/", self.url))
            .header("content-type", content_type)
            .header("authorization", authorization(&self.access_key, service))
            .header("x-amz-security-token", &self.session_token);
        if let Some(target) = target {
            request = request.header("x-amz-target", target);
        }
        let response = request.body(body).send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(
            status.is_success(),
            "{service} {}: {status} {text}",
            target.unwrap_or("query")
        );
    }

    /// Puts `values` (one datum each) of `namespace`/`metric` with `dimensions` at `at` (epoch
    /// seconds), over CloudWatch's AWS JSON 1.0 protocol (what moto and a command-line client
    /// speak).
    pub(super) async fn put_metric(
        &self,
        namespace: &str,
        metric: &str,
        dimensions: &[(&str, &str)],
        values: &[f64],
        at: f64,
    ) {
        let dimensions: Vec<serde_json::Value> = dimensions
            .iter()
            .map(|(name, value)| json!({ "Name": name, "Value": value }))
            .collect();
        let data: Vec<serde_json::Value> = values
            .iter()
            .map(|value| {
                json!({
                    "MetricName": metric,
                    "Dimensions": dimensions,
                    "Timestamp": at,
                    "Value": value,
                })
            })
            .collect();
        self.call(
            "monitoring",
            "application/x-amz-json-1.0",
            Some("GraniteServiceVersion20100801.PutMetricData"),
            json!({ "Namespace": namespace, "MetricData": data }).to_string(),
        )
        .await;
    }

    async fn sagemaker(&self, operation: &str, body: serde_json::Value) {
        let target = format!("SageMaker.{operation}");
        self.call(
            "sagemaker",
            "application/x-amz-json-1.1",
            Some(target.as_str()),
            body.to_string(),
        )
        .await;
    }

    /// The default world's Shadow Self endpoint (its configs oldest first, on the current one)
    /// and its cache's replication group: what the runbooks' steps read when they plan.
    #[allow(clippy::disallowed_methods)] // a test drives tokio's time itself
    pub(super) async fn seed(&self, world: &WorldConfig) {
        let e = &world.endpoints[0];
        let model = format!("{}-model", e.name);
        let account = &self.account;
        self.sagemaker(
            "CreateModel",
            json!({
                "ModelName": model,
                "ExecutionRoleArn": format!("arn:aws:iam::{account}:role/sagemaker"),
                "PrimaryContainer": { "Image": "cato/shadow-self:1" },
            }),
        )
        .await;
        let mut configs = e.configs.clone();
        configs.sort_by_key(|c| std::cmp::Reverse(c.created_ago));
        for config in &configs {
            let instances = if config.name == e.current_config {
                e.instances
            } else {
                config.instances
            };
            self.sagemaker(
                "CreateEndpointConfig",
                json!({
                    "EndpointConfigName": config.name,
                    "ProductionVariants": [{
                        "VariantName": e.variant,
                        "ModelName": model,
                        "InitialInstanceCount": instances,
                        "InstanceType": "ml.g4dn.xlarge",
                        "InitialVariantWeight": 1.0,
                    }],
                }),
            )
            .await;
            // Configs are listed by creation time: keep them apart.
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        self.sagemaker(
            "CreateEndpoint",
            json!({ "EndpointName": e.name, "EndpointConfigName": e.current_config }),
        )
        .await;

        let c = &world.caches[0];
        self.call(
            "elasticache",
            "application/x-www-form-urlencoded",
            None,
            form(&[
                ("Action", "CreateReplicationGroup"),
                ("Version", "2015-02-02"),
                ("ReplicationGroupId", c.id.as_str()),
                ("ReplicationGroupDescription", "the semantic cache"),
                ("CacheNodeType", c.node_type.as_str()),
                ("Engine", "redis"),
                ("NumCacheClusters", "2"),
            ]),
        )
        .await;
    }
}
