#!/usr/bin/env bash
# Soak: a long steady load with a forward target that keeps going down and coming back;
# memory, latency, WAL and queue over time.
#
# Usage: tests/bench/soak.sh   (or: make soak)
#   env: SOAK=30m RATE=500 STEP=1m UP=40 DOWN=20 CONNECTIONS=16
#
# `hooklens serve` (fresh temp data dir, default settings, so retention keeps 100,000
# requests) forwards everything it captures to a bare-axum target that runs UP seconds, then
# is stopped for DOWN seconds, and so on. oha sends RATE 1 KiB POSTs per second for SOAK, in
# STEP-long runs (with --latency-correction); after each step one CSV row: time, req/s,
# p50/p99/max latency, share of 2xx, engine RSS (now and peak), WAL and database size,
# requests stored, the target's state and the deliveries waiting for it. At the end the
# target stays up and the script waits (up to 3 min) for the queue to drain. The CSV is also
# written to $SOAK_CSV when set. Loopback only; everything is removed on exit.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SOAK=${SOAK:-30m}
RATE=${RATE:-500}
STEP=${STEP:-1m}
UP=${UP:-40}
DOWN=${DOWN:-20}
export CONNECTIONS=${CONNECTIONS:-16}
[[ $RATE =~ ^[1-9][0-9]*$ && $UP =~ ^[1-9][0-9]*$ && $DOWN =~ ^[1-9][0-9]*$ ]] ||
  die "RATE, UP and DOWN must be positive integers"
TOTAL_S=$(secs "$SOAK")
STEP_S=$(secs "$STEP")
((STEP_S > 0 && TOTAL_S >= STEP_S)) || die "SOAK must be at least STEP"

build_release
TARGET_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
TARGET_ADDR=127.0.0.1:$TARGET_PORT

# The flapping target: bare-axum on a fixed port, UP s on, DOWN s off, until killed.
flap() {
  set +e # a killed target's exit status is not a failure here
  local pid
  trap 'kill "$pid" 2>/dev/null; exit 0' TERM
  while true; do
    "$BARE" "$TARGET_ADDR" >>"$TMP/target.log" 2>&1 &
    pid=$!
    sleep "$UP" &
    wait $!
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    sleep "$DOWN" &
    wait $!
  done
}
flap &
FLAP_PID=$!
PIDS+=("$FLAP_PID")

start_hooklens soak --forward-to "http://$TARGET_ADDR/hooks"
echo "==> $OHA_VERSION; $SOAK at $RATE req/s in $STEP steps; target $TARGET_ADDR flapping ${UP}s up / ${DOWN}s down"

# queue: "state pending" of the forward target ("none 0" before its first delivery).
queue() {
  api GET /api/v1/targets | python3 -c '
import json, sys
t = json.load(sys.stdin)
t = t.get("items", t) if isinstance(t, dict) else t
print(" ".join(str(x["state"]) + " " + str(x["pending"]) for x in t[:1]) or "none 0")'
}

HEADER="elapsed_s,req_s,p50_ms,p99_ms,max_ms,ok_pct,rss_mib,rss_peak_mib,wal_mib,db_mib,stored,target,pending"
echo "$HEADER" | tee "$TMP/soak.csv"
START=$SECONDS
step=0
while ((SECONDS - START + STEP_S <= TOTAL_S)); do
  step=$((step + 1))
  oha_run "step-$step" "${STEP_S}s" "$HL_URL" -q "$RATE" --latency-correction
  python3 - "$TMP/step-$step.json" "$((SECONDS - START))" "$(rss_kb "$HL_PID" VmRSS)" \
    "$(rss_kb "$HL_PID" VmHWM)" "$(stat -c %s "$HL_DIR/hooklens.db-wal" 2>/dev/null || echo 0)" \
    "$(stat -c %s "$HL_DIR/hooklens.db")" "$(stored)" $(queue) <<'PY' | tee -a "$TMP/soak.csv"
import json, sys
f, elapsed, rss, hwm, wal, db, stored, state, pending = sys.argv[1:10]
r = json.load(open(f))
codes = r.get("statusCodeDistribution", {})
ok = sum(n for c, n in codes.items() if c.startswith("2"))
total = sum(codes.values()) + sum(r.get("errorDistribution", {}).values())
lat = r.get("latencyPercentiles", {})
ms = lambda v: (v or 0) * 1000
print(f'{elapsed},{r["summary"]["requestsPerSec"]:.0f},{ms(lat.get("p50")):.2f},{ms(lat.get("p99")):.2f},'
      f'{ms(r["summary"].get("slowest")):.1f},{100 * ok / total if total else 0:.2f},'
      f'{int(rss) / 1024:.1f},{int(hwm) / 1024:.1f},{int(wal) / 1048576:.1f},{int(db) / 1048576:.1f},'
      f'{stored},{state},{pending}')
PY
done

# The target stays up now; the queue should drain.
kill "$FLAP_PID" 2>/dev/null || true
wait "$FLAP_PID" 2>/dev/null || true
"$BARE" "$TARGET_ADDR" >/dev/null 2>&1 &
PIDS+=($!)
drained=no
for _ in $(seq 180); do
  read -r state pending <<<"$(queue)"
  if [[ $pending == 0 ]]; then
    drained=yes
    break
  fi
  sleep 1
done
[[ -n ${SOAK_CSV:-} ]] && cp "$TMP/soak.csv" "$SOAK_CSV"
echo
echo "$(describe), SOAK=$SOAK RATE=$RATE STEP=$STEP UP=$UP DOWN=$DOWN"
python3 - "$TMP/soak.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
cols = [("elapsed_s", 9), ("req_s", 6), ("p50_ms", 7), ("p99_ms", 7), ("max_ms", 8), ("ok_pct", 7),
        ("rss_mib", 8), ("rss_peak_mib", 12), ("wal_mib", 8), ("db_mib", 7), ("stored", 8),
        ("target", 6), ("pending", 8)]
print(" ".join(f"{c:>{w}}" for c, w in cols))
for r in rows:
    print(" ".join(f"{r[c]:>{w}}" for c, w in cols))
f = lambda c: [float(r[c]) for r in rows]
print(f"\nworst p99 {max(f('p99_ms')):.2f} ms, RSS {min(f('rss_mib')):.1f}-{max(f('rss_mib')):.1f} MiB,"
      f" peak {max(f('rss_peak_mib')):.1f} MiB, WAL at most {max(f('wal_mib')):.1f} MiB")
PY
echo "after the soak, target up: queue drained: $drained ($pending pending)"
[[ $drained == yes ]] || die "FAIL: deliveries still pending 3 min after the target came back"
