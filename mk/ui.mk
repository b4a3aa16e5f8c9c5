# The web inspector (ui/): Svelte 5 + TypeScript + Vite, embedded into the engine at build time.
#   ui-deps    Chromium (for the browser tests) when missing; `npm ci` when node_modules is older
#              than package-lock.json
#   ui-build   ui/dist (runs before the Rust build, which embeds it)
#   ui-types   regenerate ui/src/lib/api-types.ts from `hooklens openapi`
#   ui-test    the types still match the API, svelte-check, vitest, and the browser suite
#              (playwright-core driving Debian's Chromium against a real `hooklens serve`)
#   ui-perf    the 100k-request figures (first paint, DOM rows, long tasks under 500 req/s),
#              against the release build
#   ui-screenshots  docs/ui-{list,detail,replay,diff}.png for the README
UI_DIR := ui
UI_CHROMIUM ?= /usr/bin/chromium
UI_NODE_MIN := 20.19
# The debug `hooklens` (built by engine-check) as an absolute path, for scripts run inside ui/.
UI_BIN = "$$(realpath "$${CARGO_TARGET_DIR:-target}/debug/hooklens")"

PREPARE += ui-build
SUITES += ui-test

.PHONY: ui-deps ui-build ui-types ui-test ui-perf ui-screenshots

ui-deps:
	@command -v node >/dev/null && command -v npm >/dev/null || { \
	  echo "error: Node.js $(UI_NODE_MIN)+ and npm are needed to build the UI: install them (e.g. from nodejs.org or nvm)"; exit 1; }
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number);const [x,y]="$(UI_NODE_MIN)".split(".").map(Number);process.exit(a>x||(a===x&&b>=y)?0:1)' || { \
	  echo "error: Node.js $$(node --version) is too old for Vite 8: install Node.js $(UI_NODE_MIN) or newer"; exit 1; }
	@if [ ! -x "$(UI_CHROMIUM)" ]; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; \
	fi
	@if [ ! -d $(UI_DIR)/node_modules ] || [ $(UI_DIR)/package-lock.json -nt $(UI_DIR)/node_modules ]; then \
	  cd $(UI_DIR) && npm ci --no-audit --no-fund && touch node_modules; \
	fi

# Skipped when ui/dist is newer than every source, so the engine (which embeds it) is not
# rebuilt for nothing.
UI_SOURCES = $(UI_DIR)/src $(UI_DIR)/public $(UI_DIR)/index.html $(UI_DIR)/package-lock.json \
	$(UI_DIR)/vite.config.ts $(UI_DIR)/svelte.config.js $(UI_DIR)/tsconfig.json

ui-build: ui-deps
	@if [ -f $(UI_DIR)/dist/index.html ] && [ -z "$$(find $(UI_SOURCES) -newer $(UI_DIR)/dist/index.html 2>/dev/null | head -1)" ]; then \
	  echo "ui-build: ui/dist is up to date"; \
	else \
	  cd $(UI_DIR) && npx vite build --logLevel warn; \
	fi

ui-types: ui-deps
	$(CARGO) build --locked -p hooklens-cli
	bin=$(UI_BIN); cd $(UI_DIR) && HOOKLENS_BIN="$$bin" node scripts/gen-types.mjs

ui-test: ui-deps
	$(CARGO) build --locked -p hooklens-cli
	bin=$(UI_BIN); cd $(UI_DIR) && HOOKLENS_BIN="$$bin" node scripts/gen-types.mjs --check
	cd $(UI_DIR) && npx svelte-check --tsconfig ./tsconfig.json --threshold error --output human
	cd $(UI_DIR) && npx vitest run
	bin=$(UI_BIN); cd $(UI_DIR) && HOOKLENS_BIN="$$bin" CHROMIUM="$(UI_CHROMIUM)" \
	  npx vitest run --config vitest.e2e.config.ts

# The release binary, which is what users run; the figures are printed, never asserted.
ui-perf: ui-build
	$(CARGO) build --release --locked -p hooklens-cli
	bin="$$(realpath "$${CARGO_TARGET_DIR:-target}/release/hooklens")"; cd $(UI_DIR) && HOOKLENS_BIN="$$bin" \
	  CHROMIUM="$(UI_CHROMIUM)" npx vitest run --config vitest.tools.config.ts e2e/perf.bench.ts

ui-screenshots: ui-build
	$(CARGO) build --locked -p hooklens-cli
	bin=$(UI_BIN); cd $(UI_DIR) && HOOKLENS_BIN="$$bin" CHROMIUM="$(UI_CHROMIUM)" \
	  npx vitest run --config vitest.tools.config.ts e2e/docs.shots.ts
