# The Monitor view (ui/src/pages/Monitor.svelte). Its tests run in ui-test (vitest and the
# browser suite); this adds only the README's screenshot.
#   ui-monitor-screenshot   run the Monitor's browser test and save docs/ui-monitor.png
.PHONY: ui-monitor-screenshot

ui-monitor-screenshot: ui-build
	$(CARGO) build --locked -p hooklens-cli
	bin=$(UI_BIN); cd $(UI_DIR) && HOOKLENS_BIN="$$bin" CHROMIUM="$(UI_CHROMIUM)" HOOKLENS_SCREENSHOTS=../docs \
	  npx vitest run --config vitest.e2e.config.ts e2e/monitor.e2e.ts
