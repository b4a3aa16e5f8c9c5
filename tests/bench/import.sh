#!/usr/bin/env bash
# Import rate: `hooklens import` of a COUNT-request NDJSON file (1 KiB Stripe-like JSON
# bodies, each with its own id, headers and receive time, as `hooklens export` writes them),
# into a fresh data directory with no Hooklens running (the pipeline in the importing
# process), then through a running `hooklens serve` on another fresh directory (the file
# sent to its API), then the same file again into the first (every request skipped).
#
# Usage: tests/bench/import.sh   (env: COUNT=100000)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COUNT=${COUNT:-100000}
[[ $COUNT =~ ^[1-9][0-9]*$ ]] || die "COUNT must be a positive integer"
build_release
FILE=$TMP/hooks.ndjson
python3 - "$FILE" "$COUNT" <<'PY'
import base64, json, sys
path, count = sys.argv[1], int(sys.argv[2])
alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
def ulid(n):  # 26 Crockford characters, in order
    out = ""
    for _ in range(26):
        out = alphabet[n % 32] + out
        n //= 32
    return out
start = 1_700_000_000_000_000
with open(path, "w") as f:
    for i in range(count):
        body = {"id": f"evt_{i:08d}", "object": "event", "type": "payment_intent.succeeded",
                "data": {"object": {"id": f"pi_{i:08d}", "amount": 2000 + i % 997,
                                    "currency": "usd", "metadata": {"padding": ""}}}}
        text = json.dumps(body, separators=(",", ":"))
        body["data"]["object"]["metadata"]["padding"] = "x" * max(0, 1024 - len(text))
        raw = json.dumps(body, separators=(",", ":")).encode()
        f.write(json.dumps({
            "id": ulid(start // 1000 + i),
            "method": "POST", "path": "/stripe/events", "query": None,
            "headers": [["content-type", "application/json"], ["user-agent", "Stripe/1.0"],
                        ["stripe-signature", f"t=1700000000,v1={i:064x}"]],
            "body_base64": base64.b64encode(raw).decode(),
            "size": len(raw), "body_state": "complete",
            "received_at_us": start + i * 20_000, "duration_ms": 0.4,
            "http_version": "HTTP/1.1", "remote_addr": "127.0.0.1:50000",
            "response_status": 200, "pinned": False, "tags": [],
        }, separators=(",", ":")) + "\n")
PY
echo "$(describe), COUNT=$COUNT, file $(du -h "$FILE" | cut -f1)"

timed() { # timed LABEL COMMAND...: runs it, prints its output and the rate
  local label=$1 t0 t1 out
  shift
  t0=$(date +%s%N)
  out=$("$@")
  t1=$(date +%s%N)
  local ms=$(((t1 - t0) / 1000000))
  printf '%-34s %s in %d.%03d s: %d requests/s\n' "$label" "$out" $((ms / 1000)) $((ms % 1000)) $((COUNT * 1000 / (ms > 0 ? ms : 1)))
}

timed "offline (no Hooklens running):" env -u HOOKLENS_API_TOKEN HOOKLENS_LOG=warn "$HOOKLENS" import "$FILE" --data-dir "$TMP/offline"
start_hooklens served
timed "through a running hooklens serve:" env -u HOOKLENS_API_TOKEN HOOKLENS_LOG=warn "$HOOKLENS" import "$FILE" --data-dir "$HL_DIR"
echo "  the running instance holds $(stored) requests"
timed "again, offline (all skipped):" env -u HOOKLENS_API_TOKEN HOOKLENS_LOG=warn "$HOOKLENS" import "$FILE" --data-dir "$TMP/offline"
