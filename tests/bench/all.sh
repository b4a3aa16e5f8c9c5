#!/usr/bin/env bash
# The whole benchmark set, one after the other: capture (plain, then with 50 rules,
# signatures and forwarding), rules vs none, the sustained storm, search at 1,000,000
# stored requests, storage with retention over 1,000,000, importing 100,000. An hour or more on 2 cores, most
# of it storage.sh (retention over 1,000,000 requests).
#
# Usage: tests/bench/all.sh   (or: make bench)
# Each script's output goes to the terminal and to $BENCH_OUT/<name>.txt (default
# target/bench/<UTC date-time>/). Stops at the first script that fails.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${BENCH_OUT:-$HERE/../../target/bench/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
run() {
  local name=$1
  shift
  echo "================ $name: $* ================"
  env "$@" | tee "$OUT/$name.txt"
}
run capture "$HERE/run.sh"
run capture-rules PROFILE=rules "$HERE/run.sh"
run rules "$HERE/rules.sh"
run metrics "$HERE/metrics.sh"
run storm "$HERE/storm.sh"
run search "$HERE/search.sh"
run storage "$HERE/storage.sh"
run postgres "$HERE/postgres.sh"
run relay "$HERE/relay.sh"
run import "$HERE/import.sh"
echo "all benchmark output is in $OUT"
