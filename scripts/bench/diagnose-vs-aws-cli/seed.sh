#!/usr/bin/env bash
# Seeds one world on the peers, with the same AWS CLI the comparison times (AWS_ENDPOINT_URL at
# the moto peer's proxy, so the metrics put go through it and it answers their percentiles):
# the Shadow Self endpoint on its config `cato-shadow-self-config` (and the previous
# `cato-shadow-self-config-v1`), its log group with events, the orchestrator's log group, the
# metrics the runbooks read over the last 15 minutes, the table `cato-semantic-memory`, the replication group `cato-cache`, and
# keys, hits and misses in redis (REDIS_HOST, REDIS_PORT). The Bedrock quota is the proxy's own
# (CATO_MOTO_PROXY_QUOTAS).
set -euo pipefail

log() { echo "seed: $*" >&2; }

state="$(mktemp -d)"
trap 'rm -rf "$state"' EXIT

account="$(aws sts get-caller-identity --query Account --output text)"

log "SageMaker endpoint cato-shadow-self"
aws sagemaker create-model --model-name cato-shadow-self-model \
  --execution-role-arn "arn:aws:iam::$account:role/sagemaker" \
  --primary-container Image=cato/shadow-self:1 > /dev/null
for config in cato-shadow-self-config-v1 cato-shadow-self-config; do
  aws sagemaker create-endpoint-config --endpoint-config-name "$config" \
    --production-variants "VariantName=primary,ModelName=cato-shadow-self-model,InitialInstanceCount=2,InstanceType=ml.g4dn.xlarge,InitialVariantWeight=1.0" > /dev/null
done
aws sagemaker create-endpoint --endpoint-name cato-shadow-self \
  --endpoint-config-name cato-shadow-self-config > /dev/null

log "log group /aws/sagemaker/Endpoints/cato-shadow-self"
group=/aws/sagemaker/Endpoints/cato-shadow-self
aws logs create-log-group --log-group-name "$group"
aws logs create-log-stream --log-group-name "$group" --log-stream-name primary/i-0001
now_ms=$(($(date +%s) * 1000))
events="$(python3 - "$now_ms" << 'PY'
import json, sys
now = int(sys.argv[1])
lines = ["INFO request served"] * 6 + [
    "ERROR torch.OutOfMemoryError: CUDA out of memory",
    "ERROR worker exited with code 137",
]
print(json.dumps([{"timestamp": now - 60_000 * (len(lines) - i), "message": m} for i, m in enumerate(lines)]))
PY
)"
aws logs put-log-events --log-group-name "$group" --log-stream-name primary/i-0001 \
  --log-events "$events" > /dev/null

log "log group /cato/orchestrator"
aws logs create-log-group --log-group-name /cato/orchestrator
aws logs create-log-stream --log-group-name /cato/orchestrator --log-stream-name cato-0
aws logs put-log-events --log-group-name /cato/orchestrator --log-stream-name cato-0 \
  --log-events "[{\"timestamp\": $((now_ms - 60000)), \"message\": \"INFO Health loop ok\"}]" > /dev/null

log "metrics: ModelLatency, CacheInvalidations, ConsumedReadCapacityUnits"
# One call per namespace: every minute of the last 15 at once.
python3 - "$state" << 'PY'
import datetime, json, sys
now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
endpoint = [{"Name": "EndpointName", "Value": "cato-shadow-self"}]
variant = endpoint + [{"Name": "VariantName", "Value": "primary"}]
table = [{"Name": "TableName", "Value": "cato-semantic-memory"}]
data = {"sagemaker": [], "cato": [], "dynamodb": []}
for ago in range(1, 16):
    at = (now - datetime.timedelta(minutes=ago, seconds=-30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # ModelLatency in microseconds: mostly fast, a slow tail in the last minutes.
    slow = ago <= 5
    latency = {"Values": [180000.0, 2600000.0] if slow else [180000.0], "Counts": [97.0, 3.0] if slow else [100.0]}
    for dims in (variant, endpoint):
        data["sagemaker"].append({"MetricName": "ModelLatency", "Dimensions": dims, "Timestamp": at, **latency})
    data["sagemaker"].append({"MetricName": "Invocations", "Dimensions": variant, "Timestamp": at, "Value": 100.0})
    data["sagemaker"].append({"MetricName": "Invocation5XXErrors", "Dimensions": variant, "Timestamp": at, "Value": 0.0})
    data["cato"].append({"MetricName": "CacheInvalidations", "Timestamp": at, "Value": 900.0 if ago <= 3 else 20.0})
    data["dynamodb"].append({"MetricName": "ConsumedReadCapacityUnits", "Dimensions": table, "Timestamp": at, "Value": 42000.0})
for name, datums in data.items():
    with open(f"{sys.argv[1]}/metrics-{name}.json", "w") as f:
        json.dump(datums, f)
PY
aws cloudwatch put-metric-data --namespace AWS/SageMaker --metric-data "file://$state/metrics-sagemaker.json"
aws cloudwatch put-metric-data --namespace Custom/Cato --metric-data "file://$state/metrics-cato.json"
aws cloudwatch put-metric-data --namespace AWS/DynamoDB --metric-data "file://$state/metrics-dynamodb.json"

log "DynamoDB table cato-semantic-memory"
aws dynamodb create-table --table-name cato-semantic-memory \
  --attribute-definitions AttributeName=pk,AttributeType=S \
  --key-schema AttributeName=pk,KeyType=HASH \
  --provisioned-throughput ReadCapacityUnits=1000,WriteCapacityUnits=500 > /dev/null

log "ElastiCache replication group cato-cache"
if ! aws elasticache create-replication-group --replication-group-id cato-cache \
  --replication-group-description "the semantic cache" --cache-node-type cache.r6g.large \
  --engine redis --num-cache-clusters 2 > /dev/null; then
  log "moto has no ElastiCache replication groups here; the cache cluster is read as missing"
fi

log "redis keys, hits and misses"
for i in $(seq 1 50); do
  echo "SET cato:semantic:$i answer-$i"
  echo "GET cato:semantic:$i"
  echo "GET cato:semantic:missing-$i"
  echo "GET cato:semantic:missing-again-$i"
done | redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" > /dev/null
