#!/usr/bin/env bash
# Desktop figures: cold start to the inspector loaded in the window, whole-app memory (the
# shell and WebKit's processes: RSS and PSS summed) idle and with 100,000 stored requests,
# binary and .deb size. Runs the release build under Xvfb with a private D-Bus session bus,
# free ports and a temporary home; sends traffic to loopback only.
#
# And the long run (`ONLY=soak`, or after the rest with `SOAK=1`): the shell's and the web
# process's PSS with the window on the live list, at start, every SOAK_EVERY minutes of
# SOAK_RATE req/s for SOAK_MINUTES minutes, and after a burst of SOAK_BURST requests.
#
# Usage (from anywhere): tests/desktop/figures.sh   # or: make desktop-figures
#   RUNS=5 tests/desktop/figures.sh                  # start-up samples (default 5)
#   ONLY=soak tests/desktop/figures.sh               # only the long run (30 min at 50 req/s,
#                                                    # then 20,000 at once)
#   ONLY=soak SOAK_MINUTES=2 SOAK_EVERY=1 tests/desktop/figures.sh   # a short one
#   PROFILE=debug tests/desktop/figures.sh           # the debug binaries, as built (no cargo)
#   BUILD=0 SERVE=target/debug/hooklens tests/desktop/figures.sh
#                          # the release app as `make package` left it; another `hooklens`
#                          # fills the store (only the fill speed depends on it)
# Needs: Xvfb, dbus-daemon, oha (installed with cargo when missing). Build the .deb first
# (make package) to get its size.
set -euo pipefail

RUNS=${RUNS:-5}
REQUESTS=${REQUESTS:-100000}
SOAK_MINUTES=${SOAK_MINUTES:-30}
SOAK_EVERY=${SOAK_EVERY:-5}
SOAK_RATE=${SOAK_RATE:-50}
SOAK_BURST=${SOAK_BURST:-20000}
cd "$(dirname "$0")/../.."
TARGET=$(realpath "${CARGO_TARGET_DIR:-target}")
die() { echo "figures.sh: $*" >&2; exit 1; }
for tool in Xvfb dbus-daemon python3 curl; do command -v $tool >/dev/null || die "$tool is required"; done
command -v oha >/dev/null || cargo install oha --locked

PROFILE=${PROFILE:-release}
if [ "$PROFILE" = release ] && [ "${BUILD:-1}" = 1 ]; then
  cargo build --release --locked -p hooklens-desktop -p hooklens-cli
fi
APP=$TARGET/$PROFILE/hooklens-desktop
SERVE=$(realpath "${SERVE:-$TARGET/$PROFILE/hooklens}")
[ -x "$APP" ] && [ -x "$SERVE" ] || die "build $APP and $SERVE first"

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

exec 3< <(Xvfb -displayfd 1 -screen 0 1280x800x24 -nolisten tcp 2>/dev/null & echo $!)
read -r XPID <&3; PIDS+=("$XPID"); read -r DISP <&3
exec 4< <(dbus-daemon --session --nofork --print-address=1 2>/dev/null & echo $!)
read -r BUSPID <&4; PIDS+=("$BUSPID"); read -r BUS <&4
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
RECV=$(free_port); API=$(free_port)
export DISPLAY=":$DISP" DBUS_SESSION_BUS_ADDRESS="$BUS" HOME="$WORK/home" \
  XDG_CONFIG_HOME="$WORK/home/.config" XDG_DATA_HOME="$WORK/home/.local/share" \
  XDG_CACHE_HOME="$WORK/home/.cache" HOOKLENS_DATA_DIR="$WORK/data" \
  HOOKLENS_LISTEN="127.0.0.1:$RECV" HOOKLENS_API_LISTEN="127.0.0.1:$API" HOOKLENS_LOG=info
mkdir -p "$HOME"

# Starts the app; sets APP_PID and MS, the ms until the inspector has loaded.
start_app() {
  local log=$WORK/app.log t0 t1
  : > "$log"
  t0=$(date +%s%N)
  "$APP" 2>"$log" >/dev/null &
  APP_PID=$!
  for _ in $(seq 1 3000); do
    grep -q "inspector loaded in the window" "$log" && break
    kill -0 "$APP_PID" 2>/dev/null || die "the app exited: $(cat "$log")"
    sleep 0.01
  done
  grep -q "inspector loaded in the window" "$log" || die "no window after 30 s"
  t1=$(date +%s%N)
  MS=$(( (t1 - t0) / 1000000 ))
}
stop_app() { kill -TERM "$APP_PID"; wait "$APP_PID" || true; }

