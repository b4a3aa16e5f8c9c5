#!/usr/bin/env bash
# Capture benchmark: Hooklens's receiver against a bare axum server (tests/bench/bare), in the
# same run, REPS times; reports the medians.
#
# Usage, from anywhere:
#   tests/bench/run.sh                          # plain capture
#   PROFILE=rules tests/bench/run.sh            # 50 rules, signature checks, auto-forwarding
#   REPS=5 DURATION=30s CONNECTIONS=128 tests/bench/run.sh
#
# Environment:
#   PROFILE           plain (default) or rules: Hooklens gets a /stripe endpoint checking
#                     Stripe signatures against two secrets and forwarding every capture to
#                     the bare server (kept running as the target), and 50 rules (48 that
#                     miss, 2 that match and tag); oha sends Stripe-signed events there
#   REPS              repetitions (default 3)
#   DURATION          length of each measured run, oha -z syntax (default 10s)
#   CONNECTIONS       concurrent connections, oha -c (default 64)
#   WARMUP            unmeasured warm-up before each full-speed run (default 2s)
#   CARGO_TARGET_DIR  respected when building and locating the binaries
#
# Each repetition, on 127.0.0.1 with free ports: 1 KiB JSON POSTs as fast as oha can send
# them to the bare server, then to a fresh `hooklens serve` (after a warm-up), then to
# another fresh instance at half that instance's rate (oha -q with --latency-correction, so
# a stall counts against every request queued behind it). Prints req/s, p50/p99 latency and
# the share of 2xx answers per run, the Hooklens/bare ratio, Hooklens's peak memory, and
# the medians; fails if an instance stored fewer requests than it answered 2xx (it answers
# only after the SQLite commit). Servers and temp dirs are removed on exit.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PROFILE=${PROFILE:-plain}
REPS=${REPS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
export CONNECTIONS=${CONNECTIONS:-64}
[[ $PROFILE == plain || $PROFILE == rules ]] || die "PROFILE must be plain or rules"
[[ $REPS =~ ^[1-9][0-9]*$ ]] || die "REPS must be a positive integer"
[[ $CONNECTIONS =~ ^[1-9][0-9]*$ ]] || die "CONNECTIONS must be a positive integer"
secs "$DURATION" >/dev/null && secs "$WARMUP" >/dev/null

build_release
BODY=$TMP/body.json
make_body "$BODY"
SIG=$(stripe_signature "$BODY")

# start_instance NAME: a fresh hooklens, configured for the profile; sets TARGET_URL.
start_instance() {
  start_hooklens "$1"
  if [[ $PROFILE == rules ]]; then
    configure_rules "${BARE_URL}hooks"
    TARGET_URL=${HL_URL}stripe/webhook
    OHA_EXTRA=(-H "stripe-signature: $SIG")
  else
    TARGET_URL=$HL_URL
    OHA_EXTRA=()
  fi
}

# check_stored NAME...: the running instance stored at least what these runs got 2xx for.
check_stored() {
  local answered=0 name n
  for name in "$@"; do
    read -r _ _ _ _ n <<<"$(oha_summary "$name")"
    answered=$((answered + n))
  done
  local got
  got=$(stored)
  ((got >= answered)) || die "FAIL: hooklens answered 2xx for $((answered - got)) requests it did not store"
  echo "    stored $got, answered 2xx $answered"
}

# deliveries: "pending" of the forward target, and a sample request's verdict and tags.
profile_check() {
  [[ $PROFILE == rules ]] || return 0
  python3 - "$API_URL" "$TOKEN" <<'PY'
import json, sys, urllib.request
api, token = sys.argv[1:3]
def get(path):
    req = urllib.request.Request(api + path, headers={"authorization": "Bearer " + token})
    with urllib.request.urlopen(req) as r:
        return json.load(r)
targets = get("/api/v1/targets")
targets = targets.get("items", targets) if isinstance(targets, dict) else targets
r = get("/api/v1/requests?limit=1")["items"][0]
print("    forward target:", ", ".join(f'{t["state"]}, {t["pending"]} pending' for t in targets),
      "| sample:", r["signature"]["status"], "| tags:", ",".join(r["tags"]),
      "| rules matched:", len(r["rules"]))
PY
}

echo "==> $OHA_VERSION; PROFILE=$PROFILE, $REPS reps of ${DURATION} (+${WARMUP} warm-up), ${CONNECTIONS} connections, 1 KiB POST"
for rep in $(seq "$REPS"); do
  start_bare
  echo "==> rep $rep: bare axum at $BARE_URL"
  oha_run "bare-warmup-$rep" "$WARMUP" "$BARE_URL"
  oha_run "bare-$rep" "$DURATION" "$BARE_URL"

  start_instance "full-$rep"
  echo "==> rep $rep: hooklens at $TARGET_URL"
  oha_run "hl-warmup-$rep" "$WARMUP" "$TARGET_URL" "${OHA_EXTRA[@]}"
  oha_run "hl-$rep" "$DURATION" "$TARGET_URL" "${OHA_EXTRA[@]}"
  rss_kb "$HL_PID" VmHWM >"$TMP/hwm-$rep"
  check_stored "hl-warmup-$rep" "hl-$rep"
  profile_check
  stop "$HL_PID"

  # Half load on a fresh instance: the steady-state latency at that rate.
  start_instance "half-$rep"
  read -r rps _ <<<"$(oha_summary "hl-$rep")"
  half=$(python3 -c "print(max(1, round($rps / 2)))")
  echo "==> rep $rep: fresh hooklens at half its peak: $half req/s"
  oha_run "half-$rep" "$DURATION" "$TARGET_URL" -q "$half" --latency-correction "${OHA_EXTRA[@]}"
  echo "$half" >"$TMP/halfrate-$rep"
  check_stored "half-$rep"
  profile_check
  stop "$HL_PID"
  stop "$BARE_PID"
done

python3 - "$TMP" "$REPS" \
  "$(describe), $OHA_VERSION, PROFILE=$PROFILE REPS=$REPS DURATION=$DURATION CONNECTIONS=$CONNECTIONS WARMUP=$WARMUP" <<'PY'
import json, statistics, sys

tmp, reps, context = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def load(name):
    return json.load(open(f"{tmp}/{name}.json"))


def stats(r):
    codes = r.get("statusCodeDistribution", {})
    ok = sum(n for c, n in codes.items() if c.startswith("2"))
    total = sum(codes.values()) + sum(r.get("errorDistribution", {}).values())
    lat = r.get("latencyPercentiles", {})
    return (r["summary"]["requestsPerSec"], (lat.get("p50") or 0) * 1000,
            (lat.get("p99") or 0) * 1000, 100 * ok / total if total else 0.0)


rows = {"bare axum": [], "hooklens": [], "hooklens @ half": []}
ratios, hwm = [], []
print()
print(context)
print(f"{'run':<24} {'rep':>3} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'2xx':>8}")
for rep in range(1, reps + 1):
    half_rate = open(f"{tmp}/halfrate-{rep}").read().strip()
    for label, name in (("bare axum", "bare"), ("hooklens", "hl"),
                        ("hooklens @ half", "half")):
        s = stats(load(f"{name}-{rep}"))
        rows[label].append(s)
        shown = f"{label} ({half_rate}/s)" if name == "half" else label
        print(f"{shown:<24} {rep:>3} {s[0]:>9.0f} {s[1]:>8.2f} {s[2]:>8.2f} {s[3]:>7.2f}%")
    ratios.append(rows["hooklens"][-1][0] / rows["bare axum"][-1][0])
    hwm.append(int(open(f"{tmp}/hwm-{rep}").read()) / 1024)
    for name in ("bare", "hl", "half"):
        for k, v in load(f"{name}-{rep}").get("errorDistribution", {}).items():
            print(f"  oha error in {name}-{rep}: {k} x{v}")
med = lambda xs: statistics.median(xs)
print()
print(f"median of {reps}:")
for label, ss in rows.items():
    print(f"  {label:<22} {med([s[0] for s in ss]):>9.0f} req/s  p50 {med([s[1] for s in ss]):.2f} ms"
          f"  p99 {med([s[2] for s in ss]):.2f} ms")
print(f"  hooklens / bare        {med(ratios):.2f} (per rep: {', '.join(f'{r:.2f}' for r in ratios)};"
      f" target >= 0.6)")
print(f"  hooklens peak RSS      {med(hwm):.1f} MiB")
print(f"  p99 at half load       {med([s[2] for s in rows['hooklens @ half']]):.2f} ms (target <= 10)")
PY
