#!/usr/bin/env bash
# Metrics benchmark: capture throughput of `hooklens serve` with metrics recorded (the
# default) against the same build with `--no-metrics`, in the same run.
#
# Usage: tests/bench/metrics.sh   (env: DURATION=10s CONNECTIONS=64 ROUNDS=3)
# Each round measures a fresh instance of each kind, each stopped after its run (the order
# alternating between rounds). Prints every round (the spread) and the mean; fails if an
# instance stored fewer requests than it answered 2xx, or the recording instance's /metrics
# did not count them. Loopback only; everything is removed on exit.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ab_setup 3

# measure a|b ROUND: a fresh instance with metrics off (a) or on (b). The requests carry a
# (failing) Stripe signature, so the provider, event-type and signature counters have work.
measure() {
  local flags=() counted
  [[ $1 == b ]] || flags=(--no-metrics)
  start_hooklens "$1$2" "${flags[@]}"
  measure_run "$1$2" "${HL_URL}stripe/webhook" -H 'stripe-signature: t=1,v1=00'
  if [[ $1 == b ]]; then
    counted=$(api GET /metrics | awk '/^hooklens_requests_total/ {s += $2} END {print s + 0}')
    ((counted >= OK)) || die "FAIL: /metrics counted $counted requests, $OK were answered 2xx"
    echo "    /metrics counted $counted requests (answered 2xx: $OK)"
  fi
  stop "$HL_PID"
}

ab_bench "hooklens --no-metrics" "hooklens (metrics on)" 0.98
