#!/usr/bin/env bash
# Runs every test of the workspace. Real peers that tests need are installed and started here
# and stopped on exit; with CATO_TEST_PEERS=require (the default here) a test that cannot reach
# its peer fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

export CATO_TEST_PEERS="${CATO_TEST_PEERS:-require}"

cargo test --workspace --all-features --no-fail-fast
