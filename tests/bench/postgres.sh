#!/usr/bin/env bash
# The store on PostgreSQL, through `hooklens serve`: the capture rate against SQLite's, with
# one instance and with two instances on one database (same run); search latency at COUNT
# stored requests; and what a lapsed delivery lease costs in delivery delay.
#
# Usage: tests/bench/postgres.sh
#   (env: PARTS="capture search lease", REPS=3, DURATION=10s, WARMUP=2s, CONNECTIONS=64,
#    COUNT=1000000, RUNS=200, LEASE=10s)
#
# A throwaway PostgreSQL cluster (the newest under /usr/lib/postgresql, PostgreSQL's default
# durability: fsync and synchronous_commit on) is made in a temporary directory, listening on
# a socket there only, and removed on exit.
# - capture: each repetition posts 1 KiB JSON for DURATION (after WARMUP) over CONNECTIONS
#   connections to a fresh SQLite instance, to one instance on a fresh database, then to two
#   instances on another fresh database at once (half the connections each; their rates
#   added). Fails if any setup stored fewer requests than it answered 2xx.
# - search: fills a database with COUNT realistic requests (the store's `fill` example),
#   starts `hooklens serve --database` on it, and times RUNS calls of each query of
#   search.sh through the API.
# - lease: instance A forwards 8 requests to a target that holds them, and is killed with
#   SIGKILL; instance B (running on the same database) sends them once A's leases (LEASE)
#   lapse. Prints how long after the kill they were delivered, and when the leases ended.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PARTS=${PARTS:-capture search lease}
REPS=${REPS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
COUNT=${COUNT:-1000000}
RUNS=${RUNS:-200}
LEASE=${LEASE:-10s}
export CONNECTIONS=${CONNECTIONS:-64}
[[ $REPS =~ ^[1-9][0-9]*$ && $COUNT =~ ^[1-9][0-9]*$ && $RUNS =~ ^[1-9][0-9]*$ ]] ||
  die "REPS, COUNT and RUNS must be positive integers"
[[ $CONNECTIONS =~ ^[1-9][0-9]*$ && $CONNECTIONS -ge 2 ]] || die "CONNECTIONS must be 2 or more"
secs "$DURATION" >/dev/null && secs "$WARMUP" >/dev/null && secs "$LEASE" >/dev/null

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x $PG_BIN/initdb ]] || die "PostgreSQL is required (Debian's postgresql package; make test installs it)"

# The cluster lives outside $TMP: the server runs as `postgres` when we are root.
PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hooklens-bench-pg.XXXXXX")
AS_PG=()
if [[ $(id -u) -eq 0 ]]; then
  AS_PG=(runuser -u postgres --)
  chown postgres: "$PG_DIR"
fi
pg_cleanup() {
  local rc=$?
  "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" stop -m fast >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  (exit "$rc")
  cleanup
}
trap pg_cleanup EXIT

echo "==> PostgreSQL: $("$PG_BIN/postgres" --version), cluster in $PG_DIR"
"${AS_PG[@]}" "$PG_BIN/initdb" -A trust -U postgres -E UTF8 --locale=C -D "$PG_DIR/data" >/dev/null
"${AS_PG[@]}" "$PG_BIN/pg_ctl" -w -D "$PG_DIR/data" -l "$PG_DIR/log" \
  -o "-k $PG_DIR -c listen_addresses='' -c max_connections=200" start >/dev/null
