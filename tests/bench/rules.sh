#!/usr/bin/env bash
# Rules and signatures benchmark: capture throughput of `hooklens serve` with 50 rules and
# Stripe signature verification on, against the same build without them, in the same run.
#
# Usage: tests/bench/rules.sh   (env: DURATION=10s CONNECTIONS=64 ROUNDS=2)
# Each round runs oha against a fresh plain instance, then a fresh configured one, each
# stopped after its run (an instance left running would spend CPU catching up on search
# indexing during the next run); figures are the mean over rounds. Loopback only;
# everything is removed on exit.
set -euo pipefail
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
ROUNDS=${ROUNDS:-2}
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

# Starts hooklens with its own data dir; sets REPLY to "receiver api token".
start() {
  local dir="$WORK/$1"
  mkdir -p "$dir"
  "$BIN" serve --data-dir "$dir" --listen 127.0.0.1:0 --api-listen 127.0.0.1:0 >"$dir/out" 2>/dev/null &
  PIDS+=($!)
  for _ in $(seq 300); do
    if grep -q "Inspector:" "$dir/out" 2>/dev/null; then break; fi
    sleep 0.1
  done
  local receiver api
  receiver=$(grep -o 'Receiver:  http://[0-9.:]*' "$dir/out" | awk '{print $2}')
  api=$(grep -o 'Inspector: http://[0-9.:]*' "$dir/out" | awk '{print $2}')
  [[ -n $receiver && -n $api ]] || { echo "rules.sh: hooklens did not start" >&2; exit 1; }
  REPLY="$receiver $api $(cat "$dir/api-token")"
}

SECRET=whsec_bench_0123456789abcdef
# The body both instances get: a 1 KiB Stripe-like event, signed now (the configured
# endpoint's tolerance is ten years, so the signature stays valid through the run).
python3 - "$SECRET" "$WORK" <<'PY'
import hashlib, hmac, json, sys, time
secret, work = sys.argv[1:3]
body = {"id": "evt_bench", "object": "event", "type": "payment_intent.succeeded",
        "data": {"object": {"id": "pi_bench", "amount": 2000, "currency": "usd"}}, "pad": ""}
text = json.dumps(body)
body["pad"] = "x" * (1024 - len(text))
raw = json.dumps(body).encode()
open(f"{work}/body.json", "wb").write(raw)
t = int(time.time())
sig = hmac.new(secret.encode(), f"{t}.".encode() + raw, hashlib.sha256).hexdigest()
open(f"{work}/sig", "w").write(f"t={t},v1={sig}")
PY
SIG=$(cat "$WORK/sig")

# Gives the instance at $1 (API) with token $2 a Stripe endpoint checking signatures
# against two secrets, and 50 rules: 48 that miss, 2 that match and tag.
configure() {
  python3 - "$1" "$2" "$SECRET" <<'PY'
import json, sys, urllib.request
api, token, secret = sys.argv[1:4]
def call(method, path, body):
    req = urllib.request.Request(api + path, method=method, data=json.dumps(body).encode(),
        headers={"authorization": "Bearer " + token, "content-type": "application/json"})
    with urllib.request.urlopen(req) as r:
        assert r.status in (200, 201), r.status
call("POST", "/api/v1/endpoints", {"name": "stripe", "path": "/stripe",
     "signature": {"scheme": "stripe", "secrets": ["whsec_rotated_away_000", secret],
                   "tolerance_s": 10 * 365 * 86400}})
ops = [("equals", "x"), ("contains", "zz"), ("regex", "^nomatch[0-9]+$"), ("glob", "*.never")]
for i in range(48):
    op, value = ops[i % 4]
    field = ["json:data.object.currency", "header:x-never", "path", "event_type"][i % 4]
    call("POST", "/api/v1/rules", {"name": f"miss {i}",
         "conditions": [{"field": field, "op": op, "value": f"{value}{i}" if op != "regex" else value},
                        {"field": "json:data.object.amount", "op": "gt", "value": 10 ** 9}],
         "actions": [{"type": "tag", "tag": f"never-{i}"}]})
for i in range(2):
    call("POST", "/api/v1/rules", {"name": f"hit {i}", "match": "any",
         "conditions": [{"field": "provider", "op": "equals", "value": "stripe"},
                        {"field": "event_type", "op": "glob", "value": "payment_intent.*"}],
         "actions": [{"type": "tag", "tag": f"payments-{i}"}]})
PY
}

run() {
  oha -z "$DURATION" -c "$CONNECTIONS" -m POST --no-tui --output-format json -w \
    -H 'content-type: application/json' -H "stripe-signature: $SIG" \
    -D "$WORK/body.json" "$1/stripe/webhook" >"$WORK/$2.json"
  python3 - "$WORK/$2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
l = d["latencyPercentiles"]
print(f'{d["summary"]["requestsPerSec"]:.0f} {l["p50"]*1000:.2f} {l["p99"]*1000:.2f}')
PY
}

echo "==> oha, $DURATION per run, $CONNECTIONS connections, $ROUNDS rounds, 1 KiB Stripe-signed POSTs"
declare -a P R
for i in $(seq "$ROUNDS"); do
  start "plain$i"
  read -r recv _ _ <<<"$REPLY"
  P+=("$(run "$recv" "plain$i")")
  kill "${PIDS[-1]}"
  start "rules$i"
  read -r RULES_RECV RULES_API TOKEN <<<"$REPLY"
  configure "$RULES_API" "$TOKEN"
  R+=("$(run "$RULES_RECV" "rules$i")")
  [[ $i == "$ROUNDS" ]] || kill "${PIDS[-1]}"
done
python3 - "${P[@]}" -- "${R[@]}" <<'PY'
import sys
args = sys.argv[1:]
cut = args.index("--")
def mean(rows):
    cols = list(zip(*[map(float, r.split()) for r in rows]))
    return [sum(c) / len(c) for c in cols]
p, r = mean(args[:cut]), mean(args[cut + 1:])
print(f"{'run':<34}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}")
print(f"{'hooklens':<34}{p[0]:>8.0f}{p[1]:>9.2f}{p[2]:>9.2f}")
print(f"{'hooklens + 50 rules + signatures':<34}{r[0]:>8.0f}{r[1]:>9.2f}{r[2]:>9.2f}")
print(f"\nwith / without: {r[0] / p[0]:.2f} (target >= 0.9)")
PY
# The configured instance really checked and matched: look at one stored request.
curl -s -H "Authorization: Bearer $TOKEN" "$RULES_API/api/v1/requests?limit=1" | python3 -c '
import json, sys
r = json.load(sys.stdin)["items"][0]
print("sample:", r["signature"]["status"], r["signature"]["reason"], "| tags:", r["tags"], "| rules matched:", len(r["rules"]))'
