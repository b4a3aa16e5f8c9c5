#!/usr/bin/env bash
# Metrics benchmark: capture throughput of `hooklens serve` with metrics recorded (the
# default) against the same build with `--no-metrics`, in the same run.
#
# Usage: tests/bench/metrics.sh   (env: DURATION=10s CONNECTIONS=64 ROUNDS=3)
# Each round runs oha against a fresh instance of each kind, one after the other, each
# stopped after its run; the order alternates between rounds so neither kind always runs
# on a warmer machine. Prints every round (the spread) and the mean. Loopback only;
# everything is removed on exit.
set -euo pipefail
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
ROUNDS=${ROUNDS:-3}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
command -v oha >/dev/null || cargo install oha --locked
cargo build --release --locked -q -p hooklens-cli
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/hooklens"
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Starts hooklens with its own data dir and extra flags; sets REPLY to "receiver api token".
start() {
  local dir="$WORK/$1"
  shift
  mkdir -p "$dir"
  "$BIN" serve --data-dir "$dir" --listen 127.0.0.1:0 --api-listen 127.0.0.1:0 "$@" \
    >"$dir/out" 2>/dev/null &
  PIDS+=($!)
  for _ in $(seq 300); do
    if grep -q "Inspector:" "$dir/out" 2>/dev/null; then break; fi
    sleep 0.1
  done
  local receiver api
  receiver=$(grep -o 'Receiver:  http://[0-9.:]*' "$dir/out" | awk '{print $2}')
  api=$(grep -o 'Inspector: http://[0-9.:]*' "$dir/out" | awk '{print $2}')
  [[ -n $receiver && -n $api ]] || { echo "metrics.sh: hooklens did not start" >&2; exit 1; }
  REPLY="$receiver $api $(cat "$dir/api-token")"
}

# A 1 KiB Stripe-like event, so the provider and event type counters have work to do.
python3 - "$WORK" <<'PY'
import json, sys
body = {"id": "evt_bench", "object": "event", "type": "payment_intent.succeeded",
        "data": {"object": {"id": "pi_bench", "amount": 2000, "currency": "usd"}}, "pad": ""}
text = json.dumps(body)
body["pad"] = "x" * (1024 - len(text))
open(f"{sys.argv[1]}/body.json", "w").write(json.dumps(body))
PY

# Runs oha against receiver $1, naming the result $2; prints "req/s p50_ms p99_ms".
run() {
  oha -z "$DURATION" -c "$CONNECTIONS" -m POST --no-tui --output-format json -w \
    -H 'content-type: application/json' -H 'stripe-signature: t=1,v1=00' \
    -D "$WORK/body.json" "$1/stripe/webhook" >"$WORK/$2.json"
  python3 - "$WORK/$2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
l = d["latencyPercentiles"]
print(f'{d["summary"]["requestsPerSec"]:.0f} {l["p50"]*1000:.2f} {l["p99"]*1000:.2f}')
PY
}

# One instance of kind $1 (on|off) for round $2: start, measure, stop; appends to ON / OFF.
measure() {
  local kind=$1 round=$2 flags=()
  [[ $kind == off ]] && flags=(--no-metrics)
  start "$kind$round" "${flags[@]}"
  local recv api token
  read -r recv api token <<<"$REPLY"
  local result
  result=$(run "$recv" "$kind$round")
  if [[ $kind == on ]]; then
    ON+=("$result")
    # The recording instance really counted: its /metrics total against what it stored.
    COUNTED=$(curl -s -H "Authorization: Bearer $token" "$api/metrics" |
      awk '/^hooklens_requests_total/ {s += $2} END {print s + 0}')
  else
    OFF+=("$result")
  fi
  kill "${PIDS[-1]}"
  wait "${PIDS[-1]}" 2>/dev/null || true
}

echo "==> oha, $DURATION per run, $CONNECTIONS connections, $ROUNDS rounds, 1 KiB JSON POSTs"
declare -a ON OFF
for i in $(seq "$ROUNDS"); do
  if ((i % 2)); then measure off "$i"; measure on "$i"; else measure on "$i"; measure off "$i"; fi
  echo "round $i: off ${OFF[-1]} | on ${ON[-1]}   (req/s p50 p99)"
done
python3 - "${OFF[@]}" -- "${ON[@]}" <<'PY'
import sys
args = sys.argv[1:]
cut = args.index("--")
off = [list(map(float, r.split())) for r in args[:cut]]
on = [list(map(float, r.split())) for r in args[cut + 1:]]
def mean(rows):
    return [sum(c) / len(c) for c in zip(*rows)]
p, m = mean(off), mean(on)
print(f"\n{'run':<28}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}")
print(f"{'hooklens --no-metrics':<28}{p[0]:>8.0f}{p[1]:>9.2f}{p[2]:>9.2f}")
print(f"{'hooklens (metrics on)':<28}{m[0]:>8.0f}{m[1]:>9.2f}{m[2]:>9.2f}")
ratios = [b[0] / a[0] for a, b in zip(off, on)]
print(f"\non / off: {m[0] / p[0]:.3f} (target >= 0.98); per round: "
      + ", ".join(f"{r:.3f}" for r in ratios))
PY
echo "last recording instance counted $COUNTED requests in /metrics"
