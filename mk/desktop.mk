# The desktop app (src-tauri/): its system libraries, Tauri's CLI (npm, pinned in
# src-tauri/package.json), icons, the .deb, `make run`, and the real-window tests.

# Build: WebKitGTK, the tray (ayatana), libxdo (menu accelerators), librsvg.
# Tests: Xvfb, WebKitWebDriver. Debian 12 names.
DESKTOP_APT := libwebkit2gtk-4.1-dev libayatana-appindicator3-dev libxdo-dev librsvg2-dev \
	xvfb webkit2gtk-driver
DESKTOP_TAURI := cd src-tauri && ./node_modules/.bin/tauri
TAURI_DRIVER := $(or $(shell command -v tauri-driver),$(HOME)/.cargo/bin/tauri-driver)

PREPARE += desktop-deps
SUITES += desktop-test
RUN_TARGET := desktop-run

.PHONY: desktop-deps desktop-tooling desktop-run icons package desktop-test desktop-screenshot \
	desktop-figures

desktop-deps:
	@$(APT_INSTALL) $(DESKTOP_APT)

# Tauri's CLI from npm (prebuilt binaries, no network at build time); reinstalled only when
# the lock file is newer than node_modules.
desktop-tooling: src-tauri/node_modules/.package-lock.json
src-tauri/node_modules/.package-lock.json: src-tauri/package.json src-tauri/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 or later"; exit 1; }
	cd src-tauri && npm ci --no-audit --no-fund

# Every app icon comes from icons/hooklens.svg.
icons: desktop-tooling
	tmp=$$(mktemp -d) && $(DESKTOP_TAURI) icon ../icons/hooklens.svg -o $$tmp >/dev/null && \
	cp $$tmp/32x32.png $$tmp/64x64.png $$tmp/128x128.png $$tmp/128x128@2x.png $$tmp/icon.png \
	   $$tmp/icon.ico $$tmp/icon.icns src-tauri/icons/ && rm -rf $$tmp

# The release .deb: target/release/bundle/deb/.
package: prepare desktop-tooling
	$(DESKTOP_TAURI) build --bundles deb -- --locked
	@ls -l $(TARGET_DIR)/release/bundle/deb/*.deb

desktop-run: prepare
	@if [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  echo "no display (DISPLAY and WAYLAND_DISPLAY are unset): starting the headless 'hooklens serve' instead"; \
	  $(MAKE) --no-print-directory serve; \
	else \
	  $(CARGO) build --release --locked -p hooklens-desktop && \
	  exec $(TARGET_DIR)/release/hooklens-desktop; \
	fi

$(TAURI_DRIVER): | deps
	$(CARGO) install tauri-driver --locked

# The real app in a real window under Xvfb over WebDriver, and the debug .deb's contents.
desktop-test: prepare desktop-tooling $(TAURI_DRIVER)
	$(DESKTOP_TAURI) build --debug --bundles deb -- --locked
	HOOKLENS_DESKTOP_DEB=$$(ls $(TARGET_DIR)/debug/bundle/deb/*.deb | head -1) \
	TAURI_DRIVER=$(TAURI_DRIVER) \
	  $(CARGO) test --locked -p hooklens-desktop --test window -- --ignored --test-threads=1

# docs/desktop.png: the real window with captured requests, under Xvfb.
desktop-screenshot: prepare desktop-tooling $(TAURI_DRIVER)
	HOOKLENS_DESKTOP_SCREENSHOT=$(CURDIR)/docs/desktop.png TAURI_DRIVER=$(TAURI_DRIVER) \
	  $(CARGO) test --locked -p hooklens-desktop --test window -- --ignored --exact \
	  the_window_shows_the_inspector_and_requests_arrive_live

# Start-up time, memory (idle and with 100,000 requests), binary and .deb size.
desktop-figures: prepare
	tests/desktop/figures.sh
