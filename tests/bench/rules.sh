#!/usr/bin/env bash
# Rules and signatures benchmark: capture throughput of `hooklens serve` with 50 rules and
# Stripe signature verification on, against the same build without them, in the same run.
#
# Usage: tests/bench/rules.sh   (env: DURATION=10s CONNECTIONS=64 ROUNDS=2)
# Each round measures a fresh plain instance and a fresh configured one (the order
# alternating between rounds), each stopped after its run: an instance left running would
# spend CPU catching up on search indexing during the next run. Figures are the mean over
# rounds; fails if an instance stored fewer requests than it answered 2xx. Loopback only;
# everything is removed on exit.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ab_setup 2
SIG=$(stripe_signature "$BODY")

# measure a|b ROUND: a fresh instance, plain (a) or with the rules and signatures (b).
measure() {
  start_hooklens "$1$2"
  [[ $1 == a ]] || configure_rules
  measure_run "$1$2" "${HL_URL}stripe/webhook" -H "stripe-signature: $SIG"
  # The configured instance really checked and matched: one stored request.
  [[ $1 == a ]] || api GET '/api/v1/requests?limit=1' | python3 -c '
import json, sys
r = json.load(sys.stdin)["items"][0]
print("    sample:", r["signature"]["status"], r["signature"]["reason"], "| tags:", r["tags"],
      "| rules matched:", len(r["rules"]))'
  stop "$HL_PID"
}

ab_bench "hooklens" "hooklens + 50 rules + signatures" 0.9
