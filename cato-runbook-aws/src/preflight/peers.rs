//! The probes a configuration calls for: one per peer it names, each building its own client
//! (a peer whose table is wrong fails alone, naming it).

use std::path::Path;
use std::time::Duration;

use cato_runbook_core::catalog::PortName;
use cato_runbook_core::ports::{Budget, CacheStats, Workloads};

use super::{Probe, aws, failed};
use crate::config::{Config, ConfigError, LeaseKind, StoreKind};

/// One probe per peer `config` names, in a fixed order: the AWS credentials, the store, Redis
/// (each cache), Kubernetes, the Cato admin API, PagerDuty, Slack, SendGrid, CloudWatch and
/// SageMaker. Nothing runs until [`run`](super::run).
pub async fn probes(config: &Config) -> Vec<Probe> {
    let p = &config.providers;
    let mut probes = Vec::new();
    let aws_config = p.aws.clone().unwrap_or_default();
    let timeout = aws_config.timeout.unwrap_or(super::DEFAULT_TIMEOUT);
    let needs_sdk = p.aws.is_some()
        || p.deployments.is_some()
        || p.health.as_ref().is_some_and(|h| h.enabled)
        || config.store.kind == StoreKind::Dynamodb
        || config.lease.kind == LeaseKind::Dynamodb;
    let sdk = if needs_sdk {
        match aws_config.sdk().await {
            Ok(sdk) => Some(sdk),
            Err(e) => {
                let why = e.to_string();
                probes.push(Probe::new(
                    "aws",
                    "SDK configuration",
                    async move { Err(why) },
                ));
                None
            }
        }
    } else {
        None
    };
    if let Some(sdk) = &sdk {
        let sdk = sdk.clone();
        probes.push(Probe::new(
            "aws credentials",
            "STS GetCallerIdentity",
            async move { aws::caller(&sdk, timeout).await },
        ));
    }
    probes.push(store(config, sdk.as_ref(), timeout));
    peers(config, &mut probes);
    if let (Some(sdk), Some(c)) = (&sdk, &p.aws) {
        let ports = c.ports().unwrap_or_default();
        if ports.contains(&PortName::Metrics) || ports.contains(&PortName::Alarms) {
            let sdk = sdk.clone();
            probes.push(Probe::new("cloudwatch", "DescribeAlarms", async move {
                aws::cloudwatch(&sdk, timeout).await
            }));
        }
        if ports.contains(&PortName::Endpoint) {
            let sdk = sdk.clone();
            let name = config.runbooks.shadow_self_down.endpoint.clone();
            probes.push(Probe::new("sagemaker", "DescribeEndpoint", async move {
                aws::endpoint(&sdk, &name, timeout).await
            }));
        }
    }
    probes
}

/// The store's probe: SQLite opened as `run` opens it, DynamoDB's table described.
fn store(config: &Config, sdk: Option<&aws_types::SdkConfig>, timeout: Duration) -> Probe {
    match config.store.kind {
        StoreKind::Memory => Probe::new("store (in memory)", "none", async {
            Ok("nothing is kept across restarts".to_owned())
        }),
        StoreKind::Sqlite => {
            let path = config.relative(&config.store.path);
            Probe::new(
                format!("store (SQLite {})", path.display()),
                "open",
                async move { sqlite(&path) },
            )
        }
        StoreKind::Dynamodb => {
            let table = config.store.table.clone();
            let sdk = sdk.cloned();
            Probe::new(
                format!("store (DynamoDB {table})"),
                "DescribeTable",
                async move {
                    match sdk {
                        Some(sdk) => aws::table(&sdk, &table, timeout).await,
                        None => Err("the AWS SDK could not be configured (see above)".to_owned()),
                    }
                },
            )
        }
    }
}

