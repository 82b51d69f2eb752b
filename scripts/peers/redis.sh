#!/usr/bin/env bash
# redis-server for the Redis provider's tests (Debian's `redis-server` package).
#
#   start STATE_DIR  installs redis-server if missing, starts it on a free loopback port with no
#                    persistence and a small memory limit (allkeys-lru, so a burst of writes
#                    evicts keys), waits until it answers, and prints
#                    CATO_TEST_REDIS_URL=redis://127.0.0.1:PORT and
#                    CATO_TEST_REDIS_SERVER=/path/to/redis-server (for tests that start and
#                    restart a server of their own)
#   stop STATE_DIR   stops it by its PID
set -euo pipefail

command="${1:?usage: redis.sh start|stop STATE_DIR}"
state="${2:?usage: redis.sh start|stop STATE_DIR}"
dir="$state/redis"
pidfile="$dir/redis.pid"

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "redis.sh: no free port found" >&2
  return 1
}

case "$command" in
  start)
    if ! command -v redis-server >/dev/null 2>&1; then
      echo "redis.sh: installing redis-server" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update >&2
      apt-get install -y --no-install-recommends redis-server >&2
    fi
    mkdir -p "$dir"
    port="$(free_port)"
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$dir" \
      --daemonize yes --pidfile "$pidfile" --logfile "$dir/redis.log" \
      --maxmemory 8mb --maxmemory-policy allkeys-lru >&2
    for _ in $(seq 1 100); do
      if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = "PONG" ]; then
        echo "CATO_TEST_REDIS_URL=redis://127.0.0.1:$port"
        echo "CATO_TEST_REDIS_SERVER=$(command -v redis-server)"
        exit 0
      fi
      sleep 0.1
    done
    echo "redis.sh: redis-server did not answer on port $port; its log:" >&2
    cat "$dir/redis.log" >&2 || true
    exit 1
    ;;
  stop)
    if [ -s "$pidfile" ]; then
      pid="$(cat "$pidfile")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
    fi
    ;;
  *)
    echo "usage: redis.sh start|stop STATE_DIR" >&2
    exit 2
    ;;
esac
