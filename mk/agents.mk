# Coding agents and test suites (README "Coding agents and test suites"): the MCP tools.
#   make mcp-test      the official MCP Python SDK (tests/python/requirements.txt, in the
#                      `py-deps` virtual environment) drives `hooklens mcp` (stdio) and `/mcp`
#                      (Streamable HTTP) against a real `hooklens serve` (part of `make test`)
#   make mcp-figures   the figures of docs/BENCHMARKS.md's agents section (wait latency, the
#                      largest tool output), printed, never asserted, against the release build

SUITES += mcp-test

.PHONY: mcp-test mcp-figures

mcp-test: py-deps $(HOOKLENS_BIN)
	HOOKLENS_BIN=$(HOOKLENS_BIN) $(PY_VENV)/bin/pytest -q -p no:cacheprovider tests/python/test_mcp.py

mcp-figures: py-deps $(HOOKLENS_RELEASE_BIN)
	HOOKLENS_BIN=$(HOOKLENS_RELEASE_BIN) $(PY_VENV)/bin/python tests/python/figures_mcp.py 200
