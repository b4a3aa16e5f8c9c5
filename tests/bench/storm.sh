#!/usr/bin/env bash
# Sustained-storm benchmark: what a saturating flood does to the WAL, and how the same
# instance answers right after it.
#
# Usage: tests/bench/storm.sh   (env: STORM=30s AFTER=10s CONNECTIONS=64)
#
# One `hooklens serve` (fresh temp data dir) gets 1 KiB JSON POSTs as fast as oha can send
# them for STORM, then, with no pause, half that rate for AFTER (oha -q, with latency
# correction, so a stall counts against every request queued behind it). Meanwhile the size
# of hooklens.db-wal is sampled every 20 ms. Prints req/s, p50/p99 of both runs, the WAL's
# peak and final size, the database size, the engine's memory, and checks that every request
# answered 2xx was stored. Loopback only; everything is removed on exit.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STORM=${STORM:-30s}
AFTER=${AFTER:-10s}
export CONNECTIONS=${CONNECTIONS:-64}

build_release
echo "==> $OHA_VERSION; storm ${STORM} at full speed, then ${AFTER} at half of it, ${CONNECTIONS} connections"
start_hooklens storm
watch_wal "$HL_DIR" "$TMP/wal-peak"
oha_run storm "$STORM" "$HL_URL"
read -r STORM_RPS STORM_P50 STORM_P99 STORM_OK STORM_N <<<"$(oha_summary storm)"
HALF=$(python3 -c "print(max(1, round($STORM_RPS / 2)))")
oha_run after "$AFTER" "$HL_URL" -q "$HALF" --latency-correction
read -r AFTER_RPS AFTER_P50 AFTER_P99 AFTER_OK AFTER_N <<<"$(oha_summary after)"
WAL_PEAK=$(cat "$TMP/wal-peak")
WAL_NOW=$(stat -c %s "$HL_DIR/hooklens.db-wal" 2>/dev/null || echo 0)
DB_SIZE=$(stat -c %s "$HL_DIR/hooklens.db")
HWM=$(rss_kb "$HL_PID" VmHWM)
STORED=$(stored)

mib() { python3 -c "print(f'{$1 / 1048576:.1f}')"; }
echo
echo "$(describe), $OHA_VERSION, STORM=$STORM AFTER=$AFTER CONNECTIONS=$CONNECTIONS"
printf '%-28s %9s %8s %8s %8s\n' run req/s 'p50 ms' 'p99 ms' 2xx
printf '%-28s %9.0f %8.2f %8.2f %7.2f%%\n' "storm (full speed)" "$STORM_RPS" "$STORM_P50" "$STORM_P99" "$STORM_OK"
printf '%-28s %9.0f %8.2f %8.2f %7.2f%%\n' "right after, @ half ($HALF/s)" "$AFTER_RPS" "$AFTER_P50" "$AFTER_P99" "$AFTER_OK"
echo
echo "WAL peak:        $(mib "$WAL_PEAK") MiB (sampled every 20 ms)"
echo "WAL at the end:  $(mib "$WAL_NOW") MiB; database $(mib "$DB_SIZE") MiB"
echo "engine RSS peak: $((HWM / 1024)) MiB"
ANSWERED=$((STORM_N + AFTER_N))
echo "stored/answered: $STORED stored, $ANSWERED answered 2xx"
((STORED >= ANSWERED)) || die "FAIL: answered 2xx for $((ANSWERED - STORED)) requests it did not store"
