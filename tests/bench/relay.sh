#!/usr/bin/env bash
# The relay's figures (docs/BENCHMARKS.md): the stream's framing against NDJSON with base64
# bodies; live lag relay capture -> subscriber stored, p50/p99 at 100 and 1,000 req/s; the
# catch-up rate after COUNT (default 100,000) captures; the relay's capture rate with 0, 1
# and 4 stream readers attached, in one run. Release build, one process, loopback only.
#   COUNT=100000 EACH_SECONDS=10 tests/bench/relay.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "== $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
cargo build --release --locked -p hooklens-engine --example relay --example relay_wire >&2
TARGET=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
echo "== framing: encode + decode, per capture"
"$TARGET/release/examples/relay_wire"
COUNT=${COUNT:-100000} EACH_SECONDS=${EACH_SECONDS:-10} "$TARGET/release/examples/relay"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
