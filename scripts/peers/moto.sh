#!/usr/bin/env bash
# The AWS peer: a moto server (PyPI `moto[server]`, pinned) on a free loopback port, and in
# front of it the translating proxy `cato-moto-proxy` (the mock crate's `peers::moto_proxy`,
# feature `moto-proxy`), which speaks what moto does not: CloudWatch over CBOR with
# percentiles, SageMaker UpdateEndpoint, Service Quotas increase requests and seeded quotas,
# ElastiCache node types.
#
#   bash scripts/peers/moto.sh start STATE_DIR   # prints CATO_TEST_MOTO_URL=http://127.0.0.1:PORT
#                                                # and CATO_TEST_MOTO_PROXY_URL=http://127.0.0.1:PORT
#   bash scripts/peers/moto.sh stop STATE_DIR    # stops both
#
# moto lives in a virtual environment under a cache folder (CATO_MOTO_VENV, by default
# /var/cache/cato-runbook/moto-venv), installed on first use and reused by later runs. The proxy
# is built with cargo into CARGO_TARGET_DIR (by default /var/tmp/cato-runbook-target).
# CATO_MOTO_PROXY_QUOTAS seeds quotas moto has no data for, `;`-separated
# SERVICE/CODE=VALUE[/NAME] (`bedrock/L-XXXXXXXX=10000/Bedrock requests per minute`).
set -euo pipefail

MOTO_VERSION="5.2.5"
VENV="${CATO_MOTO_VENV:-/var/cache/cato-runbook/moto-venv}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/cato-runbook-target}"

log() { echo "moto: $*" >&2; }

python_with_venv() {
  for py in python3 /usr/bin/python3; do
    if command -v "$py" > /dev/null 2>&1 && "$py" -c 'import venv, ensurepip' > /dev/null 2>&1; then
      command -v "$py"
      return 0
    fi
  done
  return 1
}

install() {
  if [ -x "$VENV/bin/moto_server" ] \
    && [ "$("$VENV/bin/python" -c 'import moto; print(moto.__version__)' 2> /dev/null)" = "$MOTO_VERSION" ]; then
    return 0
  fi
  local py
  if ! py="$(python_with_venv)"; then
    log "installing python3-venv"
    if ! apt-cache policy python3-venv 2> /dev/null | grep -q 'Candidate: [0-9]'; then
      apt-get update -qq >&2
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >&2
    py="$(python_with_venv)"
  fi
  log "installing moto[server]==$MOTO_VERSION into $VENV"
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  "$py" -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2
}

free_port() {
  "$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
  local state="$1"
  install
  local port
  port="$(free_port)"
  "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" > "$state/moto.log" 2>&1 &
  echo $! > "$state/moto.pid"
  for _ in $(seq 1 300); do
    if "$VENV/bin/python" - "$port" << 'PY' 2> /dev/null; then
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/moto-api/", timeout=1).read()
PY
      log "listening on 127.0.0.1:$port"
      echo "CATO_TEST_MOTO_URL=http://127.0.0.1:$port"
      if ! start_proxy "$state" "http://127.0.0.1:$port"; then
        stop "$state"
        return 1
      fi
      return 0
    fi
    if ! kill -0 "$(cat "$state/moto.pid")" 2> /dev/null; then
      log "exited; its log:"
      cat "$state/moto.log" >&2
      return 1
    fi
    sleep 0.1
  done
  log "not ready after 30 s; its log:"
  cat "$state/moto.log" >&2
  return 1
}

# The proxy in front of moto: built, started on a free port (it prints its URL once it listens).
start_proxy() {
  local state="$1" moto="$2"
  log "building cato-moto-proxy"
  (cd "$ROOT" && cargo build -q -p cato-runbook-mock --features moto-proxy --bin cato-moto-proxy) >&2
  local args=(--moto "$moto" --port 0) quotas quota
  IFS=';' read -ra quotas <<< "${CATO_MOTO_PROXY_QUOTAS:-}"
  for quota in "${quotas[@]}"; do
    if [ -n "$quota" ]; then
      args+=(--quota "$quota")
    fi
  done
  : > "$state/moto-proxy.url"
  "$CARGO_TARGET_DIR/debug/cato-moto-proxy" "${args[@]}" > "$state/moto-proxy.url" 2> "$state/moto-proxy.log" &
  echo $! > "$state/moto-proxy.pid"
  for _ in $(seq 1 300); do
    if [ -s "$state/moto-proxy.url" ]; then
      local url
      url="$(head -n 1 "$state/moto-proxy.url")"
      log "proxy listening on ${url#http://}"
      echo "CATO_TEST_MOTO_PROXY_URL=$url"
      return 0
    fi
    if ! kill -0 "$(cat "$state/moto-proxy.pid")" 2> /dev/null; then
      log "the proxy exited; its log:"
      cat "$state/moto-proxy.log" >&2
      return 1
    fi
    sleep 0.1
  done
  log "the proxy is not listening after 30 s; its log:"
  cat "$state/moto-proxy.log" >&2
  return 1
}

stop() {
  local state="$1" pidfile
  for pidfile in "$state/moto-proxy.pid" "$state/moto.pid"; do
    if [ -f "$pidfile" ]; then
      kill "$(cat "$pidfile")" 2> /dev/null || true
      rm -f "$pidfile"
    fi
  done
}

case "${1:-}" in
  start) start "${2:?STATE_DIR}" ;;
  stop) stop "${2:?STATE_DIR}" ;;
  *)
    echo "usage: $0 start|stop STATE_DIR" >&2
    exit 2
    ;;
esac