PG_HOST=${PG_DIR//\//%2F}
DB_SEQ=0

# psql_db DB SQL: runs SQL on database DB; its rows, unaligned.
psql_db() { "$PG_BIN/psql" -X -q -A -t -h "$PG_DIR" -U postgres -d "$1" -c "$2"; }

# new_database: a fresh database; sets DB and DB_URL.
new_database() {
  DB_SEQ=$((DB_SEQ + 1))
  DB=bench_$DB_SEQ
  psql_db postgres "CREATE DATABASE $DB" >/dev/null
  DB_URL=postgres://postgres@$PG_HOST/$DB
}

# answered NAME...: 2xx answers in these oha runs, added.
answered() {
  local total=0 n name
  for name in "$@"; do
    read -r _ _ _ _ n <<<"$(oha_summary "$name")"
    total=$((total + n))
  done
  echo "$total"
}

# check_api NAME...: the last started instance stored at least what these runs got 2xx for.
check_api() {
  local got want
  got=$(stored)
  want=$(answered "$@")
  ((got >= want)) || die "FAIL: answered 2xx for $((want - got)) requests not stored"
  echo "    stored $got, answered 2xx $want"
}

# check_db NAME...: the current database stored at least what these runs got 2xx for.
check_db() {
  local got want
  got=$(psql_db "$DB" "SELECT count(*) FROM requests")
  want=$(answered "$@")
  ((got >= want)) || die "FAIL: answered 2xx for $((want - got)) requests not stored"
  echo "    stored $got, answered 2xx $want"
}

capture_part() {
  local rep half=$((CONNECTIONS / 2))
  for rep in $(seq "$REPS"); do
    start_hooklens "sqlite-$rep"
    echo "==> rep $rep: SQLite at $HL_URL"
    oha_run "sqlite-warmup-$rep" "$WARMUP" "$HL_URL"
    oha_run "sqlite-$rep" "$DURATION" "$HL_URL"
    check_api "sqlite-warmup-$rep" "sqlite-$rep"
    stop "$HL_PID"

    new_database
    start_hooklens "pg1-$rep" --database "$DB_URL"
    echo "==> rep $rep: PostgreSQL, one instance at $HL_URL"
    oha_run "pg1-warmup-$rep" "$WARMUP" "$HL_URL"
    oha_run "pg1-$rep" "$DURATION" "$HL_URL"
    check_db "pg1-warmup-$rep" "pg1-$rep"
    stop "$HL_PID"

    new_database
    start_hooklens "pg2a-$rep" --database "$DB_URL"
    local a_pid=$HL_PID a_url=$HL_URL
    start_hooklens "pg2b-$rep" --database "$DB_URL"
    echo "==> rep $rep: PostgreSQL, two instances at $a_url and $HL_URL, $half connections each"
    local name first
    for name in warmup run; do
      local duration=$DURATION suffix=$rep
      [[ $name == warmup ]] && duration=$WARMUP suffix=warmup-$rep
      CONNECTIONS=$half oha_run "pg2a-$suffix" "$duration" "$a_url" &
      first=$!
      CONNECTIONS=$half oha_run "pg2b-$suffix" "$duration" "$HL_URL"
      wait "$first"
    done
    check_db "pg2a-warmup-$rep" "pg2b-warmup-$rep" "pg2a-$rep" "pg2b-$rep"
    stop "$a_pid"
    stop "$HL_PID"
  done
  python3 - "$TMP" "$REPS" "$(describe), $OHA_VERSION, REPS=$REPS DURATION=$DURATION CONNECTIONS=$CONNECTIONS" <<'PY'
import json, statistics, sys
tmp, reps, context = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def run(name):
    r = json.load(open(f"{tmp}/{name}.json"))
    lat = r.get("latencyPercentiles", {})
    return r["summary"]["requestsPerSec"], (lat.get("p99") or 0) * 1000
print()
print(context)
print(f"{'setup':<36} {'rep':>3} {'req/s':>9} {'p99 ms':>8}")
rows = {"SQLite": [], "PostgreSQL, one instance": [], "PostgreSQL, two instances (sum)": []}
for rep in range(1, reps + 1):
    sqlite, one = run(f"sqlite-{rep}"), run(f"pg1-{rep}")
    a, b = run(f"pg2a-{rep}"), run(f"pg2b-{rep}")
    for label, (rps, p99) in (("SQLite", sqlite), ("PostgreSQL, one instance", one),
                              ("PostgreSQL, two instances (sum)", (a[0] + b[0], max(a[1], b[1])))):
        rows[label].append(rps)
        print(f"{label:<36} {rep:>3} {rps:>9.0f} {p99:>8.2f}")
print(f"median of {reps}:")
for label, rates in rows.items():
    print(f"  {label:<34} {statistics.median(rates):>9.0f} req/s")
PY
}

search_part() {
  build_release -p hooklens-store --example fill
  new_database
  echo "==> filling $DB with $COUNT requests"
  "$TARGET_DIR/release/examples/fill" "$TMP/unused" "$COUNT" --database "$DB_URL" | tee "$TMP/fill.txt"
  psql_db "$DB" "ANALYZE" >/dev/null
  start_hooklens search --database "$DB_URL"
  echo "==> hooklens serve --database on $(stored) stored requests; $RUNS calls per query"
  time_queries "$RUNS"
  echo "$(describe), COUNT=$COUNT RUNS=$RUNS; database $(psql_db "$DB" \
    "SELECT pg_size_pretty(pg_database_size(current_database()))")"
  stop "$HL_PID"
}

# A forward target that holds every request until the file $1 exists, then answers 200.
hold_target() {
  python3 - "$1" <<'PY' >"$TMP/target.out" 2>/dev/null &
import http.server, os, sys, time
flag = sys.argv[1]
class Hold(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length") or 0))
        while not os.path.exists(flag):
            time.sleep(0.01)
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hold)
print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
PY
  TARGET_PID=$!
  PIDS+=("$TARGET_PID")
  TARGET_URL=$(wait_line "$TARGET_PID" "$TMP/target.out" '^listening on ' | sed 's/^listening on //')
}

lease_part() {
  local release=$TMP/release n=8
  hold_target "$release"
  new_database
  start_hooklens lease-a --database "$DB_URL" --forward-to "$TARGET_URL" --delivery-lease "$LEASE"
  local a_pid=$HL_PID
  for i in $(seq "$n"); do
    curl -fsS -o /dev/null -X POST -H 'content-type: application/json' --data '{"lease":1}' "${HL_URL}lease/$i"
  done
  local deadline=$((SECONDS + 30))
  until [[ $(psql_db "$DB" "SELECT count(*) FROM deliveries WHERE leased = 1") == "$n" ]]; do
    ((SECONDS < deadline)) || die "A did not lease its $n deliveries"
    sleep 0.05
  done
  start_hooklens lease-b --database "$DB_URL" --delivery-lease "$LEASE"
  local lease_end killed_us
  lease_end=$(psql_db "$DB" "SELECT max(next_attempt_at_us) FROM deliveries WHERE leased = 1")
  kill -9 "$a_pid"
  killed_us=$(date +%s%6N)
  wait "$a_pid" 2>/dev/null || true # reaped quietly: its SIGKILL is the point
  touch "$release"
  deadline=$((SECONDS + $(secs "$LEASE") + 60))
  until [[ $(psql_db "$DB" "SELECT count(*) FROM deliveries WHERE state = 'succeeded'") == "$n" ]]; do
    ((SECONDS < deadline)) || die "B did not deliver A's deliveries"
    sleep 0.02
  done
  local done_us
  done_us=$(date +%s%6N)
  echo
  echo "$(describe), LEASE=$LEASE"
  echo "lapsed lease: $n deliveries held by the killed instance delivered by the other" \
    "$(((done_us - killed_us) / 1000)) ms after the kill, which came" \
    "$(((lease_end - killed_us) / 1000)) ms before the leases ended:" \
    "$(((done_us - lease_end) / 1000)) ms past the lease (polled every 20 ms)"
  stop "$HL_PID"
}

build_release
for part in $PARTS; do
  case $part in
    capture) capture_part ;;
    search) search_part ;;
    lease) lease_part ;;
    *) die "unknown part $part (capture, search, lease)" ;;
  esac
done
