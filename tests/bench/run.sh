#!/usr/bin/env bash
# Capture benchmark: Hooklens's receiver against a bare axum server (tests/bench/bare).
#
# Usage, from the repo root (or anywhere: paths are taken from this script's location):
#   tests/bench/run.sh                           # or: make bench
#   DURATION=30s CONNECTIONS=128 tests/bench/run.sh
#
# Environment:
#   DURATION          length of each measured run, oha -z syntax (default 10s)
#   CONNECTIONS       concurrent connections, oha -c (default 64)
#   WARMUP            unmeasured warm-up before each full-speed run (default 2s)
#   CARGO_TARGET_DIR  respected when building and locating the binaries
#
# What it does: installs oha if it is missing (cargo install oha --locked), builds the
# release binaries of hooklens and bare-axum, then, on 127.0.0.1 only and with free
# ports: POSTs a 1 KiB JSON body as fast as it can to the bare server, then to
# `hooklens serve` (fresh temp data dir), then to Hooklens again at half its measured
# rate. Prints req/s, p50/p99 latency and the share of 2xx answers for each run,
# Hooklens/bare throughput, Hooklens's memory, and checks that Hooklens stored at least as
# many requests as it answered with 2xx (it answers only after the SQLite commit).
# Servers and the temp dir are removed on exit, even on failure.
set -euo pipefail

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
WARMUP=${WARMUP:-2s}
STARTUP_TIMEOUT=30 # seconds a server may take to print its address

die() {
  echo "run.sh: $*" >&2
  exit 1
}
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required"; }
need cargo
need python3
need curl
need timeout

