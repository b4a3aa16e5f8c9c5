#!/usr/bin/env bash
# Storage benchmark: how the database grows over COUNT requests with retention on (the
# default settings: keep 100,000 requests, 30 days, 2 GiB of bodies), and what one stored
# request costs on disk.
#
# Usage: tests/bench/storage.sh   (env: COUNT=1000000 EVERY=100000)
#
# Writes COUNT realistic requests (the store's `fill` example, the same data as
# tests/bench/search.sh) through the store's API, applying retention every 10,000 requests
# as the engine does on its timer, and prints a row every EVERY requests: requests written
# and stored, database and WAL size, bytes per stored request. The database should stop
# growing once retention starts deleting: SQLite reuses the freed pages. Ends with the size
# per table and index. Everything is removed on exit.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COUNT=${COUNT:-1000000}
EVERY=${EVERY:-100000}
[[ $COUNT =~ ^[1-9][0-9]*$ && $EVERY =~ ^[1-9][0-9]*$ ]] || die "COUNT and EVERY must be positive integers"
build_release -p hooklens-store --example fill
echo "==> $COUNT requests with retention on (default settings)"
echo "$(describe), COUNT=$COUNT"
"$TARGET_DIR/release/examples/fill" "$TMP/store" "$COUNT" --retention --every "$EVERY"
