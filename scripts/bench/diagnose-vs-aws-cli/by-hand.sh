#!/usr/bin/env bash
# The runbook's own diagnosis commands, one after another, as an operator runs them: every
# "Diagnosis:" block of the runbook (Shadow Self down, high latency, cache miss spike, budget
# exceeded, Bedrock throttling, DynamoDB hot partition). Corrected only where they do not run
# as written:
#   - `date -v-1H` is BSD's; GNU date says `date -d '-1 hour'`;
#   - `--statistics p99` is refused by CloudWatch (a percentile is an extended statistic);
#   - the CacheInvalidations and ConsumedReadCapacityUnits queries lack the time range, period
#     and statistic get-metric-statistics requires (the last hour, per minute, Sum);
#   - the cache host, the admin API's address and the Bedrock quota code are the peers'.
# `aws` is the pinned AWS CLI v1 with AWS_ENDPOINT_URL at the moto peer; REDIS_HOST,
# REDIS_PORT, CATO_ADMIN_URL and TOKEN come from the environment. A command that fails fails
# the script.
set -euo pipefail

# Shadow Self endpoint down: endpoint status, CloudWatch logs.
aws sagemaker describe-endpoint --endpoint-name cato-shadow-self
aws logs filter-log-events \
  --log-group-name /aws/sagemaker/Endpoints/cato-shadow-self \
  --filter-pattern "ERROR"

# High latency: component latencies.
aws cloudwatch get-metric-statistics \
  --namespace AWS/SageMaker \
  --metric-name ModelLatency \
  --dimensions Name=EndpointName,Value=cato-shadow-self \
  --start-time "$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)" \
  --end-time "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  --period 60 \
  --extended-statistics p99

# Cache miss spike: cache stats, recent cache invalidations.
redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" INFO stats
aws cloudwatch get-metric-statistics \
  --namespace Custom/Cato \
  --metric-name CacheInvalidations \
  --start-time "$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)" \
  --end-time "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  --period 60 \
  --statistics Sum

# Budget exceeded: budget status.
curl -sSf -H "Authorization: Bearer $TOKEN" \
  "$CATO_ADMIN_URL/api/admin/cato/budget/status"

# Bedrock throttling: Bedrock quotas.
aws service-quotas get-service-quota \
  --service-code bedrock \
  --quota-code L-XXXXXXXX

# DynamoDB hot partition: consumed capacity.
aws cloudwatch get-metric-statistics \
  --namespace AWS/DynamoDB \
  --metric-name ConsumedReadCapacityUnits \
  --dimensions Name=TableName,Value=cato-semantic-memory \
  --start-time "$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)" \
  --end-time "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  --period 60 \
  --statistics Sum
