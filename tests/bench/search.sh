#!/usr/bin/env bash
# Search benchmark: listing and full-text query latency through the API at 1,000,000 stored
# requests, and the engine's memory while it serves them.
#
# Usage: tests/bench/search.sh   (env: COUNT=1000000 RUNS=200 KEEP_STORE=dir)
#
# Fills a store with COUNT realistic requests (the store's `fill` example: Stripe, GitHub,
# Shopify, Slack and unknown senders, 200 B to 6 KiB bodies), waits for the search index to
# catch up, starts `hooklens serve` on it and times RUNS calls of each query (after 10
# unmeasured ones) over one keep-alive connection: p50, p95, p99 and the largest. Prints the
# store's size per request and the engine's peak memory.
# KEEP_STORE=dir: fill dir once and keep it; later runs with the same dir reuse it.
# Loopback only; everything else is removed on exit.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COUNT=${COUNT:-1000000}
RUNS=${RUNS:-200}
[[ $COUNT =~ ^[1-9][0-9]*$ && $RUNS =~ ^[1-9][0-9]*$ ]] || die "COUNT and RUNS must be positive integers"

build_release -p hooklens-store --example fill
FILL=$TARGET_DIR/release/examples/fill
export DATA_DIR=${KEEP_STORE:-$TMP/store}
if [[ -f $DATA_DIR/hooklens.db && -f $DATA_DIR/filled-$COUNT ]]; then
  echo "==> reusing the store in $DATA_DIR ($COUNT requests)"
else
  rm -rf "$DATA_DIR"
  echo "==> filling $DATA_DIR with $COUNT requests"
  "$FILL" "$DATA_DIR" "$COUNT" | tee "$TMP/fill.txt"
  touch "$DATA_DIR/filled-$COUNT"
fi
DB_BYTES=$(stat -c %s "$DATA_DIR/hooklens.db")

start_hooklens search
STORED=$(stored)
echo "==> hooklens serve on $STORED stored requests; $RUNS calls per query"
time_queries "$RUNS" | tee "$TMP/search.txt"
HWM=$(rss_kb "$HL_PID" VmHWM)
RSS=$(rss_kb "$HL_PID" VmRSS)
echo
echo "$(describe), COUNT=$COUNT RUNS=$RUNS"
echo "stored:          $STORED requests, database $((DB_BYTES / 1048576)) MiB, $((DB_BYTES / STORED)) bytes per request"
echo "engine RSS:      peak $((HWM / 1024)) MiB, now $((RSS / 1024)) MiB (serving the queries above)"
