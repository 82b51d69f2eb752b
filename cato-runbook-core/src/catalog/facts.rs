//! The facts the catalog's diagnoses write and its steps read, each named once with the type
//! of its value.
//!
//! A diagnosis writes a fact with [`Finding::with`](crate::runbook::Finding::with) and a step's
//! precondition reads it with [`Findings::get`](crate::runbook::Findings::get) (or
//! [`Findings::text_of`](crate::runbook::Findings::text_of) to borrow text), through the same
//! key: the name cannot be misspelt on one side, nor the value written as an integer and read as
//! a measurement. The names are what saved incidents hold; changing one breaks them.
//!
//! Integers are [`Fact::Int`](crate::runbook::Fact::Int) (`u32` for sizes the ports report as
//! `u32`, `i64` for counts), measurements [`Fact::Float`](crate::runbook::Fact::Float).

use crate::runbook::FactKey;

// Shadow Self Endpoint Down: the endpoint's status and configs (`endpoint-status`).

/// The endpoint's status as SageMaker names it (`InService`, `Failed`, …); also written by High
/// Latency's `capacity`.
pub const ENDPOINT_STATUS: FactKey<String> = FactKey::new("endpoint_status");
/// Instances of the endpoint's variant in service (`CurrentInstanceCount`).
pub const INSTANCE_COUNT: FactKey<u32> = FactKey::new("instance_count");
/// Instances the endpoint's variant should run (`DesiredInstanceCount`).
pub const DESIRED_INSTANCES: FactKey<u32> = FactKey::new("desired_instances");
/// The name of the endpoint config the endpoint runs.
pub const ENDPOINT_CONFIG: FactKey<String> = FactKey::new("endpoint_config");
/// The newest endpoint config older than the current one: the rollback's target.
pub const PREVIOUS_CONFIG: FactKey<String> = FactKey::new("previous_config");
/// SageMaker's failure reason for the endpoint, when it gives one.
pub const FAILURE_REASON: FactKey<String> = FactKey::new("failure_reason");
/// The endpoint's 5XX share of invocations over the window, in percent (0–100); also written by
/// High Latency's `component-latencies`.
pub const ENDPOINT_5XX_PERCENT: FactKey<f64> = FactKey::new("endpoint_5xx_percent");
/// The endpoint's `ModelLatency` p99 over the window, in milliseconds.
pub const INTROSPECTION_P99_MS: FactKey<f64> = FactKey::new("introspection_p99_ms");
/// Whether the endpoint itself is failing (down, slow or answering 5XX), not only its callers.
pub const ENDPOINT_FAILING: FactKey<bool> = FactKey::new("endpoint_failing");

// Shadow Self Endpoint Down: the ERROR log events (`error-logs`).

/// ERROR log events since the look-back (count).
pub const ERROR_EVENTS: FactKey<i64> = FactKey::new("error_events");
/// ERROR events naming an out-of-memory error (count).
pub const OOM_EVENTS: FactKey<i64> = FactKey::new("oom_events");
/// ERROR events naming a GPU driver error (count).
pub const GPU_DRIVER_EVENTS: FactKey<i64> = FactKey::new("gpu_driver_events");
/// ERROR events naming a container crash loop (count).
pub const CRASH_LOOP_EVENTS: FactKey<i64> = FactKey::new("crash_loop_events");

// Shadow Self Endpoint Down: the host's circuit breaker (`circuit-breaker`).

/// The breaker's state: `CLOSED`, `OPEN` or `HALF_OPEN`.
pub const BREAKER_STATE: FactKey<String> = FactKey::new("breaker_state");
/// The failure share of the breaker's window, in percent (0–100), once the window is judged.
pub const BREAKER_FAILURE_RATE_PERCENT: FactKey<f64> = FactKey::new("breaker_failure_rate_percent");

// High Latency: component latencies (`component-latencies`).