# RSS and PSS (MiB) of the app and all its descendants (WebKit's web and network processes).
memory() {
  python3 - "$APP_PID" <<'PY'
import os, sys
root = int(sys.argv[1])
kids = {}
for p in os.listdir('/proc'):
    if p.isdigit():
        try:
            ppid = int(open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()[1])
            kids.setdefault(ppid, []).append(int(p))
        except OSError:
            pass
todo, seen = [root], []
while todo:
    p = todo.pop(); seen.append(p); todo += kids.get(p, [])
rss = pss = 0
names = []
for p in seen:
    try:
        r = q = 0
        for line in open(f'/proc/{p}/smaps_rollup'):
            if line.startswith('Rss:'): r = int(line.split()[1])
            if line.startswith('Pss:'): q = int(line.split()[1])
        rss += r; pss += q
        names.append(f"{open(f'/proc/{p}/comm').read().strip()} {r/1024:.0f}/{q/1024:.0f}")
    except OSError:
        pass
print(f"RSS {rss/1024:.0f} MiB, PSS {pss/1024:.0f} MiB over {len(names)} processes (RSS/PSS MiB: {', '.join(names)})")
PY
}

# PSS (MiB) of the shell (the app's own process: window, tray, engine) and of WebKit's web
# process (the inspector's page), which are what a long run could grow.
pss_split() {
  python3 - "$APP_PID" <<'PY'
import os, sys
root = int(sys.argv[1])
def pss(p):
    for line in open(f'/proc/{p}/smaps_rollup'):
        if line.startswith('Pss:'):
            return int(line.split()[1]) / 1024
    return 0.0
kids = {}
for p in os.listdir('/proc'):
    if p.isdigit():
        try:
            ppid = int(open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()[1])
            kids.setdefault(ppid, []).append(int(p))
        except OSError:
            pass
todo, web = list(kids.get(root, [])), 0.0
while todo:
    p = todo.pop(); todo += kids.get(p, [])
    try:
        if open(f'/proc/{p}/comm').read().strip() == 'WebKitWebProces':
            web += pss(p)
    except OSError:
        pass
print(f"shell PSS {pss(root):.0f} MiB, web process PSS {web:.0f} MiB")
PY
}

post_json() {
  local n=$1 c=$2; shift 2
  oha --no-tui -n "$n" -c "$c" "$@" -m POST -H 'content-type: application/json' \
    -d '{"type":"payment_intent.succeeded","data":{"object":{"amount":4200,"currency":"eur"}}}' \
    "http://127.0.0.1:$RECV/stripe/events" | grep -E "Success rate|Requests/sec" | sed 's/^/    oha: /'
}

soak() {
  rm -rf "$HOOKLENS_DATA_DIR"
  echo "== long run: the window on the live list, $SOAK_MINUTES min at $SOAK_RATE req/s, then $SOAK_BURST at once"
  start_app
  sleep 5
  echo "  start:        $(pss_split)"
  local done=0
  while [ "$done" -lt "$SOAK_MINUTES" ]; do
    local step=$(( SOAK_MINUTES - done < SOAK_EVERY ? SOAK_MINUTES - done : SOAK_EVERY ))
    post_json $(( step * 60 * SOAK_RATE )) 4 -q "$SOAK_RATE" >/dev/null
    done=$(( done + step ))
    echo "  after $done min: $(pss_split)"
  done
  post_json "$SOAK_BURST" 32
  sleep 10
  echo "  after the burst (+10 s): $(pss_split)"
  echo "  stored: $(curl -fs -H "Authorization: Bearer $(cat "$HOOKLENS_DATA_DIR/api-token")" \
    "http://127.0.0.1:$API/api/v1/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')"
  stop_app
}

if [ "${ONLY:-}" = soak ]; then soak; exit 0; fi

echo "== cold start to the inspector loaded in the window ($RUNS runs, fresh process each)"
times=()
for i in $(seq 1 "$RUNS"); do
  start_app; times+=("$MS"); echo "  run $i: $MS ms"
  if [ "$i" -lt "$RUNS" ]; then stop_app; fi
done
echo "  median: $(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p") ms"

echo "== idle memory (window open, 5 s after load, empty store)"
sleep 5
echo "  $(memory)"
stop_app

echo "== $REQUESTS requests stored (sent through 'hooklens serve' on the same data dir)"
"$SERVE" serve >/dev/null 2>&1 &
SERVE_PID=$!; PIDS+=("$SERVE_PID")
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$API/api/v1/health" >/dev/null && break; sleep 0.1; done
oha --no-tui -n "$REQUESTS" -c 32 -m POST -H 'content-type: application/json' \
  -d '{"type":"payment_intent.succeeded","data":{"object":{"amount":4200,"currency":"eur"}}}' \
  "http://127.0.0.1:$RECV/stripe/events" | grep -E "Success rate|Requests/sec" | sed 's/^/  oha: /'
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" || true
start_app
echo "  start with $REQUESTS stored: $MS ms"
sleep 5
echo "  idle memory: $(memory)"
stop_app

echo "== sizes"
echo "  binary: $(du -h "$APP" | cut -f1) ($(stat -c %s "$APP") bytes, $APP)"
deb=$(ls "$TARGET/$PROFILE"/bundle/deb/*.deb 2>/dev/null | head -1 || true)
if [ -n "$deb" ]; then
  echo "  .deb:   $(du -h "$deb" | cut -f1) ($(stat -c %s "$deb") bytes, $deb)"
else
  echo "  .deb:   not built (make package)"
fi

if [ "${SOAK:-0}" = 1 ]; then soak; fi
