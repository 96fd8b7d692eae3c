#!/usr/bin/env bash
# Debian's Chromium for the dashboard tests (playwright-core drives it; no browser is downloaded).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "Chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
  exit 0
fi
echo "Chromium: installing from Debian"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
echo "Chromium: $(/usr/bin/chromium --version)"