/// End-to-end request latency p99, in milliseconds.
pub const REQUEST_P99_MS: FactKey<f64> = FactKey::new("request_p99_ms");
/// End-to-end request latency p50, in milliseconds.
pub const REQUEST_P50_MS: FactKey<f64> = FactKey::new("request_p50_ms");
/// Shadow Self's `ModelLatency` p99, in milliseconds.
pub const MODEL_P99_MS: FactKey<f64> = FactKey::new("model_p99_ms");
/// Whether Shadow Self's model p99 is above the runbook's threshold.
pub const SHADOW_SELF_SLOW: FactKey<bool> = FactKey::new("shadow_self_slow");
/// The cache's hit rate, in percent (0–100).
pub const CACHE_HIT_RATE_PERCENT: FactKey<f64> = FactKey::new("cache_hit_rate_percent");
/// Whether the cache's hit rate is below the runbook's floor.
pub const CACHE_HIT_RATE_LOW: FactKey<bool> = FactKey::new("cache_hit_rate_low");
/// Bedrock calls throttled, in percent (0–100) of the calls made.
pub const BEDROCK_THROTTLED_PERCENT: FactKey<f64> = FactKey::new("bedrock_throttled_percent");
/// Whether Bedrock throttles at least the runbook's share of calls.
pub const BEDROCK_THROTTLING: FactKey<bool> = FactKey::new("bedrock_throttling");
/// Bedrock's invocation latency p99, in milliseconds.
pub const BEDROCK_P99_MS: FactKey<f64> = FactKey::new("bedrock_p99_ms");
/// The id of an open incident of a related runbook (`INC-…`), the likelier cause.
pub const RELATED_INCIDENT: FactKey<String> = FactKey::new("related_incident");
/// The runbook id of that related incident (`cache-miss-spike`, …).
pub const RELATED_RUNBOOK: FactKey<String> = FactKey::new("related_runbook");

// High Latency: capacity (`capacity`).

/// Instances of Shadow Self's variant in service.
pub const ENDPOINT_INSTANCES: FactKey<u32> = FactKey::new("endpoint_instances");
/// Instances Shadow Self's variant should run: what the scaling step starts from.
pub const ENDPOINT_DESIRED_INSTANCES: FactKey<u32> = FactKey::new("endpoint_desired_instances");
/// Replicas the orchestrator's deployment should run.
pub const ORCHESTRATOR_REPLICAS: FactKey<u32> = FactKey::new("orchestrator_replicas");
/// Replicas of the orchestrator's deployment ready.
pub const ORCHESTRATOR_READY_REPLICAS: FactKey<u32> = FactKey::new("orchestrator_ready_replicas");

// Cache Miss Spike: cache stats (`cache-stats`).

/// Hits since the cache server started, when no window was measured yet (count).
pub const LIFETIME_HITS: FactKey<i64> = FactKey::new("lifetime_hits");
/// Misses since the cache server started, when no window was measured yet (count).
pub const LIFETIME_MISSES: FactKey<i64> = FactKey::new("lifetime_misses");
/// Evictions since the cache server started, when no window was measured yet (count).
pub const LIFETIME_EVICTIONS: FactKey<i64> = FactKey::new("lifetime_evictions");
/// Hit rate since the cache server started, as a share (0–1).
pub const LIFETIME_HIT_RATE: FactKey<f64> = FactKey::new("lifetime_hit_rate");
/// Hit rate over the detector's last window, as a share (0–1).
pub const HIT_RATE: FactKey<f64> = FactKey::new("hit_rate");
/// Hits in the detector's last window (count).
pub const WINDOW_HITS: FactKey<i64> = FactKey::new("window_hits");
/// Misses in the detector's last window (count).
pub const WINDOW_MISSES: FactKey<i64> = FactKey::new("window_misses");
/// Evictions in the detector's last window (count).
pub const WINDOW_EVICTIONS: FactKey<i64> = FactKey::new("window_evictions");
/// The length of the detector's last window, in seconds.
pub const WINDOW_SECONDS: FactKey<i64> = FactKey::new("window_seconds");
/// Evictions per lookup in the detector's last window, as a share (0–1).
pub const EVICTION_SHARE: FactKey<f64> = FactKey::new("eviction_share");
/// Whether evictions show the cache is undersized: the node-type step's trigger.
pub const CACHE_UNDERSIZED: FactKey<bool> = FactKey::new("cache_undersized");

// Cache Miss Spike: invalidations (`cache-invalidations`).

/// The most invalidations in one minute of the recent window (per minute).
pub const INVALIDATIONS_PEAK_PER_MINUTE: FactKey<f64> =
    FactKey::new("invalidations_peak_per_minute");
/// The mean invalidations per minute of the baseline before it (per minute).
pub const INVALIDATIONS_BASELINE_PER_MINUTE: FactKey<f64> =
    FactKey::new("invalidations_baseline_per_minute");
/// Whether the peak is a spike against the baseline: the review step's trigger.
pub const INVALIDATION_SPIKE: FactKey<bool> = FactKey::new("invalidation_spike");
/// Whether a learning update is among the recent deployments.
pub const LEARNING_UPDATE: FactKey<bool> = FactKey::new("learning_update");
/// The latest learning update: `service version at HH:MM`.
pub const LEARNING_UPDATE_NAME: FactKey<String> = FactKey::new("learning_update_name");

// Cache Miss Spike: the replication group (`replication-group`).

