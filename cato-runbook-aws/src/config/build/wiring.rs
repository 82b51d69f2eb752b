//! From a [`Config`] to live objects: the real providers, the store, the lease, and the engine
//! over them. Clients connect on first use; the store is opened here (the SQLite file created
//! if missing, the DynamoDB table with `create_table`).

use std::fmt;
use std::sync::Arc;

use cato_runbook_core::catalog::Providers;
use cato_runbook_core::engine::{Engine, EngineBuilder, Notifiers};
use cato_runbook_core::ports::{
    AllDeployments, CacheStats, Chat, CloudHealth, Deployments, InMemoryIncidentStore,
    IncidentStore, Lease, Mail, Pager, SystemClock, Workloads,
};

use cato_runbook_core::trace::{Recorder, Traceable, trace_providers};

use crate::cato_api::CatoAdminApi;
use crate::config::{AwsConfig, Config, ConfigError, LeaseKind, StoreKind};

/// Everything a configuration builds: what [`Config`] names, made.
pub struct Wiring {
    cache_stats: Option<Arc<dyn CacheStats>>,
    workloads: Option<Arc<dyn Workloads>>,
    admin: Option<Arc<CatoAdminApi>>,
    pager: Option<Arc<dyn Pager>>,
    chat: Option<Arc<dyn Chat>>,
    mail: Option<Arc<dyn Mail>>,
    deployments: Option<Arc<dyn Deployments>>,
    health: Option<Arc<dyn CloudHealth>>,
    sdk: Option<aws_types::SdkConfig>,
    aws: Option<AwsConfig>,
    store: Arc<dyn IncidentStore>,
    store_name: String,
    lease: Option<Arc<dyn Lease>>,
    replica: String,
    /// The failover's other region, whose SageMaker endpoint AWS serves too.
    failover_region: Option<String>,
    /// Where every provider's calls are recorded, once [`record`](Wiring::record) is called.
    recorder: Option<Recorder>,
}

impl fmt::Debug for Wiring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wiring")
            .field("providers", &self.describe())
            .field("store", &self.store_name)
            .field("replica", &self.replica)
            .finish_non_exhaustive()
    }
}

impl Wiring {
    /// Builds every configured provider, opens the store and makes the lease.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for a bad value or a missing environment variable (each names
    /// its table); [`ConfigError::Unavailable`] when the store cannot be opened.
    pub async fn from_config(config: &Config) -> Result<Wiring, ConfigError> {
        Self::build(config, true).await
    }

    /// The providers alone, for a look that keeps nothing (a diagnosis, a check): the store is
    /// in memory, no lease is made and no file is opened.
    ///
    /// # Errors
    ///
    /// As [`from_config`](Self::from_config).
    pub async fn reading(config: &Config) -> Result<Wiring, ConfigError> {
        Self::build(config, false).await
    }

    async fn build(config: &Config, keep: bool) -> Result<Wiring, ConfigError> {
        let p = &config.providers;
        let mut cache_stats: Option<Arc<dyn CacheStats>> = None;
        if let Some(c) = &p.redis {
            cache_stats = Some(Arc::new(
                c.build().map_err(|e| e.prefixed("[providers.redis]"))?,
            ));
        }
        let mut workloads: Option<Arc<dyn Workloads>> = None;
        if let Some(c) = &p.kubernetes {
            workloads = Some(Arc::new(
                c.build()
                    .await
                    .map_err(|e| e.prefixed("[providers.kubernetes]"))?,
            ));
        }
        let kube_deployments = kube_deployments(config).await?;
        let admin = match &p.cato_api {
            Some(c) => Some(Arc::new(
                c.build().map_err(|e| e.prefixed("[providers.cato_api]"))?,
            )),
            None => None,
        };
        let mut pager: Option<Arc<dyn Pager>> = None;
        if let Some(c) = &p.pagerduty {
            pager = Some(Arc::new(
                c.build().map_err(|e| e.prefixed("[providers.pagerduty]"))?,
            ));
        }
        let mut chat: Option<Arc<dyn Chat>> = None;
        if let Some(c) = &p.slack {
            chat = Some(Arc::new(
                c.build().map_err(|e| e.prefixed("[providers.slack]"))?,
            ));
        }
        let mut mail: Option<Arc<dyn Mail>> = None;
        if let Some(c) = &p.sendgrid {
            mail = Some(Arc::new(
                c.build().map_err(|e| e.prefixed("[providers.sendgrid]"))?,
            ));
        }
        let needs_sdk = p.aws.is_some()
            || p.deployments.is_some()
            || p.health.as_ref().is_some_and(|h| h.enabled)
            || (keep
                && (config.store.kind == StoreKind::Dynamodb
                    || config.lease.kind == LeaseKind::Dynamodb));
        let sdk = if needs_sdk {
            Some(p.aws.clone().unwrap_or_default().sdk().await?)
        } else {
            None
        };
        let timeout = p
            .aws
            .as_ref()
            .and_then(|a| a.timeout)
            .unwrap_or(crate::Settings::DEFAULT_TIMEOUT);
        // Every source of recent deployments, read as one: SageMaker's endpoint configs
        // ([providers.deployments]) and the Kubernetes Deployment's revisions.
        let mut all_deployments = AllDeployments::new();
        let mut health = None;
        if let Some(sdk) = &sdk {
            if let Some(c) = &p.deployments {
                all_deployments = c.build(sdk, &config.runbooks, timeout)?;
            }
            if let Some(c) = &p.health {
                health = c.build(sdk, &config.runbooks, timeout)?;
            }
        }
        if let Some(k) = kube_deployments {
            all_deployments.push(k);
        }
        let deployments = match all_deployments.sources() {
            [] => None,
            [one] => Some(Arc::clone(one)),
            _ => Some(Arc::new(all_deployments) as Arc<dyn Deployments>),
        };
        let replica = config.lease.replica();
        let (store, store_name, lease) = if keep {
            let (store, name) = super::state::store(config, sdk.as_ref()).await?;
            (
                store,
                name,
                super::state::lease(config, sdk.as_ref(), &replica).await?,
            )
        } else {
            let store: Arc<dyn IncidentStore> = Arc::new(InMemoryIncidentStore::new());
            (store, "in memory".to_owned(), None)
        };
        Ok(Wiring {
            cache_stats,
            workloads,
            admin,
            pager,
            chat,
            mail,
            deployments,
            health,
            sdk,
            aws: p.aws.clone(),
            store,
            store_name,
            lease,
            replica,
            failover_region: config.runbooks.failover.region.clone(),
            recorder: None,
        })
    }

