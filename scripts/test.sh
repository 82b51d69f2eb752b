#!/usr/bin/env bash
# Runs every test of the workspace. The real peers the tests need (scripts/peers/*.sh) are
# installed and started here and stopped on exit; with CATO_TEST_PEERS=require (the default
# here) a test that cannot reach its peer fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

export CATO_TEST_PEERS="${CATO_TEST_PEERS:-require}"

state="$(mktemp -d)"
log="$state/test.log"
# A test that skips because its peer is missing passes as far as cargo is concerned; it records
# itself here (`SKIPPED <test>: <why>`, see cato_runbook_mock::peers::skip) and counts as
# skipped, not passed, in the summary.
export CATO_TEST_SKIPS="$state/skips"
: > "$CATO_TEST_SKIPS"
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
# The command built on the fakes alone (the README's first command): what it refuses.
cargo test -p cato-runbook-cli --no-default-features --no-fail-fast 2>&1 | tee -a "$log" || status=$?

# The tests that skipped, and why.
if [ -s "$CATO_TEST_SKIPS" ]; then
  grep '^SKIPPED ' "$CATO_TEST_SKIPS" || true
fi

# cargo prints one "test result" line per test binary; add them up so the run ends on one line.
# Ignored tests are skipped; so are the tests that recorded a skip (cargo counted them passed).
awk -v skips="$CATO_TEST_SKIPS" '
     BEGIN { k = 0; while ((getline line < skips) > 0) if (line ~ /^SKIPPED /) { t = substr(line, 1, index(line, ": ")); if (!(t in seen)) { seen[t] = 1; k++ } } }
     /^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1); if ($(i) ~ /^ignored;?$/) s += $(i-1) } }
     END { if (k > p) k = p; printf "tests: %d passed, %d failed, %d skipped\n", p - k, f, s + k }' "$log"
exit "$status"