/// The replication group's cache node type (`cache.r7g.large`, …).
pub const NODE_TYPE: FactKey<String> = FactKey::new("node_type");
/// The replication group's status (`available`, `modifying`, …).
pub const CLUSTER_STATUS: FactKey<String> = FactKey::new("cluster_status");
/// The replication group's nodes (count).
pub const NODES: FactKey<u32> = FactKey::new("nodes");

// Budget Exceeded: the budget status (`budget-status`).

/// The budget mode: `NORMAL`, `WARNING` or `EMERGENCY`.
pub const BUDGET_MODE: FactKey<String> = FactKey::new("budget_mode");
/// Spent this month, in US dollars.
pub const SPENT_USD: FactKey<f64> = FactKey::new("spent_usd");
/// The monthly limit, in US dollars.
pub const MONTHLY_LIMIT_USD: FactKey<f64> = FactKey::new("monthly_limit_usd");
/// When the budget resets, as RFC 3339.
pub const NEXT_RESET: FactKey<String> = FactKey::new("next_reset");
/// Time until the budget resets, in hours.
pub const HOURS_TO_RESET: FactKey<f64> = FactKey::new("hours_to_reset");
/// Whether curiosity exploration is enabled.
pub const CURIOSITY_ENABLED: FactKey<bool> = FactKey::new("curiosity_enabled");

// Bedrock Throttling: the quota against demand (`bedrock-quota`).

/// The Bedrock quota in force, in calls per minute.
pub const BEDROCK_QUOTA: FactKey<f64> = FactKey::new("bedrock.quota");
/// The Bedrock quota's name as Service Quotas gives it.
pub const BEDROCK_QUOTA_NAME: FactKey<String> = FactKey::new("bedrock.quota_name");
/// Peak demand (served and throttled) since a window before detection, in calls per minute.
pub const BEDROCK_PEAK_CALLS_PER_MINUTE: FactKey<f64> =
    FactKey::new("bedrock.peak_calls_per_minute");
/// Bedrock calls throttled since a window before detection, as a share (0–1).
pub const BEDROCK_THROTTLE_RATE: FactKey<f64> = FactKey::new("bedrock.throttle_rate");

// Bedrock Throttling: the throttling lines (`throttling-logs`).

/// The orchestrator's throttling log lines since a window before detection (count).
pub const LOGS_THROTTLING_LINES: FactKey<i64> = FactKey::new("logs.throttling_lines");
/// Those lines that mention a fallback (count).
pub const LOGS_FALLBACK_LINES: FactKey<i64> = FactKey::new("logs.fallback_lines");

// Bedrock Throttling: the traffic controls and Shadow Self (`traffic-controls`).

/// The Shadow Self share of LLM traffic, as a share (0–1).
pub const TRAFFIC_SHADOW_SELF_SHARE: FactKey<f64> = FactKey::new("traffic.shadow_self_share");
/// The cache similarity threshold (0–1).
pub const TRAFFIC_CACHE_SIMILARITY_THRESHOLD: FactKey<f64> =
    FactKey::new("traffic.cache_similarity_threshold");
/// Whether emergency mode is on.
pub const TRAFFIC_EMERGENCY_MODE: FactKey<bool> = FactKey::new("traffic.emergency_mode");
/// The Shadow Self endpoint's status as SageMaker names it (`InService`, …).
pub const SHADOW_SELF_STATUS: FactKey<String> = FactKey::new("shadow_self.status");
/// Instances of the Shadow Self endpoint in service.
pub const SHADOW_SELF_INSTANCES: FactKey<u32> = FactKey::new("shadow_self.instances");
/// Whether Shadow Self is in service with instances serving: the traffic shift's trigger.
pub const SHADOW_SELF_SERVING: FactKey<bool> = FactKey::new("shadow_self.serving");

// DynamoDB Hot Partition: the table's capacity (`table-capacity`).

/// The table's billing mode: `PROVISIONED` or `PAY_PER_REQUEST`.
pub const TABLE_BILLING_MODE: FactKey<String> = FactKey::new("table.billing_mode");
/// The table's status as DynamoDB names it (`ACTIVE`, `UPDATING`, …).
pub const TABLE_STATUS: FactKey<String> = FactKey::new("table.status");
/// Read capacity consumed since a window before detection, peak, in units per second.
pub const TABLE_CONSUMED_READ: FactKey<f64> = FactKey::new("table.consumed_read");
/// Write capacity consumed since a window before detection, peak, in units per second.
pub const TABLE_CONSUMED_WRITE: FactKey<f64> = FactKey::new("table.consumed_write");
/// Read capacity provisioned, in capacity units (0 on demand).
pub const TABLE_PROVISIONED_READ: FactKey<f64> = FactKey::new("table.provisioned_read");
/// Write capacity provisioned, in capacity units (0 on demand).
pub const TABLE_PROVISIONED_WRITE: FactKey<f64> = FactKey::new("table.provisioned_write");
/// Throttled requests since a window before detection (count).
pub const TABLE_THROTTLE_EVENTS: FactKey<i64> = FactKey::new("table.throttle_events");

