//! `Arc<T>` and `Box<T>` of a port implement the port, as `object_store` does: a wrapper generic
//! over its inner provider (`Timeout<P>`, `FaultInjecting<P>`, …) takes `Arc<dyn Port>` as
//! readily as a concrete provider.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::{
    AlarmPage, Alarms, BillingMode, Budget, BudgetStatus, CacheCluster, CacheClusterState,
    CacheCounters, CacheStats, Chat, ChatMessage, Clock, CloudHealth, Created, Deployment,
    Deployments, DeploymentsRead, Dimension, Email, EndpointConfig, EndpointConfigDescription,
    EndpointDescription, Fence, Guardrails, HealthEvent, IncidentStore, Leadership, Lease,
    LogEvent, Logs, Mail, MetricQuery, MetricSeries, Metrics, ModelEndpoint, Page, Pager, Posted,
    QuotaRequest, QuotaValue, Quotas, Revision, Stored, TableState, Tables, TrafficControl,
    TrafficState, WorkloadState, Workloads,
};
use crate::error::Result;
use crate::incident::{IdempotencyKey, Incident, IncidentId};
use crate::time::Timestamp;

macro_rules! forward {
    ($($ptr:ident),*) => {$(
        #[async_trait]
        impl<T: Clock + ?Sized> Clock for $ptr<T> {
            fn now(&self) -> Timestamp { (**self).now() }
            async fn sleep(&self, duration: Duration) { (**self).sleep(duration).await }
        }

        #[async_trait]
        impl<T: ModelEndpoint + ?Sized> ModelEndpoint for $ptr<T> {
            async fn describe(&self, endpoint: &str) -> Result<EndpointDescription> {
                (**self).describe(endpoint).await
            }
            async fn update_config(&self, endpoint: &str, config: &str, key: &IdempotencyKey) -> Result<()> {
                (**self).update_config(endpoint, config, key).await
            }
            async fn list_configs(&self, name_contains: &str) -> Result<Vec<EndpointConfig>> {
                (**self).list_configs(name_contains).await
            }
            async fn describe_config(&self, config: &str) -> Result<EndpointConfigDescription> {
                (**self).describe_config(config).await
            }
            async fn set_instance_count(&self, endpoint: &str, variant: &str, count: u32, key: &IdempotencyKey) -> Result<()> {
                (**self).set_instance_count(endpoint, variant, count, key).await
            }
        }

        #[async_trait]
        impl<T: Metrics + ?Sized> Metrics for $ptr<T> {
            async fn query(&self, queries: &[MetricQuery], start: Timestamp, end: Timestamp) -> Result<Vec<MetricSeries>> {
                (**self).query(queries, start, end).await
            }
            async fn put(&self, namespace: &str, metric: &str, dimensions: &[Dimension], value: f64, at: Timestamp) -> Result<()> {
                (**self).put(namespace, metric, dimensions, value, at).await
            }
        }

        #[async_trait]
        impl<T: Logs + ?Sized> Logs for $ptr<T> {
            async fn filter(&self, group: &str, pattern: &str, since: Timestamp, limit: usize) -> Result<Vec<LogEvent>> {
                (**self).filter(group, pattern, since, limit).await
            }
        }

        #[async_trait]
        impl<T: Alarms + ?Sized> Alarms for $ptr<T> {
            async fn describe(&self, prefix: &str, max_records: u32, next_token: Option<String>) -> Result<AlarmPage> {
                (**self).describe(prefix, max_records, next_token).await
            }
        }

        #[async_trait]
        impl<T: CacheStats + ?Sized> CacheStats for $ptr<T> {
            async fn counters(&self, cache: &str) -> Result<CacheCounters> {
                (**self).counters(cache).await
            }
        }

        #[async_trait]
        impl<T: CacheCluster + ?Sized> CacheCluster for $ptr<T> {
            async fn describe(&self, id: &str) -> Result<CacheClusterState> {
                (**self).describe(id).await
            }
            async fn modify_node_type(&self, id: &str, node_type: &str, key: &IdempotencyKey) -> Result<()> {
                (**self).modify_node_type(id, node_type, key).await
            }
        }

        #[async_trait]
        impl<T: Budget + ?Sized> Budget for $ptr<T> {
            async fn status(&self) -> Result<BudgetStatus> { (**self).status().await }
            async fn set_monthly_limit(&self, usd: f64, key: &IdempotencyKey) -> Result<()> {
                (**self).set_monthly_limit(usd, key).await
            }
        }

        #[async_trait]
        impl<T: Quotas + ?Sized> Quotas for $ptr<T> {
            async fn get(&self, service: &str, code: &str) -> Result<QuotaValue> {
                (**self).get(service, code).await
            }
            async fn request_increase(&self, service: &str, code: &str, desired: f64, key: &IdempotencyKey) -> Result<QuotaRequest> {
                (**self).request_increase(service, code, desired, key).await
            }
            async fn request_status(&self, request_id: &str) -> Result<QuotaRequest> {
                (**self).request_status(request_id).await
            }
        }

        #[async_trait]
        impl<T: Tables + ?Sized> Tables for $ptr<T> {
            async fn describe(&self, table: &str) -> Result<TableState> { (**self).describe(table).await }
            async fn set_billing_mode(&self, table: &str, mode: BillingMode, key: &IdempotencyKey) -> Result<()> {
                (**self).set_billing_mode(table, mode, key).await
            }
        }

        #[async_trait]
        impl<T: Workloads + ?Sized> Workloads for $ptr<T> {
            async fn get(&self, namespace: &str, name: &str) -> Result<WorkloadState> {
                (**self).get(namespace, name).await
            }
            async fn scale(&self, namespace: &str, name: &str, replicas: u32, key: &IdempotencyKey) -> Result<()> {
                (**self).scale(namespace, name, replicas, key).await
            }
            async fn revisions(&self, namespace: &str, name: &str) -> Result<Vec<Revision>> {
                (**self).revisions(namespace, name).await
            }
            async fn roll_back(&self, namespace: &str, name: &str, to_revision: u64, key: &IdempotencyKey) -> Result<()> {
                (**self).roll_back(namespace, name, to_revision, key).await
            }
        }

        #[async_trait]
        impl<T: TrafficControl + ?Sized> TrafficControl for $ptr<T> {
            async fn state(&self) -> Result<TrafficState> { (**self).state().await }
            async fn set_shadow_self_share(&self, share: f64, key: &IdempotencyKey) -> Result<()> {
                (**self).set_shadow_self_share(share, key).await
            }
            async fn set_cache_similarity_threshold(&self, threshold: f64, key: &IdempotencyKey) -> Result<()> {
                (**self).set_cache_similarity_threshold(threshold, key).await
            }
            async fn set_emergency_mode(&self, on: bool, key: &IdempotencyKey) -> Result<()> {
                (**self).set_emergency_mode(on, key).await
            }
            async fn set_region_weights(&self, weights: &BTreeMap<String, f64>, key: &IdempotencyKey) -> Result<()> {
                (**self).set_region_weights(weights, key).await
            }
        }

        #[async_trait]
        impl<T: Deployments + ?Sized> Deployments for $ptr<T> {
            async fn since(&self, since: Timestamp) -> Result<Vec<Deployment>> { (**self).since(since).await }
            async fn read(&self, since: Timestamp) -> Result<DeploymentsRead> { (**self).read(since).await }
        }

        #[async_trait]
        impl<T: CloudHealth + ?Sized> CloudHealth for $ptr<T> {
            async fn events(&self, since: Timestamp) -> Result<Vec<HealthEvent>> { (**self).events(since).await }
        }

        #[async_trait]
        impl<T: Pager + ?Sized> Pager for $ptr<T> {
            async fn trigger(&self, page: &Page) -> Result<()> { (**self).trigger(page).await }
            async fn acknowledge(&self, target: &str, dedup_key: &str) -> Result<()> {
                (**self).acknowledge(target, dedup_key).await
            }
            async fn resolve(&self, target: &str, dedup_key: &str) -> Result<()> {
                (**self).resolve(target, dedup_key).await
            }
        }

        #[async_trait]
        impl<T: Chat + ?Sized> Chat for $ptr<T> {
            async fn post(&self, message: &ChatMessage) -> Result<Posted> { (**self).post(message).await }
        }

        #[async_trait]
        impl<T: Mail + ?Sized> Mail for $ptr<T> {
            async fn send(&self, email: &Email) -> Result<()> { (**self).send(email).await }
        }

        #[async_trait]
        impl<T: IncidentStore + ?Sized> IncidentStore for $ptr<T> {
            async fn create(&self, incident: &Incident, fence: Fence) -> Result<Created> {
                (**self).create(incident, fence).await
            }
            async fn update(&self, incident: &Incident, version: u64, fence: Fence) -> Result<u64> {
                (**self).update(incident, version, fence).await
            }
            async fn get(&self, id: &IncidentId) -> Result<Option<Stored<Incident>>> { (**self).get(id).await }
            async fn open(&self) -> Result<Vec<Stored<Incident>>> { (**self).open().await }
            async fn all(&self) -> Result<Vec<Incident>> { (**self).all().await }
            async fn open_versions(&self) -> Result<Vec<(IncidentId, u64)>> { (**self).open_versions().await }
            async fn awaiting_postmortem(&self) -> Result<Vec<Stored<Incident>>> { (**self).awaiting_postmortem().await }
            async fn delete_closed(&self, closed_before: Timestamp, fence: Fence) -> Result<u64> {
                (**self).delete_closed(closed_before, fence).await
            }
            async fn guardrails(&self) -> Result<Stored<Guardrails>> { (**self).guardrails().await }
            async fn save_guardrails(&self, guardrails: &Guardrails, version: u64, fence: Fence) -> Result<u64> {
                (**self).save_guardrails(guardrails, version, fence).await
            }
        }

        #[async_trait]
        impl<T: Lease + ?Sized> Lease for $ptr<T> {
            fn replica(&self) -> &str { (**self).replica() }
            async fn acquire(&self, ttl: Duration) -> Result<Leadership> { (**self).acquire(ttl).await }
            async fn release(&self) -> Result<()> { (**self).release().await }
        }
    )*};
}

forward!(Arc, Box);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_to_ports_are_ports() {
        fn clock(_: &impl Clock) {}
        fn store(_: &impl IncidentStore) {}
        fn lease(_: &impl Lease) {}
        let c: Arc<dyn Clock> = Arc::new(super::super::SystemClock);
        clock(&c);
        let s: Box<dyn IncidentStore> = Box::new(super::super::InMemoryIncidentStore::new());
        store(&s);
        let k: Arc<dyn Lease> = Arc::new(super::super::Alone::default());
        lease(&k);
        assert_eq!(k.replica(), "alone");
    }
}
