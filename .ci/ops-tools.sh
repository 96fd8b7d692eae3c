#!/usr/bin/env bash
# Tools the operator's-kit tests run: Debian's Prometheus (with promtool) for the alert, recording and dashboard
# queries (test/ops/prometheus-*.test.ts), and curl and jq for the runbooks' runnable blocks
# (test/ops/runbooks.test.ts), and wrk for the native generator of `bench http` (test/bench/http-wrk.test.ts).
# The tests start their own Prometheus; none runs as a service.
set -euo pipefail
missing=()
command -v prometheus >/dev/null && command -v promtool >/dev/null || missing+=(prometheus)
command -v jq >/dev/null || missing+=(jq)
command -v curl >/dev/null || missing+=(curl)
command -v wrk >/dev/null || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
  echo "ops tools: installing ${missing[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
  # The package may start a Prometheus of its own on 9090; the tests use ports of their own.
  pkill -x prometheus 2>/dev/null || true
fi
echo "ops tools: $(prometheus --version 2>&1 | head -1); $(jq --version); $(curl --version | head -1 | cut -d' ' -f1-2); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