    /// Records every provider's calls from now on: the pager, chat and mail here, and every
    /// port [`overlay`](Self::overlay) and [`providers`](Self::providers) hand out; the engine
    /// of [`engine_builder`](Self::engine_builder) marks its ticks. Nothing is recorded
    /// without it (`run` calls it unless `[trace] enabled = false`).
    pub fn record(&mut self, recorder: Recorder) {
        self.pager = self
            .pager
            .take()
            .map(|p| <dyn Pager as Traceable>::traced(p, &recorder));
        self.chat = self
            .chat
            .take()
            .map(|p| <dyn Chat as Traceable>::traced(p, &recorder));
        self.mail = self
            .mail
            .take()
            .map(|p| <dyn Mail as Traceable>::traced(p, &recorder));
        self.recorder = Some(recorder);
    }

    /// The recorder of [`record`](Self::record), when recording.
    pub fn recorder(&self) -> Option<&Recorder> {
        self.recorder.as_ref()
    }

    /// Puts the real providers (and the store, for the runbooks that read it) into
    /// `providers`; with any real provider, time is the wall clock's.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for an unknown AWS port.
    pub fn overlay(&self, providers: &mut Providers) -> Result<(), ConfigError> {
        if let (Some(sdk), Some(table)) = (&self.sdk, &self.aws) {
            table.apply(sdk, providers)?;
            if let Some(region) = &self.failover_region {
                table.apply_region(sdk, region, providers)?;
            }
        }
        if let Some(p) = &self.cache_stats {
            providers.cache_stats = Some(Arc::clone(p));
        }
        if let Some(p) = &self.workloads {
            providers.workloads = Some(Arc::clone(p));
        }
        if let Some(p) = &self.deployments {
            providers.deployments = Some(Arc::clone(p));
        }
        if let Some(p) = &self.health {
            providers.health = Some(Arc::clone(p));
        }
        if let Some(p) = &self.admin {
            providers.budget = Some(p.clone());
            providers.traffic = Some(p.clone());
        }
        providers.incidents = Some(Arc::clone(&self.store));
        if !self.describe().is_empty() {
            providers.clock = Arc::new(SystemClock);
        }
        if let Some(recorder) = &self.recorder {
            *providers = trace_providers(providers, recorder);
        }
        Ok(())
    }

    /// The real providers alone, on the system clock: a port not configured is unset.
    ///
    /// # Errors
    ///
    /// As [`overlay`](Self::overlay).
    pub fn providers(&self) -> Result<Providers, ConfigError> {
        let mut providers = Providers::new(Arc::new(SystemClock));
        self.overlay(&mut providers)?;
        Ok(providers)
    }

    /// The pager and chat (and mail), when both a pager and a chat are configured.
    pub fn notifiers(&self) -> Option<Notifiers> {
        let notifiers = Notifiers::new(self.pager.clone()?, self.chat.clone()?);
        Some(match &self.mail {
            Some(mail) => notifiers.with_mail(Arc::clone(mail)),
            None => notifiers,
        })
    }

    /// Whether any notifier (pager, chat, mail) is configured.
    pub fn any_notifier(&self) -> bool {
        self.pager.is_some() || self.chat.is_some() || self.mail.is_some()
    }

