# Screenshots of the settings-type pages for the README (not part of `make test`):
#   ui-shots   docs/ui-endpoints.png and docs/ui-rules.png, from a real `hooklens serve` in Chromium
.PHONY: ui-shots

ui-shots: ui-build
	$(CARGO) build --locked -p hooklens-cli
	bin=$(UI_BIN); cd $(UI_DIR) && HOOKLENS_BIN="$$bin" CHROMIUM="$(UI_CHROMIUM)" \
	  npx vitest run --config vitest.shots.config.ts
