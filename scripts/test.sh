#!/usr/bin/env bash
# Runs every test of the workspace. Real peers that tests need are installed and started here
# and stopped on exit; with CATO_TEST_PEERS=require (the default here) a test that cannot reach
# its peer fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

export CATO_TEST_PEERS="${CATO_TEST_PEERS:-require}"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

status=0
cargo test --workspace --all-features --no-fail-fast 2>&1 | tee "$log" || status=$?

# cargo prints one "test result" line per test binary; add them up so the run ends on one line.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1); if ($(i) ~ /^ignored;?$/) s += $(i-1) } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
