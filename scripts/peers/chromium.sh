#!/usr/bin/env bash
# Debian's Chromium for the status page's browser test (package `chromium`).
#
#   start STATE_DIR  installs chromium if missing and prints CATO_TEST_CHROMIUM=/usr/bin/chromium
#   stop STATE_DIR   nothing to stop: each test starts and ends its own headless browser
set -euo pipefail

command="${1:?usage: chromium.sh start|stop STATE_DIR}"

case "$command" in
  start)
    if ! command -v chromium >/dev/null 2>&1; then
      echo "chromium.sh: installing chromium" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update >&2
      apt-get install -y --no-install-recommends chromium >&2
    fi
    echo "CATO_TEST_CHROMIUM=$(command -v chromium)"
    ;;
  stop)
    ;;
  *)
    echo "usage: chromium.sh start|stop STATE_DIR" >&2
    exit 2
    ;;
esac
