# Hooklens: two commands do everything on a fresh Debian/Ubuntu machine.
#   make run    install what is missing, build, start Hooklens (the desktop app when there
#               is a display; `make serve` for the headless `hooklens serve`)
#   make test   install what is missing, then format check, clippy, every test suite
# Each step skips what is already there, so repeated runs are quick.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
CARGO ?= cargo
# Debian packages the build needs (the C compiler for SQLite, pkg-config, OpenSSL for
# forwarding to https targets), dbus-daemon (the notification tests run a private session bus).
APT_PACKAGES := build-essential pkg-config libssl-dev dbus-daemon
# Crates that must never depend on tauri or a display.
ENGINE_CRATES := hooklens-store hooklens-engine hooklens-notify hooklens-cli hooklens-mcp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Each part of the product adds its own steps in mk/<part>.mk:
#   PREPARE += target   runs after `deps`, before the Rust build (e.g. building the UI bundle)
#   SUITES  += target   runs after the Rust unit and integration tests (browser, desktop suites)
PREPARE :=
SUITES :=
RUN_TARGET := serve
include $(sort $(wildcard mk/*.mk))

.PHONY: run test deps fmt-check lint engine-check unit bench serve

run: deps $(PREPARE) $(RUN_TARGET)

serve: deps $(PREPARE)
	$(CARGO) run --release --locked -p hooklens-cli -- serve

test: deps $(PREPARE) fmt-check lint engine-check unit $(SUITES)

deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@command -v $(CARGO) >/dev/null || { echo "cargo is missing: install Rust (rustup) first"; exit 1; }
	@for pair in fmt:rustfmt clippy:clippy; do \
	  if ! $(CARGO) $${pair%%:*} --version >/dev/null 2>&1; then \
	    command -v rustup >/dev/null && rustup component add $${pair##*:} \
	      || { echo "cargo $${pair%%:*} is missing"; exit 1; }; \
	  fi; \
	done

fmt-check:
	$(CARGO) fmt --all -- --check

lint:
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

# The engine and the headless binary build and run without tauri, GTK or WebKit.
engine-check:
	@for c in $(ENGINE_CRATES); do \
	  if $(CARGO) tree --locked -p $$c -e normal,build --prefix none | grep -Ei '^(tauri|wry|webkit2gtk|gtk|gdk)[-_ ]'; then \
	    echo "error: $$c depends on tauri or a GUI toolkit (above)"; exit 1; \
	  fi; \
	done
	$(CARGO) build --locked -p hooklens-cli
	@bin="$${CARGO_TARGET_DIR:-target}/debug/hooklens"; \
	if ldd "$$bin" | grep -Ei 'gtk|webkit|gdk'; then echo "error: $$bin links a GUI library"; exit 1; fi; \
	echo "engine-check: no tauri, GTK or WebKit in $(ENGINE_CRATES)"

unit:
	$(CARGO) test --workspace --locked

bench: deps
	tests/bench/all.sh
