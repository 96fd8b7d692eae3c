#!/usr/bin/env bash
# Debian's Prometheus (with promtool) for the tests of the shipped alert rules, recording rules and dashboard
# queries (test/ops/prometheus-*.test.ts). The tests start their own Prometheus; none runs as a service.
set -euo pipefail
if command -v prometheus >/dev/null && command -v promtool >/dev/null; then
  echo "Prometheus: $(prometheus --version 2>&1 | head -1)"
  exit 0
fi
echo "Prometheus: installing from Debian"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq prometheus >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq prometheus >/dev/null; }
# The package may start a service of its own on 9090; the tests use ports of their own, so stop it to free CPU.
pkill -x prometheus 2>/dev/null || true
echo "Prometheus: $(prometheus --version 2>&1 | head -1)"
