//! The cache fakes: Redis `INFO stats` and the ElastiCache replication group.

use async_trait::async_trait;
use cato_runbook_core::ports::{CacheCluster, CacheClusterState, CacheCounters, CacheStats};
use cato_runbook_core::time;
use cato_runbook_core::{Error, ErrorKind, IdempotencyKey, Result, Retry};
use serde_json::json;

use super::metrics::hash;
use super::{FakeCacheCluster, FakeCacheStats};
use crate::ops::Op;
use crate::world::{Reply, Timer, node_memory_gib};

const REDIS: &str = "fake-redis";
const ELASTICACHE: &str = "fake-elasticache";

/// A Redis run id: 40 hex digits, new at every restart.
fn run_id(seed: u64, cache: &str, run: u32) -> String {
    let a = hash(&format!("{seed}/{cache}/{run}"));
    let b = hash(&format!("{run}/{cache}/{seed}"));
    let c = hash(&format!("{cache}/{seed}/{run}/run"));
    format!("{a:016x}{b:016x}{:08x}", c >> 32)
}

#[async_trait]
impl CacheStats for FakeCacheStats {
    async fn counters(&self, cache: &str) -> Result<CacheCounters> {
        let op = Op::CacheStatsCounters;
        self.world
            .call(op, REDIS, json!({ "cache": cache }), None, |sim, now| {
                let state = sim.state();
                let i = state
                    .cache_index(cache)
                    .ok_or_else(|| Error::not_found(op.as_str(), cache))?;
                let counters = state.cache_counters(i, now);
                let run = state.caches.get(i).map_or(0, |c| c.run);
                Ok(Reply::new(CacheCounters {
                    at: now,
                    run_id: Some(run_id(sim.config.seed, cache, run)),
                    hits: counters.hits.floor() as u64,
                    misses: counters.misses.floor() as u64,
                    evictions: counters.evictions.floor() as u64,
                    expirations: counters.expirations.floor() as u64,
                }))
            })
            .await
    }
}

#[async_trait]
impl CacheCluster for FakeCacheCluster {
    async fn describe(&self, id: &str) -> Result<CacheClusterState> {
        let op = Op::CacheClusterDescribe;
        self.world
            .call(op, ELASTICACHE, json!({ "id": id }), None, |sim, _| {
                let state = sim.state();
                state
                    .cache_index(id)
                    .and_then(|i| state.cache_cluster(i))
                    .map(Reply::new)
                    .ok_or_else(|| Error::not_found(op.as_str(), id))
            })
            .await
    }

    async fn modify_node_type(
        &self,
        id: &str,
        node_type: &str,
        key: &IdempotencyKey,
    ) -> Result<()> {
        let op = Op::CacheClusterModifyNodeType;
        let args = json!({ "id": id, "node_type": node_type });
        self.world
            .call(op, ELASTICACHE, args.clone(), Some(key), |sim, now| {
                sim.idempotent(op, id, key, &args, |sim| {
                    let cache = sim
                        .state()
                        .cache(id)
                        .ok_or_else(|| Error::not_found(op.as_str(), id))?;
                    if node_memory_gib(node_type).is_none() {
                        return Err(Error::invalid_input(
                            op.as_str(),
                            format!("{node_type} is not a valid cache node type"),
                        )
                        .with_resource(id));
                    }
                    if cache.pending.is_some() {
                        return Err(Error::new(
                            ErrorKind::Conflict,
                            op.as_str(),
                            "replication group is not in available state (modifying)",
                        )
                        .with_resource(id)
                        .with_retry(Retry::Transient));
                    }
                    if cache.node_type == node_type {
                        return Err(Error::invalid_input(
                            op.as_str(),
                            format!("no modifications were requested: the node type is already {node_type}"),
                        )
                        .with_resource(id));
                    }
                    let op_id = sim.next_id();
                    let mut state = sim.edit(now);
                    let mut done = now;
                    if let Some(c) = state.cache_mut(id) {
                        done = time::add(now, c.modify_duration);
                        c.pending = Some((op_id, node_type.to_owned()));
                    }
                    sim.commit(now, state);
                    sim.schedule(
                        done,
                        Timer::CacheModifyDone {
                            cache: id.to_owned(),
                            op: op_id,
                        },
                    );
                    Ok(())
                })
                .map(Reply::from_idempotent)
            })
            .await
    }
}
