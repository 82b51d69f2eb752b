#!/usr/bin/env bash
# Whole-process comparison (not a test): the operator's diagnosis by hand — the runbook's own
# `aws`, `redis-cli` and `curl` commands one after another (diagnose-vs-aws-cli/by-hand.sh) —
# against one `cato-runbook diagnose --all`, on the same peers and the same seeded world,
# timed with hyperfine. Prints both medians and their ratio.
#
#   bash scripts/bench/diagnose-vs-aws-cli.sh
#
# It installs what it needs: the AWS CLI v1 (PyPI `awscli`, pinned) in a virtual environment
# under /var/cache/cato-runbook, hyperfine, jq and redis-tools from Debian (`apt-get update`
# once, only when one is missing); starts moto with its proxy and redis-server with the peer
# scripts (scripts/peers/moto.sh, redis.sh) and a stand-in of the admin API's budget status
# (diagnose-vs-aws-cli/admin_api.py), seeds them (diagnose-vs-aws-cli/seed.sh), writes a
# cato.toml pointing every provider at them, and stops all it started on exit.
#
# Environment: RUNS (20), WARMUP (2); CATO_RUNBOOK_BIN, the command to time (by default the
# release binary, built here into CARGO_TARGET_DIR, default /var/tmp/cato-runbook-target);
# CATO_BENCH_JSON, where hyperfine's JSON goes (default /var/tmp/diagnose-vs-aws-cli.json).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/scripts/bench/diagnose-vs-aws-cli"
AWSCLI_VERSION="1.46.2"
AWSCLI_VENV="${CATO_AWSCLI_VENV:-/var/cache/cato-runbook/awscli-venv}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/cato-runbook-target}"
RUNS="${RUNS:-20}"
WARMUP="${WARMUP:-2}"
JSON="${CATO_BENCH_JSON:-/var/tmp/diagnose-vs-aws-cli.json}"

log() { echo "bench: $*" >&2; }

state="$(mktemp -d)"
started=()
cleanup() {
  if [ -f "$state/admin.pid" ]; then
    kill "$(cat "$state/admin.pid")" 2> /dev/null || true
  fi
  for peer in "${started[@]}"; do
    bash "$ROOT/scripts/peers/$peer.sh" stop "$state" || true
  done
  rm -rf "$state"
}
trap cleanup EXIT

install_tools() {
  local missing=()
  command -v hyperfine > /dev/null || missing+=(hyperfine)
  command -v jq > /dev/null || missing+=(jq)
  command -v curl > /dev/null || missing+=(curl)
  command -v redis-cli > /dev/null || missing+=(redis-tools)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
  if [ "$("$AWSCLI_VENV/bin/aws" --version 2>&1 | cut -d' ' -f1)" != "aws-cli/$AWSCLI_VERSION" ]; then
    log "installing awscli==$AWSCLI_VERSION into $AWSCLI_VENV"
    rm -rf "$AWSCLI_VENV"
    mkdir -p "$(dirname "$AWSCLI_VENV")"
    python3 -m venv "$AWSCLI_VENV" >&2
    "$AWSCLI_VENV/bin/pip" install --quiet --disable-pip-version-check "awscli==$AWSCLI_VERSION" >&2
  fi
}

install_tools
if [ -z "${CATO_RUNBOOK_BIN:-}" ]; then
  log "building the release binary"
  (cd "$ROOT" && cargo build -q --release -p cato-runbook-cli --bin cato-runbook) >&2
  CATO_RUNBOOK_BIN="$CARGO_TARGET_DIR/release/cato-runbook"
fi
help="$("$CATO_RUNBOOK_BIN" diagnose --help)"
if ! grep -q -- '--all' <<< "$help"; then
  log "$CATO_RUNBOOK_BIN has no \`diagnose --all\`"
  exit 1
fi

# The peers, and the admin API's stand-in.
export CATO_MOTO_PROXY_QUOTAS="bedrock/L-XXXXXXXX=10000/Bedrock requests per minute"
for peer in moto redis; do
  started+=("$peer")
  bash "$ROOT/scripts/peers/$peer.sh" start "$state" >> "$state/env"
done
set -a
# shellcheck disable=SC1091
. "$state/env"
set +a
export TOKEN="bench-admin-token" CATO_ADMIN_TOKEN="bench-admin-token"
python3 "$HERE/admin_api.py" "$state/admin.port" "$TOKEN" &
echo $! > "$state/admin.pid"
for _ in $(seq 1 100); do
  [ -s "$state/admin.port" ] && break
  sleep 0.1
done
export CATO_ADMIN_URL="http://127.0.0.1:$(cat "$state/admin.port")"
redis="${CATO_TEST_REDIS_URL#redis://}"
export REDIS_HOST="${redis%:*}" REDIS_PORT="${redis##*:}"

# Both sides: the same credentials and region, every AWS call to the moto peer's proxy, no
# profile or config file of the machine's.
export PATH="$AWSCLI_VENV/bin:$PATH"
export AWS_ENDPOINT_URL="$CATO_TEST_MOTO_PROXY_URL"
export AWS_ACCESS_KEY_ID="AKIDBENCHBENCHBENCH" AWS_SECRET_ACCESS_KEY="secret"
export AWS_DEFAULT_REGION="us-east-1" AWS_REGION="us-east-1" AWS_EC2_METADATA_DISABLED="true"
export AWS_CONFIG_FILE="$state/aws-config" AWS_SHARED_CREDENTIALS_FILE="$state/aws-credentials"
unset AWS_PROFILE AWS_SESSION_TOKEN CATO_RUNBOOK_CONFIG
: > "$AWS_CONFIG_FILE"
: > "$AWS_SHARED_CREDENTIALS_FILE"

bash "$HERE/seed.sh"
cat > "$state/cato.toml" << TOML
# Every provider at the peers: AWS (all seven ports) at moto's proxy, the cache's counters at
# redis-server, the budget at the admin API's stand-in; the rest on the command's fakes.
[providers.aws]
region = "us-east-1"
endpoint_url = "$CATO_TEST_MOTO_PROXY_URL"
timeout = "10s"

[providers.redis.caches.cato-cache]
url = "$CATO_TEST_REDIS_URL"

[providers.cato_api]
base_url = "$CATO_ADMIN_URL"
token_env = "CATO_ADMIN_TOKEN"

[store]
kind = "memory"
TOML

log "one run of each, to see that both answer"
bash "$HERE/by-hand.sh" > "$state/by-hand.out"
"$CATO_RUNBOOK_BIN" --config "$state/cato.toml" diagnose --all >&2

hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$JSON" \
  -n "by hand: aws, redis-cli, curl" "bash $HERE/by-hand.sh" \
  -n "cato-runbook diagnose --all" "$CATO_RUNBOOK_BIN --config $state/cato.toml diagnose --all" >&2

jq -r '
  (.results[0].median) as $hand | (.results[1].median) as $tool
  | "by hand (the runbook'"'"'s commands): median \($hand * 1000 | round) ms",
    "cato-runbook diagnose --all:      median \($tool * 1000 | round) ms",
    "ratio (by hand / diagnose --all): \($hand / $tool * 100 | round / 100)"' "$JSON"