// DynamoDB Hot Partition: the domains affected (`affected-domains`).

/// The throughput-exceeded log lines since a window before detection (count).
pub const LOGS_THROUGHPUT_LINES: FactKey<i64> = FactKey::new("logs.throughput_lines");
/// The memory domains those lines name, most named first, comma-separated.
pub const DOMAINS_AFFECTED: FactKey<String> = FactKey::new("domains.affected");
/// The memory domain named most.
pub const DOMAINS_TOP: FactKey<String> = FactKey::new("domains.top");
/// The top domain's share of the lines naming a domain (0–1).
pub const DOMAINS_TOP_SHARE: FactKey<f64> = FactKey::new("domains.top_share");

// First five minutes: recent deployments (`recent-deployments`).

/// Deployments of the services that matter since the look-back (count).
pub const DEPLOYMENTS_RECENT: FactKey<i64> = FactKey::new("deployments.recent");
/// Deployments that landed shortly before detection, the suspects (count).
pub const DEPLOYMENTS_SUSPECTS: FactKey<i64> = FactKey::new("deployments.suspects");
/// The latest suspect's service.
pub const DEPLOYMENTS_SUSPECT_SERVICE: FactKey<String> =
    FactKey::new("deployments.suspect_service");
/// The latest suspect's version.
pub const DEPLOYMENTS_SUSPECT_VERSION: FactKey<String> =
    FactKey::new("deployments.suspect_version");
/// Every suspect's service, the latest first, comma-separated.
pub const DEPLOYMENTS_SUSPECT_SERVICES: FactKey<String> =
    FactKey::new("deployments.suspect_services");
/// How long before detection the latest suspect landed, in whole minutes.
pub const DEPLOYMENTS_SUSPECT_MINUTES_BEFORE: FactKey<i64> =
    FactKey::new("deployments.suspect_minutes_before");

/// Sources of deployments that could not be read (count); the others' deployments are still
/// listed.
pub const DEPLOYMENTS_UNREAD_SOURCES: FactKey<i64> = FactKey::new("deployments.unread_sources");
/// The names of those sources, comma-separated.
pub const DEPLOYMENTS_UNREAD: FactKey<String> = FactKey::new("deployments.unread");

// First five minutes: cloud health (`cloud-health-events`).

/// Open cloud health events of the services and regions that matter (count).
pub const HEALTH_OPEN_EVENTS: FactKey<i64> = FactKey::new("health.open_events");
/// Cloud health events of those services and regions since the look-back, open or closed
/// (count).
pub const HEALTH_EVENTS: FactKey<i64> = FactKey::new("health.events");
/// Whether the cloud's health dashboard cannot be read from this account at all (AWS Health
/// without a Business or Enterprise support plan): no event is known, none is ruled out.
pub const HEALTH_UNAVAILABLE: FactKey<bool> = FactKey::new("health.unavailable");

// First five minutes: the dashboard (`dashboard-signals`).

/// Shadow Self's 5XX rate over the window, as a share (0–1).
pub const DASHBOARD_SHADOW_SELF_ERROR_RATE: FactKey<f64> =
    FactKey::new("dashboard.shadow_self_error_rate");
/// Shadow Self's model latency p99 over the window, in milliseconds.
pub const DASHBOARD_SHADOW_SELF_P99_MS: FactKey<f64> = FactKey::new("dashboard.shadow_self_p99_ms");
/// The cache's hit rate over the window, as a share (0–1).
pub const DASHBOARD_CACHE_HIT_RATE: FactKey<f64> = FactKey::new("dashboard.cache_hit_rate");
/// Bedrock's throttle rate over the window, as a share (0–1).
pub const DASHBOARD_BEDROCK_THROTTLE_RATE: FactKey<f64> =
    FactKey::new("dashboard.bedrock_throttle_rate");
/// The table's throttled requests over the window (a sum of the metric's points).
pub const DASHBOARD_TABLE_THROTTLES: FactKey<f64> = FactKey::new("dashboard.table_throttles");
/// End-to-end request latency p99 over the window, in milliseconds.
pub const DASHBOARD_REQUEST_P99_MS: FactKey<f64> = FactKey::new("dashboard.request_p99_ms");
/// Signals past their thresholds (count).
pub const DASHBOARD_OBVIOUS_ISSUES: FactKey<i64> = FactKey::new("dashboard.obvious_issues");
