# The Monitor view (ui/src/pages/Monitor.svelte). Its tests run in ui-test (vitest and the
# browser suite); this adds the README's picture (also made by `make ui-screenshots`) and its
# figures.
#   ui-monitor-screenshot   run the Monitor's browser test and save docs/ui-monitor.png
#   ui-monitor-perf         the Monitor under live traffic (printed, never asserted); the debug
#                           build, as the browser suite uses
.PHONY: ui-monitor-screenshot ui-monitor-perf

ui-screenshots: ui-monitor-screenshot

ui-monitor-screenshot: ui-build
	$(CARGO) build --locked -p hooklens-cli
	bin=$(UI_BIN); cd $(UI_DIR) && HOOKLENS_BIN="$$bin" CHROMIUM="$(UI_CHROMIUM)" HOOKLENS_SCREENSHOTS=../docs \
	  npx vitest run --config vitest.e2e.config.ts e2e/monitor.e2e.ts

ui-monitor-perf: ui-build
	$(CARGO) build --locked -p hooklens-cli
	bin=$(UI_BIN); cd $(UI_DIR) && HOOKLENS_BIN="$$bin" CHROMIUM="$(UI_CHROMIUM)" \
	  npx vitest run --config vitest.tools.config.ts e2e/monitor.bench.ts
