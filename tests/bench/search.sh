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
python3 - "$API_URL" "$TOKEN" "$RUNS" <<'PY' | tee "$TMP/search.txt"
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
HWM=$(rss_kb "$HL_PID" VmHWM)
RSS=$(rss_kb "$HL_PID" VmRSS)
echo
echo "$(describe), COUNT=$COUNT RUNS=$RUNS"
echo "stored:          $STORED requests, database $((DB_BYTES / 1048576)) MiB, $((DB_BYTES / STORED)) bytes per request"
echo "engine RSS:      peak $((HWM / 1024)) MiB, now $((RSS / 1024)) MiB (serving the queries above)"