    /// The store.
    pub fn store(&self) -> Arc<dyn IncidentStore> {
        Arc::clone(&self.store)
    }

    /// What the store is, for messages.
    pub fn store_name(&self) -> &str {
        &self.store_name
    }

    /// The lease, when one is configured.
    pub fn lease(&self) -> Option<Arc<dyn Lease>> {
        self.lease.clone()
    }

    /// This replica's name.
    pub fn replica(&self) -> &str {
        &self.replica
    }

    /// An engine builder with the enabled runbooks (built over `providers`), the policy, the
    /// engine's configuration, the store, the lease (or `alone`), the budget port when there
    /// is one, and the configured notifiers (a host without them adds its own).
    ///
    /// # Errors
    ///
    /// A runbook that cannot be built (a port it needs is missing, a bad threshold).
    pub fn engine_builder(
        &self,
        config: &Config,
        providers: &Providers,
    ) -> Result<EngineBuilder, ConfigError> {
        let mut runbooks = Vec::new();
        for entry in config.enabled() {
            runbooks.push(
                (entry.build)(providers, &config.runbooks)
                    .map_err(|e| ConfigError::from(e).prefixed(entry.id))?,
            );
        }
        // The custom metrics of [engine.alerts]: detectors for the alerts channel alone.
        let alerts = &config.engine.alerts;
        if alerts.enabled && !alerts.metrics.is_empty() {
            let Ok(metrics) = providers.metrics(cato_runbook_core::engine::CUSTOM_METRICS_RUNBOOK)
            else {
                return Err(ConfigError::invalid(
                    "engine.alerts.metrics: custom metrics need the metrics port (CloudWatch)",
                ));
            };
            runbooks.extend(
                cato_runbook_core::engine::custom_metrics_runbook(alerts, metrics)
                    .map_err(ConfigError::from)?,
            );
        }
        let mut builder = Engine::builder()
            .runbooks(runbooks)
            .clock(Arc::clone(&providers.clock))
            .store(Arc::clone(&self.store))
            .policy(config.policy.clone())
            .retention(config.store.retention)
            .config(config.engine.clone());
        if let Some(recorder) = &self.recorder {
            builder = builder.trace(recorder.clone());
        }
        builder = match &self.lease {
            Some(lease) => builder.lease(Arc::clone(lease)),
            None => builder.lease(Arc::new(cato_runbook_core::ports::Alone::new(
                self.replica.clone(),
            ))),
        };
        if let Some(notifiers) = self.notifiers() {
            builder = builder.notifiers(notifiers);
        }
        if let Some(budget) = &providers.budget {
            // The budget's mode gates every step that adds spend, whichever runbook runs it.
            builder = builder.budget(Arc::clone(budget));
        }
        Ok(builder)
    }

    /// The engine, with the configured notifiers.
    ///
    /// # Errors
    ///
    /// As [`engine_builder`](Self::engine_builder); [`ConfigError::Invalid`] without both a
    /// pager and a chat (nobody would hear of an incident).
    pub fn engine(&self, config: &Config, providers: &Providers) -> Result<Engine, ConfigError> {
        if self.notifiers().is_none() {
            return Err(ConfigError::invalid(
                "[providers.pagerduty] and [providers.slack] are both needed: without them nobody hears of an incident",
            ));
        }
        Ok(self.engine_builder(config, providers)?.build()?)
    }

    /// `(port, provider)` for each real provider but AWS's (see [`AwsConfig::describe`]).
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        let mut rows = Vec::new();
        if let Some(p) = &self.cache_stats {
            rows.push(("cache-stats", p.to_string()));
        }
        if let Some(p) = &self.workloads {
            rows.push(("workloads", p.to_string()));
        }
        if let Some(p) = &self.deployments {
            rows.push(("deployments", p.to_string()));
        }
        if let Some(p) = &self.health {
            rows.push(("health", p.to_string()));
        }
        if let Some(p) = &self.admin {
            rows.push(("budget", p.to_string()));
            rows.push(("traffic", p.to_string()));
        }
        if let Some(p) = &self.pager {
            rows.push(("pager", p.to_string()));
        }
        if let Some(p) = &self.chat {
            rows.push(("chat", p.to_string()));
        }
        if let Some(p) = &self.mail {
            rows.push(("mail", p.to_string()));
        }
        rows
    }
}

/// Recent deployments from the Kubernetes Deployment's revisions, when
/// `[providers.kubernetes]` says `deployments = true`.
async fn kube_deployments(config: &Config) -> Result<Option<Arc<dyn Deployments>>, ConfigError> {
    let Some(c) = &config.providers.kubernetes else {
        return Ok(None);
    };
    let built = c
        .build_deployments()
        .await
        .map_err(|e| e.prefixed("[providers.kubernetes]"))?;
    Ok(built.map(|p| Arc::new(p) as Arc<dyn Deployments>))
}
