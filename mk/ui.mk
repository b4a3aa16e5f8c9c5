# The web inspector (ui/): Svelte 5 + TypeScript + Vite, embedded into the engine at build time.
#   ui-deps    Chromium (for the browser tests) when missing; `npm ci` when node_modules is older
#              than package-lock.json
#   ui-build   ui/dist (before any Rust build, which embeds it)
#   ui-types   regenerate ui/src/lib/api-types.ts from `hooklens openapi`
#   ui-test    the types still match the API, svelte-check, vitest, and the browser suite
#              (playwright-core driving Debian's Chromium against a real `hooklens serve`)
#   ui-perf    the 100k-request figures (first paint, DOM rows, long tasks under 500 req/s),
#              against the release build
#   ui-screenshots  docs/ui-{list,detail,replay,diff,endpoints,rules,monitor}.png and the
#                   long-payload ones (docs/ui-long-*.png) for the README
#   ui-monitor-screenshot   run the Monitor's browser test and save docs/ui-monitor.png
#   ui-monitor-perf         the Monitor (ui/src/pages/Monitor.svelte) under live traffic
#                           (printed, never asserted), against the debug build as the browser
#                           suite uses
UI_DIR := ui
UI_CHROMIUM ?= /usr/bin/chromium
UI_NODE_MIN := 20.19
# `$(call UI_VITEST,BINARY[,MORE ENV])`: vitest inside ui/, with the binary under test and the
# browser.
UI_VITEST = cd $(UI_DIR) && HOOKLENS_BIN="$(1)" CHROMIUM="$(UI_CHROMIUM)" $(2) npx vitest run

PREPARE += ui-build
SUITES += ui-test

.PHONY: ui-deps ui-build ui-types ui-test ui-perf ui-screenshots ui-monitor-screenshot \
	ui-monitor-perf

ui-deps:
	@command -v node >/dev/null && command -v npm >/dev/null || { \
	  echo "error: Node.js $(UI_NODE_MIN)+ and npm are needed to build the UI: install them (e.g. from nodejs.org or nvm)"; exit 1; }
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number);const [x,y]="$(UI_NODE_MIN)".split(".").map(Number);process.exit(a>x||(a===x&&b>=y)?0:1)' || { \
	  echo "error: Node.js $$(node --version) is too old for Vite 8: install Node.js $(UI_NODE_MIN) or newer"; exit 1; }
	@[ -x "$(UI_CHROMIUM)" ] || $(APT_INSTALL) chromium
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

ui-types: ui-deps $(HOOKLENS_BIN)
	cd $(UI_DIR) && HOOKLENS_BIN="$(HOOKLENS_BIN)" node scripts/gen-types.mjs

ui-test: ui-deps $(HOOKLENS_BIN)
	cd $(UI_DIR) && HOOKLENS_BIN="$(HOOKLENS_BIN)" node scripts/gen-types.mjs --check
	cd $(UI_DIR) && npx svelte-check --tsconfig ./tsconfig.json --threshold error --output human
	cd $(UI_DIR) && npx vitest run
	$(call UI_VITEST,$(HOOKLENS_BIN)) --config vitest.e2e.config.ts

# The release binary, which is what users run; the figures are printed, never asserted.
ui-perf: $(HOOKLENS_RELEASE_BIN)
	$(call UI_VITEST,$(HOOKLENS_RELEASE_BIN)) --config vitest.tools.config.ts e2e/perf.bench.ts

ui-screenshots: $(HOOKLENS_BIN) ui-monitor-screenshot
	$(call UI_VITEST,$(HOOKLENS_BIN)) --config vitest.tools.config.ts e2e/docs.shots.ts e2e/pages.shots.ts

ui-monitor-screenshot: $(HOOKLENS_BIN)
	$(call UI_VITEST,$(HOOKLENS_BIN),HOOKLENS_SCREENSHOTS=../docs) --config vitest.e2e.config.ts \
	  e2e/monitor.e2e.ts

ui-monitor-perf: $(HOOKLENS_BIN)
	$(call UI_VITEST,$(HOOKLENS_BIN)) --config vitest.tools.config.ts e2e/monitor.bench.ts