/// An existing SQLite file is opened as `run` opens it; a missing one is not made (a check
/// leaves nothing behind): its folder must exist for `run` to make it.
fn sqlite(path: &Path) -> Result<String, String> {
    const FIX: &str = "check [store] path: its folder must exist and be writable";
    if path.exists() {
        return crate::sqlite::SqliteIncidentStore::open(path)
            .map(|_| "opens".to_owned())
            .map_err(|e| format!("{e}; {FIX}"));
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    if folder.is_dir() {
        Ok(format!(
            "not made yet: `run` makes it in {}",
            folder.display()
        ))
    } else {
        Err(format!(
            "the folder {} does not exist; {FIX}",
            folder.display()
        ))
    }
}

/// A table that does not build (a secret's variable unset, a bad URL): the line says so.
fn unbuilt(table: &str) -> impl Fn(ConfigError) -> String + '_ {
    move |e| format!("{table}: {e}")
}

/// The probes of the peers that are not AWS.
fn peers(config: &Config, probes: &mut Vec<Probe>) {
    let p = &config.providers;
    if let Some(c) = &p.redis {
        for cache in c.caches.keys() {
            let (c, cache) = (c.clone(), cache.clone());
            probes.push(Probe::new(
                format!("redis ({cache})"),
                "INFO stats",
                async move {
                    const TABLE: &str = "[providers.redis]";
                    let stats = c.build().map_err(unbuilt(TABLE))?;
                    stats
                        .counters(&cache)
                        .await
                        .map(|n| format!("{} hits, {} misses", n.hits, n.misses))
                        .map_err(|e| failed(&e, TABLE))
                },
            ));
        }
    }
    if let Some(c) = &p.kubernetes {
        let c = c.clone();
        probes.push(Probe::new(
            format!("kubernetes ({}/{})", c.namespace, c.deployment),
            "get Deployment",
            async move {
                const TABLE: &str = "[providers.kubernetes]";
                let workloads = c.build().await.map_err(unbuilt(TABLE))?;
                workloads
                    .get(&c.namespace, &c.deployment)
                    .await
                    .map(|w| {
                        format!(
                            "{} of {} replicas ready",
                            w.ready_replicas, w.desired_replicas
                        )
                    })
                    .map_err(|e| failed(&e, TABLE))
            },
        ));
    }
    if let Some(c) = &p.cato_api {
        let c = c.clone();
        probes.push(Probe::new("cato admin api", "budget", async move {
            const TABLE: &str = "[providers.cato_api]";
            let api = c.build().map_err(unbuilt(TABLE))?;
            api.status()
                .await
                .map(|b| format!("${:.2} of ${:.2} spent", b.spent_usd, b.monthly_limit_usd))
                .map_err(|e| failed(&e, TABLE))
        }));
    }
    if let Some(c) = &p.pagerduty {
        let c = c.clone();
        probes.push(Probe::new("pagerduty", "reachability", async move {
            const TABLE: &str = "[providers.pagerduty]";
            let pager = c.build().map_err(unbuilt(TABLE))?;
            pager
                .reachable()
                .await
                .map(|status| format!("the Events API answers (HTTP {status})"))
                .map_err(|e| failed(&e, TABLE))
        }));
    }
    if let Some(c) = &p.slack {
        let c = c.clone();
        probes.push(Probe::new("slack", "auth.test", async move {
            const TABLE: &str = "[providers.slack]";
            let slack = c.build().map_err(unbuilt(TABLE))?;
            slack
                .auth_test()
                .await
                .map(|who| format!("the token is {who}"))
                .map_err(|e| failed(&e, TABLE))
        }));
    }
    if let Some(c) = &p.sendgrid {
        let c = c.clone();
        probes.push(Probe::new("sendgrid", "GET /v3/scopes", async move {
            const TABLE: &str = "[providers.sendgrid]";
            let mail = c.build().map_err(unbuilt(TABLE))?;
            mail.check_scopes()
                .await
                .map(|()| "the key may send mail".to_owned())
                .map_err(|e| failed(&e, TABLE))
        }));
    }
}
