# Shared by the benchmark scripts in tests/bench/: sourced, never run.
#
# Gives: ROOT (repo root, the working directory), TMP (a temp dir removed on exit), PIDS
# (processes stopped on exit), OHA, and the functions below. Everything listens on
# 127.0.0.1 with free ports.
set -euo pipefail

STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-30} # seconds a server may take to print its address
BENCH=$(basename "$0")

die() {
  echo "$BENCH: $*" >&2
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
    sys.exit(f"cannot read duration {sys.argv[1]!r} (use e.g. 10s, 1m)")
unit = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[m.group(2)]
print(math.ceil(float(m.group(1)) * unit))
PY
}

# oha: installed once with cargo if missing (1.16.0 builds on Rust 1.95).
CARGO_BIN=${CARGO_HOME:-$HOME/.cargo}/bin
if ! command -v oha >/dev/null 2>&1 && [[ ! -x $CARGO_BIN/oha ]]; then
  echo "==> installing oha: cargo install oha --locked"
  cargo install oha --locked
fi
OHA=$(command -v oha || echo "$CARGO_BIN/oha")
OHA_VERSION=$("$OHA" --version)

# build_release [cargo args...]: release build of hooklens and bare-axum (plus what is
# asked); sets TARGET_DIR, HOOKLENS and BARE. HOOKLENS_BIN=path measures that hooklens
# binary instead of building one (to compare two builds).
build_release() {
  local packages=(-p bare-axum)
  [[ -n ${HOOKLENS_BIN:-} ]] || packages+=(-p hooklens-cli)
  echo "==> cargo build --release --locked ${packages[*]}"
  cargo build --release --locked -q "${packages[@]}"
  if (($#)); then # separately: target filters such as --example apply to every -p
    echo "==> cargo build --release --locked $*"
    cargo build --release --locked -q "$@"
  fi
  TARGET_DIR=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
  HOOKLENS=${HOOKLENS_BIN:-$TARGET_DIR/release/hooklens}
  BARE=$TARGET_DIR/release/bare-axum
  [[ -x $HOOKLENS && -x $BARE ]] || die "binaries not found in $TARGET_DIR/release"
}

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
      echo "$BENCH: server exited before printing /$re/; its output:" >&2
      cat "$file" "${file%.out}.err" >&2 || true
      return 1
    fi
    sleep 0.1
  done
  echo "$BENCH: no /$re/ from the server within ${STARTUP_TIMEOUT}s" >&2
  return 1
}

# start_bare: starts bare-axum; sets BARE_PID and BARE_URL (ending in /).
start_bare() {
  "$BARE" 127.0.0.1:0 >"$TMP/bare.out" 2>"$TMP/bare.err" &
  BARE_PID=$!
  PIDS+=("$BARE_PID")
  local line
  line=$(wait_line "$BARE_PID" "$TMP/bare.out" '^listening on http://') || die "bare-axum did not start"
  BARE_URL=${line#listening on }/
}

# start_hooklens NAME [serve args...]: starts `hooklens serve` with data dir $TMP/NAME
# (or $DATA_DIR when set); sets HL_PID, HL_URL (ending in /), API_URL, TOKEN and HL_DIR.
start_hooklens() {
  local name=$1
  shift
  HL_DIR=${DATA_DIR:-$TMP/$name}
  mkdir -p "$HL_DIR"
  env -u HOOKLENS_API_TOKEN -u HOOKLENS_MAX_BODY -u HOOKLENS_FORWARD_TO \
    "$HOOKLENS" serve --data-dir "$HL_DIR" --listen 127.0.0.1:0 --api-listen 127.0.0.1:0 "$@" \
    >"$TMP/$name.out" 2>"$TMP/$name.err" &
  HL_PID=$!
  PIDS+=("$HL_PID")
  local line
  line=$(wait_line "$HL_PID" "$TMP/$name.out" '^ *Receiver: +http://') || die "hooklens did not start"
  HL_URL=$(grep -oE 'http://[^ /]+' <<<"$line")/
  line=$(wait_line "$HL_PID" "$TMP/$name.out" '^ *Inspector: +http://') || die "hooklens did not start"
  API_URL=$(grep -oE 'http://[^ /]+' <<<"$line")
  curl -fsS --max-time 5 --retry 10 --retry-connrefused --retry-delay 1 \
    "$API_URL/api/v1/health" >/dev/null || die "hooklens API not healthy at $API_URL"
  TOKEN=$(cat "$HL_DIR/api-token")
}

# api METHOD PATH [JSON]: calls the control API of the last started instance.
api() {
  local args=(-fsS --max-time 30 -X "$1" -H "Authorization: Bearer $TOKEN")
  [[ $# -ge 3 ]] && args+=(-H 'content-type: application/json' --data-binary "$3")
  curl "${args[@]}" "$API_URL$2" || die "API call $1 $2 failed"
}

# stored: how many requests the last started instance holds.
stored() {
  api GET /api/v1/status | python3 -c 'import json, sys; print(json.load(sys.stdin)["requests"])'
}

# time_queries RUNS: times RUNS calls of each of the search benchmark's queries (after 10
# unmeasured ones) through the last started instance's API, over one keep-alive connection:
# hits, p50, p95, p99 and the largest, in ms. The queries: the newest 100, a page deep
# down, a filter, full-text words common and rare, a prefix, and an event id deep in the
# store (90 % of the way back).
time_queries() {
  python3 - "$API_URL" "$TOKEN" "$1" <<'PY'
import http.client, json, statistics, sys, time, urllib.parse

api, token, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
host = urllib.parse.urlparse(api).netloc
conn = http.client.HTTPConnection(host, timeout=30)
auth = {"Authorization": f"Bearer {token}"}


def get(path):
    conn.request("GET", path, headers=auth)
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        sys.exit(f"GET {path}: {r.status} {body[:200]!r}")
    return json.loads(body)


newest = get("/api/v1/requests?limit=100")
top = int(newest["next"]) + 100  # cursors are storage positions
# An event id deep in the store (90 % of the way back): a query with a single, old match.
deep = get(f"/api/v1/requests?limit=1&cursor={max(2, top - top * 9 // 10)}")["items"][0]["id"]
body = get(f"/api/v1/requests/{deep}").get("body_text") or ""
evt = json.loads(body)["id"].split("_", 1)[1] if body.startswith("{") else None
queries = [
    ("list latest 100", "/api/v1/requests?limit=100"),
    ("list page 10 (cursor)", f"/api/v1/requests?limit=100&cursor={top - 900}"),
    ("filter provider=github, 100", "/api/v1/requests?limit=100&provider=github"),
    ("FTS 'invoice', newest 100", "/api/v1/requests?limit=100&q=invoice"),
    ("FTS 'refund dispute', newest 100", "/api/v1/requests?limit=100&q=refund%20dispute"),
    ("FTS prefix 'warehou', newest 100", "/api/v1/requests?limit=100&q=warehou"),
]
if evt:
    queries.append(("FTS one old event id", f"/api/v1/requests?limit=100&q={evt}"))
print(f"{'query':<34} {'hits':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
for name, path in queries:
    hits = len(get(path)["items"])
    for _ in range(10):
        get(path)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        get(path)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    q = lambda p: times[min(len(times) - 1, int(p * len(times)))]
    print(f"{name:<34} {hits:>5} {q(0.50):>8.2f} {q(0.95):>8.2f} {q(0.99):>8.2f} {times[-1]:>8.2f}")
PY
}

# rss_kb PID FIELD: VmHWM (peak) or VmRSS (now) of PID, in KiB.
rss_kb() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }

# make_body FILE: a 1 KiB JSON body shaped like a Stripe event.
make_body() {
  python3 - "$1" <<'PY'
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
}

# oha_run NAME DURATION URL [oha args...]: POSTs $BODY (default: a 1 KiB JSON event) over
# $CONNECTIONS connections; results as JSON in $TMP/NAME.json.
oha_run() {
  local name=$1 duration=$2 url=$3
  shift 3
  if [[ -z ${BODY:-} ]]; then
    BODY=$TMP/body.json
    make_body "$BODY"
  fi
  local limit=$(($(secs "$duration") + 60))
  timeout --kill-after=10 "$limit" "$OHA" -z "$duration" -c "${CONNECTIONS:-64}" \
    -m POST -H 'content-type: application/json' -D "$BODY" \
    --no-tui --output-format json --wait-ongoing-requests-after-deadline "$@" "$url" \
    >"$TMP/$name.json" 2>"$TMP/$name.err" ||
    {
      cat "$TMP/$name.err" >&2
      die "oha failed ($name)"
    }
}

# oha_summary NAME: "req/s p50_ms p99_ms 2xx answered-2xx-count" of an oha result.
oha_summary() {
  python3 - "$TMP/$1.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
codes = r.get("statusCodeDistribution", {})
ok = sum(n for c, n in codes.items() if c.startswith("2"))
total = sum(codes.values()) + sum(r.get("errorDistribution", {}).values())
lat = r.get("latencyPercentiles", {})
ms = lambda v: float("nan") if v is None else v * 1000
print(f'{r["summary"]["requestsPerSec"]:.1f} {ms(lat.get("p50")):.3f} {ms(lat.get("p99")):.3f} '
      f'{100 * ok / total if total else 0:.2f} {ok}')
PY
}

# watch_wal DIR OUTFILE: in the background, records the largest size of DIR/hooklens.db-wal
# seen (sampled every 20 ms) into OUTFILE, in bytes; sets WATCH_PID.
watch_wal() {
  python3 - "$1/hooklens.db-wal" "$2" <<'PY' &
import os, sys, time
path, out = sys.argv[1:3]
peak = 0
while True:
    try:
        peak = max(peak, os.stat(path).st_size)
    except FileNotFoundError:
        pass
    with open(out + ".tmp", "w") as f:
        f.write(str(peak))
    os.replace(out + ".tmp", out)
    time.sleep(0.02)
PY
  WATCH_PID=$!
  PIDS+=("$WATCH_PID")
}

# describe: when, where and what was measured, for the head of a result table.
describe() {
  local rev
  rev=$(git rev-parse --short HEAD 2>/dev/null || echo "no git")
  [[ -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]] && rev+="+changes"
  [[ -n ${HOOKLENS_BIN:-} ]] && rev="hooklens from $HOOKLENS_BIN"
  local cpu
  cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($cpu), load $(cut -d' ' -f1-3 /proc/loadavg), $rev"
}

# The Stripe signing secret of configure_rules' endpoint.
SECRET=whsec_bench_0123456789abcdef

# stripe_signature FILE: a Stripe-Signature header value for FILE's bytes, signed now.
stripe_signature() {
  python3 - "$SECRET" "$1" <<'PY'
import hashlib, hmac, sys, time
secret, body = sys.argv[1], open(sys.argv[2], "rb").read()
t = int(time.time())
print(f"t={t},v1=" + hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest())
PY
}

# configure_rules [FORWARD_URL]: gives the last started instance a /stripe endpoint that
# checks signatures against two secrets (tolerance ten years: a signature stays valid
# through a run), forwarding every capture to FORWARD_URL when given, and 50 rules: 48 that
# miss, 2 that match and tag.
configure_rules() {
  python3 - "$API_URL" "$TOKEN" "$SECRET" "${1:-}" <<'PY'
import json, sys, urllib.request
api, token, secret, target = sys.argv[1:5]
def call(method, path, body):
    req = urllib.request.Request(api + path, method=method, data=json.dumps(body).encode(),
        headers={"authorization": "Bearer " + token, "content-type": "application/json"})
    with urllib.request.urlopen(req) as r:
        assert r.status in (200, 201), r.status
endpoint = {"name": "stripe", "path": "/stripe",
            "signature": {"scheme": "stripe", "secrets": ["whsec_rotated_away_000", secret],
                          "tolerance_s": 10 * 365 * 86400}}
if target:
    endpoint["forward"] = [{"url": target}]
call("POST", "/api/v1/endpoints", endpoint)
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

# ab_bench LABEL_A LABEL_B TARGET: the alternating A/B benchmark of rules.sh and metrics.sh.
# Each of ROUNDS rounds calls the script's `measure a ROUND` and `measure b ROUND` (a first in
# odd rounds, b first in even ones, so neither always runs on a warmer machine), each leaving
# "req/s p50_ms p99_ms" in RESULT; prints every round, the means, and B/A against TARGET.
ab_bench() {
  local label_a=$1 label_b=$2 target=$3 i a=() b=()
  echo "==> $OHA_VERSION, $DURATION per run, $CONNECTIONS connections, $ROUNDS rounds: $label_a vs $label_b"
  for i in $(seq "$ROUNDS"); do
    if ((i % 2)); then
      measure a "$i" && a+=("$RESULT")
      measure b "$i" && b+=("$RESULT")
    else
      measure b "$i" && b+=("$RESULT")
      measure a "$i" && a+=("$RESULT")
    fi
    echo "round $i: ${a[-1]} | ${b[-1]}   (req/s p50 p99: $label_a | $label_b)"
  done
  echo
  describe
  python3 - "$label_a" "$label_b" "$target" "${a[@]}" -- "${b[@]}" <<'PY'
import sys
label_a, label_b, target = sys.argv[1:4]
rest = sys.argv[4:]
cut = rest.index("--")
a = [list(map(float, r.split())) for r in rest[:cut]]
b = [list(map(float, r.split())) for r in rest[cut + 1:]]
mean = lambda rows: [sum(c) / len(c) for c in zip(*rows)]
ma, mb = mean(a), mean(b)
print(f"\n{'run':<36}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}")
for label, m in ((label_a, ma), (label_b, mb)):
    print(f"{label:<36}{m[0]:>8.0f}{m[1]:>9.2f}{m[2]:>9.2f}")
print(f"\n{label_b} / {label_a}: {mb[0] / ma[0]:.3f} (target >= {target}); per round: "
      + ", ".join(f"{y[0] / x[0]:.3f}" for x, y in zip(a, b)))
PY
}

# measure_run NAME URL [oha args...]: DURATION of POSTs of BODY to URL on the last started
# instance, checked to have stored every request it answered 2xx; sets RESULT to
# "req/s p50_ms p99_ms" and OK to the count answered 2xx.
measure_run() {
  local name=$1 rps p50 p99
  shift
  oha_run "$name" "$DURATION" "$@"
  read -r rps p50 p99 _ OK <<<"$(oha_summary "$name")"
  (($(stored) >= OK)) || die "FAIL: $name answered 2xx for requests it did not store"
  RESULT="$rps $p50 $p99"
}

# ab_setup DEFAULT_ROUNDS: reads DURATION (default 10s), CONNECTIONS (64) and ROUNDS, builds
# the release binaries and writes BODY (a 1 KiB Stripe-shaped event).
ab_setup() {
  DURATION=${DURATION:-10s}
  export CONNECTIONS=${CONNECTIONS:-64}
  ROUNDS=${ROUNDS:-$1}
  [[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer"
  secs "$DURATION" >/dev/null
  build_release
  BODY=$TMP/body.json
  make_body "$BODY"
}
