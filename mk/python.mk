# Python test suites (tests/python/), with their packages pinned in tests/python/requirements.txt.
#   py-deps    a virtual environment with those packages under the build directory
#              ($CARGO_TARGET_DIR or target, /py-venv), made again when the file changes
#   mcp-test   the official MCP Python SDK drives `hooklens mcp` (stdio) and `/mcp` (Streamable
#              HTTP) against a real `hooklens serve` (part of `make test`)
PY_VENV = $(or $(CARGO_TARGET_DIR),target)/py-venv

SUITES += mcp-test

.PHONY: py-deps mcp-test

py-deps: $(PY_VENV)/.installed

$(PY_VENV)/.installed: tests/python/requirements.txt
	@python3 -m venv --help >/dev/null 2>&1 && python3 -c 'import ensurepip' 2>/dev/null || { \
	  echo "installing Debian's python3-venv"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv; }
	rm -rf "$(PY_VENV)" && python3 -m venv "$(PY_VENV)"
	"$(PY_VENV)/bin/pip" install -q -r tests/python/requirements.txt
	touch "$@"

mcp-test: py-deps
	$(CARGO) build --locked -p hooklens-cli
	HOOKLENS_BIN="$$(realpath "$(or $(CARGO_TARGET_DIR),target)/debug/hooklens")" \
	  "$(PY_VENV)/bin/pytest" -q -p no:cacheprovider tests/python/test_mcp.py

# The figures of docs/BENCHMARKS.md's agents section: wait latency, largest tool output.
# Printed, never asserted; against the release build.
.PHONY: mcp-figures
mcp-figures: py-deps
	$(CARGO) build --release --locked -p hooklens-cli
	HOOKLENS_BIN="$$(realpath "$(or $(CARGO_TARGET_DIR),target)/release/hooklens")" \
	  "$(PY_VENV)/bin/python" tests/python/figures_mcp.py 200
