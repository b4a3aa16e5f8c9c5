#!/usr/bin/env bash
# Property-based run of the control API, driven by its own OpenAPI document: schemathesis
# generates valid and invalid calls for every operation against a real `hooklens serve`
# (with the token) and checks that none gets a 5xx and every response matches the schema.
#
#   tests/reliability/api-fuzz.sh HOOKLENS_BIN SCHEMATHESIS_BIN [EXAMPLES]
#
# Where the kernel allows it, the run happens in a private network namespace with only
# loopback, so generated forward targets, replays or tunnel servers cannot reach anything.
# Opening a public tunnel (POST /api/v1/tunnel) and subscribing to a relay at a generated URL
# (POST /api/v1/relay) are left out either way, and so are the endless event stream
# (GET /api/v1/events) and the wait for a capture (GET /api/v1/requests/wait, up to a minute
# per call), which have their own tests.
set -euo pipefail

bin=$(realpath "${1:?path to the hooklens binary}")
st=$(realpath "${2:?path to the schemathesis command}")
examples=${3:-25}

if [[ -z "${HOOKLENS_IN_NETNS:-}" ]] && command -v unshare >/dev/null && command -v ip >/dev/null \
    && unshare -rn true 2>/dev/null; then
    exec env HOOKLENS_IN_NETNS=1 unshare -rn bash -c 'ip link set lo up && exec "$0" "$@"' \
        "$0" "$@"
fi
if [[ -n "${HOOKLENS_IN_NETNS:-}" ]]; then
    echo "api-fuzz: in a network namespace with loopback only"
else
    echo "api-fuzz: no private network namespace here; running on the host's loopback"
fi

work=$(mktemp -d)
token="api-fuzz-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
serve_pid=
cleanup() {
    [[ -n "$serve_pid" ]] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

HOOKLENS_LOG=warn "$bin" serve --listen 127.0.0.1:0 --api-listen 127.0.0.1:0 \
    --data-dir "$work/data" --api-token "$token" >"$work/out" 2>"$work/err" &
serve_pid=$!
for _ in $(seq 200); do
    grep -q 'Inspector:' "$work/out" 2>/dev/null && break
    kill -0 "$serve_pid" 2>/dev/null || { cat "$work/err"; echo "hooklens serve did not start"; exit 1; }
    sleep 0.1
done
receiver=$(awk '/Receiver:/ {print $2}' "$work/out")
api=$(awk '/Inspector:/ {print $2}' "$work/out" | sed -E 's#^(http://[^/]+).*#\1#')
[[ -n "$receiver" && -n "$api" ]] || { cat "$work/out"; echo "no URLs printed"; exit 1; }

# Some captures, an endpoint, a rule and a delivery, so listing, export and search have
# something to return, and their ids are offered (half the time) wherever a path takes `{id}`.
python3 - "${receiver%/}" "$api" "$token" >"$work/schemathesis.toml" <<'PY'
import json, sys, urllib.request
receiver, api, token = sys.argv[1:]
def call(method, path, body=None):
    req = urllib.request.Request(api + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"authorization": "Bearer " + token,
                                          "content-type": "application/json"})
    return json.load(urllib.request.urlopen(req, timeout=10))
ids = []
for i in range(3):
    body = ('{"type":"payment_intent.succeeded","n":%d}' % i).encode()
    req = urllib.request.Request(f"{receiver}/fuzz/{i}?x={i}", data=body,
                                 headers={"content-type": "application/json"})
    ids.append(json.load(urllib.request.urlopen(req, timeout=10))["id"])
ids.append(call("POST", "/api/v1/endpoints", {"name": "fuzzed", "path": "/fuzzed"})["id"])
ids.append(call("POST", "/api/v1/rules", {"name": "fuzzed", "conditions": [],
                                          "actions": [{"type": "tag", "tag": "fuzzed"}]})["id"])
ids.append(call("POST", f"/api/v1/requests/{ids[0]}/replay",
                {"target": "http://127.0.0.1:9/"})["id"])
print("[dictionaries.ids]")
print("values = " + json.dumps(ids))
print("[parameters]")
print('"path.id" = { dictionary = "ids", probability = 0.5 }')
PY

status=0
# One worker: schemathesis' workers are threads, and CPython 3.11's ast.parse (which hypothesis
# calls to describe its filters) shares a recursion counter between threads, so two parsing at
# once can fail the run with "SystemError: AST constructor recursion depth mismatch"
# (CPython gh-106905): it did so once in a CI dry run, on POST /api/v1/import.
cd "$work" # schemathesis keeps its example database in the current directory
"$st" --config-file "$work/schemathesis.toml" run "$api/api/v1/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --exclude-path /api/v1/events --exclude-path /api/v1/requests/wait \
    --exclude-by 'method == "POST" and path == "/api/v1/tunnel"' \
    --exclude-operation-id relay_subscribe \
    --max-examples "$examples" --seed 8 --workers 1 --request-timeout 20 \
    --phases examples,coverage,fuzzing --suppress-health-check all \
    --report junit --report-dir "$work/report" || status=$?

# The engine is still up after all of it.
python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=10)' \
    "$api/api/v1/health" || { echo "hooklens serve died during the run"; cat "$work/err"; exit 1; }
exit $status
