//! The command with AWS providers configured: against a real moto server (`[providers.aws]`
//! with an endpoint override and credentials from the environment), and the IAM policy.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

use std::hash::{BuildHasher, Hasher};
use std::path::Path;

use assert_cmd::Command;
use cato_runbook_mock::WorldConfig;
use cato_runbook_mock::peers;
use serde_json::json;

fn moto() -> Option<String> {
    peers::find_or_skip("CATO_TEST_MOTO_URL")
}

fn cmd(config: &Path) -> Command {
    let mut cmd = Command::cargo_bin("cato-runbook").unwrap();
    cmd.env_remove("CATO_RUNBOOK_CONFIG")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_ACCESS_KEY_ID", "AKIDCLITEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .arg("--config")
        .arg(config);
    cmd
}

fn aws_config(dir: &Path, url: &str) -> std::path::PathBuf {
    let path = dir.join("aws.toml");
    std::fs::write(
        &path,
        format!(
            "[providers.aws]\nregion = \"us-east-1\"\nendpoint_url = \"{url}\"\ntimeout = \"10s\"\n"
        ),
    )
    .unwrap();
    path
}

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
struct MotoAccount {
    url: String,
    account: String,
    http: reqwest::Client,
    access_key: String,
    secret_key: String,
    session_token: String,
}

impl MotoAccount {
    async fn assume_role(url: &str) -> MotoAccount {
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
    fn cmd(&self, config: &Path) -> Command {
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
    async fn seed(&self, world: &WorldConfig) {
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

#[test]
fn check_and_diagnose_against_moto() {
    let Some(url) = moto() else { return };
    let dir = tempfile::tempdir().unwrap();
    let config = aws_config(dir.path(), &url);
    let out = cmd(&config).arg("check").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(&format!("AWS in us-east-1 at {url}")),
        "{text}"
    );

    let listed = cmd(&config).args(["runbooks", "--json"]).output().unwrap();
    let runbooks: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    for runbook in runbooks.as_array().unwrap() {
        let id = runbook["id"].as_str().unwrap();
        // moto holds none of the runbook's resources: each diagnosis reaches AWS (moto) and
        // reports what it could not find, and the command still answers.
        let out = cmd(&config)
            .args(["diagnose", id, "--json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(d["runbook"], id);
    }
}

/// `mitigate --dry-run` of one step of every runbook against a moto seeded with what the step
/// reads: each answers 0 with its plan. Without the seeding an empty moto fails the read (3),
/// and without `--step` no step's precondition holds on what an empty or healthy world shows
/// ("no step of … applies", 2). The ports moto serves on its own wire protocols go to moto;
/// CloudWatch (CBOR, which moto does not speak without the translating proxy of the provider
/// tests), the tables' capacity (read from CloudWatch) and Bedrock's quota (moto has none)
/// stay on the fakes (the steps chosen there read no metrics: the fakes run on their own clock
/// while the command runs on the wall clock).
#[test]
fn every_runbook_dry_runs_a_plan_against_moto() {
    let Some(url) = moto() else { return };
    let world = WorldConfig::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let moto = runtime.block_on(async {
        let moto = MotoAccount::assume_role(&url).await;
        moto.seed(&world).await;
        moto
    });
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("dry-run.toml");
    std::fs::write(
        &config,
        format!(
            "[providers.aws]\nregion = \"us-east-1\"\nendpoint_url = \"{url}\"\ntimeout = \"10s\"\n\
             ports = [\"endpoint\", \"logs\", \"cache_cluster\"]\n"
        ),
    )
    .unwrap();

    let e = &world.endpoints[0];
    let c = &world.caches[0];
    let q = &world.quotas.quotas[0];
    let t = &world.tables[0];
    let plans = [
        (
            "shadow-self-down",
            "restart-endpoint",
            format!(
                "restart {}: update-endpoint to the config it runs, {}",
                e.name, e.current_config
            ),
        ),
        (
            "high-latency",
            "scale-shadow-self",
            format!("scale {}/{} from {} to ", e.name, e.variant, e.instances),
        ),
        (
            "cache-miss-spike",
            "modify-cache-node-type",
            format!("modify-replication-group {} --cache-node-type ", c.id),
        ),
        (
            "budget-exceeded",
            "raise-monthly-limit",
            "raise the monthly LLM budget from ".to_owned(),
        ),
        (
            "bedrock-throttling",
            "request-quota-increase",
            format!("request a Bedrock quota increase: {} ", q.code),
        ),
        (
            "dynamodb-hot-partition",
            "switch-to-on-demand",
            format!("switch {} to on-demand billing", t.name),
        ),
    ];
    for (runbook, step, expected) in plans {
        let out = moto
            .cmd(&config)
            .args(["mitigate", runbook, "--dry-run", "--step", step])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{runbook} {step}: {stdout}{stderr}"
        );
        assert!(
            stdout.contains("Plan (dry run: nothing changed)")
                && stdout.contains(&format!("{step} on "))
                && stdout.contains(&expected)
                && stdout.contains("run again with --apply"),
            "{runbook} {step}: expected a plan with {expected:?}: {stdout}"
        );
    }
}

#[test]
fn scenarios_are_for_the_fakes() {
    let dir = tempfile::tempdir().unwrap();
    let config = aws_config(dir.path(), "http://127.0.0.1:9");
    let out = cmd(&config)
        .args([
            "diagnose",
            "shadow-self-down",
            "--scenario",
            "scenarios/x.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--scenario"));
}

#[test]
fn unknown_aws_ports_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[providers.aws]\nregion = \"us-east-1\"\nports = [\"workloads\"]\n",
    )
    .unwrap();
    let out = cmd(&path).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no AWS provider for \"workloads\""));
}

#[test]
fn iam_policy_is_an_iam_document() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.toml");
    std::fs::write(&path, "").unwrap();
    let out = cmd(&path).arg("iam-policy").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let policy: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(policy["Version"], "2012-10-17");
    let expected = cato_runbook_aws::iam::policy_for_runbooks(
        &cato_runbook_core::catalog::entries()
            .iter()
            .collect::<Vec<_>>(),
        cato_runbook_aws::iam::Scope::All,
    );
    assert_eq!(
        policy,
        serde_json::from_str::<serde_json::Value>(&expected.to_json()).unwrap()
    );
    let out = cmd(&path)
        .args(["iam-policy", "--read-only", "--per-runbook"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let per: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(per.is_object());
    let out = cmd(&path)
        .args(["iam-policy", "no-such-runbook"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
