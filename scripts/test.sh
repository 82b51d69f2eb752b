#!/usr/bin/env bash
# Runs every test of the workspace. The real peers the tests need (scripts/peers/*.sh) are
# installed and started here and stopped on exit; with CATO_TEST_PEERS=require (the default
# here) a test that cannot reach its peer fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

export CATO_TEST_PEERS="${CATO_TEST_PEERS:-require}"

state="$(mktemp -d)"
log="$state/test.log"
started=()
stop_peers() {
  for peer in "${started[@]}"; do
    bash "$peer" stop "$state" || true
  done
  rm -rf "$state"
}
trap stop_peers EXIT

# Each peer script takes `start STATE_DIR` (installing what it needs, printing KEY=VALUE lines
# for the tests' environment) and `stop STATE_DIR`.
for peer in scripts/peers/*.sh; do
  [ -e "$peer" ] || continue
  echo "starting peer $(basename "$peer" .sh)"
  bash "$peer" start "$state" >> "$state/env"
  started+=("$peer")
done
if [ -s "$state/env" ]; then
  set -a
  # shellcheck disable=SC1091
  . "$state/env"
  set +a
fi

status=0
cargo test --workspace --all-features --no-fail-fast 2>&1 | tee "$log" || status=$?

# cargo prints one "test result" line per test binary; add them up so the run ends on one line.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1); if ($(i) ~ /^ignored;?$/) s += $(i-1) } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
