# Hooklens: two commands do everything on a fresh Debian/Ubuntu machine.
#   make run    install what is missing, build, start Hooklens (the desktop app when there
#               is a display; `make serve` for the headless `hooklens serve`)
#   make test   install what is missing, then format check, clippy, every test suite
# Each step skips what is already there, so repeated runs are quick. The order between steps
# is in their prerequisites (the UI bundle before any Rust build, which embeds it), so
# `make -j2 test` works too.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
CARGO ?= cargo
TARGET_DIR := $(abspath $(or $(CARGO_TARGET_DIR),target))
# `mk/apt-install PACKAGE...`: installs the Debian packages that are missing (sudo when not root).
APT_INSTALL := mk/apt-install
# Debian packages the build needs (the C compiler for SQLite, pkg-config, OpenSSL for
# forwarding to https targets), dbus-daemon (the notification tests run a private session bus).
APT_PACKAGES := build-essential pkg-config libssl-dev dbus-daemon
# Crates that must never depend on tauri or a display.
ENGINE_CRATES := hooklens-store hooklens-engine hooklens-notify hooklens-cli hooklens-mcp
# The `hooklens` binaries the suites and `make serve` run.
HOOKLENS_BIN := $(TARGET_DIR)/debug/hooklens
HOOKLENS_RELEASE_BIN := $(TARGET_DIR)/release/hooklens
# The Python test tools (tests/python/requirements.txt) in a virtual environment.
PY_VENV := $(TARGET_DIR)/py-venv

# Each part of the product adds its own steps in mk/<part>.mk:
#   PREPARE += target   what any Rust build of the workspace needs first (e.g. the UI bundle,
#                       which the engine embeds); a target that builds the workspace depends
#                       on `prepare` (PREPARE is complete only after every part is read)
#   SUITES  += target   a test suite of `make test` besides the Rust ones
PREPARE :=
SUITES :=
RUN_TARGET := serve
include $(sort $(wildcard mk/*.mk))

.PHONY: run test deps prepare py-deps fmt-check lint engine-check unit serve FORCE

run: $(RUN_TARGET)

serve: $(HOOKLENS_RELEASE_BIN)
	$(HOOKLENS_RELEASE_BIN) serve

test: fmt-check lint engine-check unit $(SUITES)

prepare: deps $(PREPARE)

deps:
	@$(APT_INSTALL) $(APT_PACKAGES)
	@command -v $(CARGO) >/dev/null || { echo "cargo is missing: install Rust (rustup) first"; exit 1; }
	@for pair in fmt:rustfmt clippy:clippy; do \
	  if ! $(CARGO) $${pair%%:*} --version >/dev/null 2>&1; then \
	    command -v rustup >/dev/null && rustup component add $${pair##*:} \
	      || { echo "cargo $${pair%%:*} is missing"; exit 1; }; \
	  fi; \
	done

# Cargo knows what a binary is made of (sources, build scripts, the embedded UI bundle, the
# lock file), so these always ask it; it does nothing when nothing changed. Make builds each
# once per run, after what every Rust build needs.
$(HOOKLENS_BIN): FORCE | deps ui-build
	$(CARGO) build --locked -p hooklens-cli

$(HOOKLENS_RELEASE_BIN): FORCE | deps ui-build
	$(CARGO) build --release --locked -p hooklens-cli

FORCE:

# A virtual environment with the pinned Python test tools, made again only when
# tests/python/requirements.txt changes.
py-deps: $(PY_VENV)/installed
$(PY_VENV)/installed: tests/python/requirements.txt
	@command -v python3 >/dev/null && python3 -c 'import ensurepip, venv' 2>/dev/null \
	  || $(APT_INSTALL) python3-venv
	python3 -m venv --clear $(PY_VENV)
	$(PY_VENV)/bin/pip install -q --disable-pip-version-check -r $<
	touch $@

fmt-check: deps
	$(CARGO) fmt --all -- --check

lint: prepare
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

# The engine and the headless binary build and run without tauri, GTK or WebKit.
engine-check: $(HOOKLENS_BIN)
	@for c in $(ENGINE_CRATES); do \
	  if $(CARGO) tree --locked -p $$c -e normal,build --prefix none | grep -Ei '^(tauri|wry|webkit2gtk|gtk|gdk)[-_ ]'; then \
	    echo "error: $$c depends on tauri or a GUI toolkit (above)"; exit 1; \
	  fi; \
	done
	@if ldd $(HOOKLENS_BIN) | grep -Ei 'gtk|webkit|gdk'; then echo "error: $(HOOKLENS_BIN) links a GUI library"; exit 1; fi
	@echo "engine-check: no tauri, GTK or WebKit in $(ENGINE_CRATES)"

unit: prepare
	$(CARGO) test --workspace --locked