# A relative CARGO_TARGET_DIR means relative to where we were started.
if [[ -n ${CARGO_TARGET_DIR:-} && ${CARGO_TARGET_DIR} != /* ]]; then
  export CARGO_TARGET_DIR="$PWD/$CARGO_TARGET_DIR"
fi
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

# Seconds in an oha duration ("10s", "1m", "500ms", "1h"), rounded up.
secs() {
  python3 - "$1" <<'PY'
import math, re, sys
m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*", sys.argv[1])
if not m:
    sys.exit(f"run.sh: cannot read duration {sys.argv[1]!r} (use e.g. 10s, 1m)")
unit = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[m.group(2)]
print(math.ceil(float(m.group(1)) * unit))
PY
}
[[ $CONNECTIONS =~ ^[1-9][0-9]*$ ]] || die "CONNECTIONS must be a positive integer"
DURATION_S=$(secs "$DURATION")
WARMUP_S=$(secs "$WARMUP")

# ---------------------------------------------------------------------------------------
# oha
CARGO_BIN=${CARGO_HOME:-$HOME/.cargo}/bin
if ! command -v oha >/dev/null 2>&1 && [[ ! -x $CARGO_BIN/oha ]]; then
  echo "==> installing oha: cargo install oha --locked"
  cargo install oha --locked
fi
OHA=$(command -v oha || echo "$CARGO_BIN/oha")
OHA_VERSION=$("$OHA" --version)

# ---------------------------------------------------------------------------------------
# Build
echo "==> cargo build --release -p hooklens-cli -p bare-axum"
cargo build --release -p hooklens-cli -p bare-axum
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
HOOKLENS=$TARGET_DIR/release/hooklens
BARE=$TARGET_DIR/release/bare-axum
[[ -x $HOOKLENS && -x $BARE ]] || die "binaries not found in $TARGET_DIR/release"

# ---------------------------------------------------------------------------------------
# Temp dir, cleanup
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hooklens-bench.XXXXXX")
PIDS=()
stop() { # stop PID: SIGTERM, then SIGKILL after 10 s
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do stop "$pid"; done
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_line PID OUTFILE ERE: print OUTFILE's first line matching ERE, waiting up to
# STARTUP_TIMEOUT s; fail if the process exits first.
wait_line() {
  local pid=$1 file=$2 re=$3 line
  local deadline=$((SECONDS + STARTUP_TIMEOUT))
  while ((SECONDS <= deadline)); do
    if line=$(grep -m1 -E "$re" "$file" 2>/dev/null); then
      printf '%s\n' "$line"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "run.sh: server exited before printing /$re/; its output:" >&2
      cat "$file" "${file%.out}.err" >&2 || true
      return 1
    fi
    sleep 0.1
  done
  echo "run.sh: no /$re/ from the server within ${STARTUP_TIMEOUT}s" >&2
  return 1
}

# ---------------------------------------------------------------------------------------
# 1 KiB JSON body, shaped like a Stripe event
BODY=$TMP/body.json
python3 - "$BODY" <<'PY'
import json, sys
event = {
    "id": "evt_3PbenchHooklens0001",
    "object": "event",
    "api_version": "2024-06-20",
    "created": 1718000000,
    "type": "payment_intent.succeeded",
    "livemode": False,
    "pending_webhooks": 1,
    "request": {"id": "req_bench0001", "idempotency_key": "4f1c2a9e-bench"},
    "data": {
        "object": {
            "id": "pi_3PbenchHooklens0001",
            "object": "payment_intent",
            "amount": 2000,
            "amount_received": 2000,
            "currency": "usd",
            "customer": "cus_bench0001",
            "description": "Hooklens capture benchmark",
            "metadata": {"order_id": "6735", "padding": ""},
            "payment_method": "pm_bench0001",
            "status": "succeeded",
        }
    },
}
size = len(json.dumps(event, separators=(",", ":")).encode())
event["data"]["object"]["metadata"]["padding"] = "x" * (1024 - size)
data = json.dumps(event, separators=(",", ":")).encode()
assert len(data) == 1024 and json.loads(data), len(data)
open(sys.argv[1], "wb").write(data)
PY

# oha_run NAME DURATION URL [oha args...]: results as JSON in $TMP/NAME.json
oha_run() {
  local name=$1 duration=$2 url=$3
  shift 3
  local limit=$(($(secs "$duration") + 60))
  timeout --kill-after=10 "$limit" "$OHA" -z "$duration" -c "$CONNECTIONS" \
    -m POST -H 'content-type: application/json' -D "$BODY" \
    --no-tui --output-format json --wait-ongoing-requests-after-deadline "$@" "$url" \
    >"$TMP/$name.json" 2>"$TMP/$name.err" ||
    {
      cat "$TMP/$name.err" >&2
      die "oha failed ($name)"
    }
}

# field FILE EXPR: a value out of an oha JSON result (EXPR is Python over `r`)
field() {
  python3 - "$1" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))
PY
}

echo "==> $OHA_VERSION; ${DURATION} per run (+${WARMUP} warm-up), ${CONNECTIONS} connections, 1 KiB POST"

# ---------------------------------------------------------------------------------------
# Bare axum
"$BARE" 127.0.0.1:0 >"$TMP/bare.out" 2>"$TMP/bare.err" &
BARE_PID=$!
PIDS+=("$BARE_PID")
line=$(wait_line "$BARE_PID" "$TMP/bare.out" '^listening on http://') || die "bare-axum did not start"
BARE_URL=${line#listening on }/
echo "==> bare axum at $BARE_URL: warm-up, then ${DURATION}"
oha_run bare-warmup "$WARMUP" "$BARE_URL"
oha_run bare "$DURATION" "$BARE_URL"
stop "$BARE_PID"

# ---------------------------------------------------------------------------------------
# Hooklens
# Starts `hooklens serve` with data dir $TMP/$1; sets HL_PID, HL_URL, API_URL and TOKEN.
start_hooklens() {
  env -u HOOKLENS_API_TOKEN -u HOOKLENS_MAX_BODY \
    "$HOOKLENS" serve --data-dir "$TMP/$1" --listen 127.0.0.1:0 --api-listen 127.0.0.1:0 \
    >"$TMP/$1.out" 2>"$TMP/$1.err" &
  HL_PID=$!
  PIDS+=("$HL_PID")
  local line
  line=$(wait_line "$HL_PID" "$TMP/$1.out" '^ *Receiver: +http://') || die "hooklens did not start"
  HL_URL=$(grep -oE 'http://[^ /]+' <<<"$line")/
  line=$(wait_line "$HL_PID" "$TMP/$1.out" '^ *Inspector: +http://') || die "hooklens did not start"
  API_URL=$(grep -oE 'http://[^ /]+' <<<"$line")
  curl -fsS --max-time 5 --retry 10 --retry-connrefused --retry-delay 1 \
    "$API_URL/api/v1/health" >/dev/null || die "hooklens API not healthy at $API_URL"
  TOKEN=$(cat "$TMP/$1/api-token")
}

# How many requests the running instance stored.
stored() {
  curl -fsS --max-time 10 -H "Authorization: Bearer $TOKEN" "$API_URL/api/v1/status" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["requests"])' ||
    die "cannot read $API_URL/api/v1/status"
}

start_hooklens full
echo "==> hooklens at $HL_URL: warm-up, then ${DURATION}"
oha_run hooklens-warmup "$WARMUP" "$HL_URL"
oha_run hooklens "$DURATION" "$HL_URL"
STATUS_FILE=/proc/$HL_PID/status
VM_HWM_KB=$(awk '/^VmHWM:/ {print $2}' "$STATUS_FILE")
VM_RSS_KB=$(awk '/^VmRSS:/ {print $2}' "$STATUS_FILE")
STORED_FULL=$(stored)
stop "$HL_PID"

# Half load on a fresh instance: the steady-state latency at that rate. (Right after a
# saturating run the same instance is still draining a WAL of a gigabyte or more, and its
# latency then says more about the storm than about the load.)
start_hooklens half
HALF_RATE=$(field "$TMP/hooklens.json" 'max(1, round(r["summary"]["requestsPerSec"] / 2))')
echo "==> fresh hooklens at half its peak: ${HALF_RATE} req/s for ${DURATION}"
oha_run hooklens-half "$DURATION" "$HL_URL" -q "$HALF_RATE" --latency-correction
STORED=$((STORED_FULL + $(stored)))

# ---------------------------------------------------------------------------------------
# Report
python3 - "$TMP" "$VM_HWM_KB" "$VM_RSS_KB" "$STORED" "$HALF_RATE" \
  "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $OHA_VERSION, DURATION=$DURATION CONNECTIONS=$CONNECTIONS WARMUP=$WARMUP" <<'PY'
import json, sys

tmp, hwm_kb, rss_kb, stored, half_rate, context = sys.argv[1:]
stored, half_rate = int(stored), int(half_rate)


def load(name):
    return json.load(open(f"{tmp}/{name}.json"))


def twoxx(r):
    return sum(n for code, n in r.get("statusCodeDistribution", {}).items() if code.startswith("2"))


def attempts(r):
    return sum(r.get("statusCodeDistribution", {}).values()) + sum(
        r.get("errorDistribution", {}).values()
    )


def row(label, r):
    lat = r.get("latencyPercentiles", {})
    ms = lambda v: "-" if v is None else f"{v * 1000:.2f}"
    ok = twoxx(r)
    total = attempts(r)
    rate = 100 * ok / total if total else 0.0
    return (
        f"{label:<26} {r['summary']['requestsPerSec']:>10.0f} {ms(lat.get('p50')):>8} "
        f"{ms(lat.get('p99')):>8} {rate:>7.2f}% {ok:>9}"
    )


bare, hl, half = load("bare"), load("hooklens"), load("hooklens-half")
print()
print(context)
print(f"{'run':<26} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'2xx':>8} {'answered':>9}")
print(row("bare axum", bare))
print(row("hooklens", hl))
print(row(f"hooklens @ half ({half_rate}/s)", half))
print()
ratio = hl["summary"]["requestsPerSec"] / bare["summary"]["requestsPerSec"]
print(f"hooklens / bare req/s:     {ratio:.2f}")
print(f"hooklens RSS:              peak {int(hwm_kb) / 1024:.1f} MiB, now {int(rss_kb) / 1024:.1f} MiB")

answered = sum(twoxx(load(n)) for n in ("hooklens-warmup", "hooklens", "hooklens-half"))
errors = {}
for n in ("bare-warmup", "bare", "hooklens-warmup", "hooklens", "hooklens-half"):
    for k, v in load(n).get("errorDistribution", {}).items():
        errors[f"{n}: {k}"] = errors.get(f"{n}: {k}", 0) + v
for k, v in errors.items():
    print(f"oha error                  {k} x{v}")
print(f"hooklens stored/answered:  {stored} stored, {answered} answered 2xx (all runs incl. warm-up)")
if stored < answered:
    print(f"FAIL: hooklens answered 2xx for {answered - stored} requests it did not store",
          file=sys.stderr)
    sys.exit(2)
PY
