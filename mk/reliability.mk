# Reliability (docs/RELIABILITY.md). The crash, fault and hostile-input tests are ordinary
# cargo tests (`unit`); this adds the fuzzers and the API's property-based run.
#   make fuzz-smoke   each fuzz target for FUZZ_SMOKE_SECONDS (part of `make test`)
#   make fuzz         each fuzz target for FUZZ_SECONDS (default 10 min), corpus kept
#   make api-fuzz     schemathesis (from tests/python/requirements.txt, in the `py-deps`
#                     virtual environment) against `hooklens serve` (part of `make test`)

FUZZ_TARGETS := signature rules detect har
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_SECONDS ?= 600
# cargo-fuzz passes nightly-only flags to rustc; RUSTC_BOOTSTRAP lets the stable toolchain
# accept them. The workspace forbids unsafe code, so AddressSanitizer adds little: the
# targets hunt panics, arithmetic overflow (debug assertions are on), stack overflow, hangs
# and runaway memory.
FUZZ := cd fuzz && RUSTC_BOOTSTRAP=1 $(CARGO) fuzz
FUZZ_FLAGS := --sanitizer none
LIBFUZZER_FLAGS := -rss_limit_mb=2048 -timeout=10 -max_len=65536
API_FUZZ_EXAMPLES ?= 25

SUITES += fuzz-smoke api-fuzz

.PHONY: fuzz fuzz-smoke fuzz-tool fuzz-build api-fuzz

fuzz-tool: deps
	@$(CARGO) fuzz --version >/dev/null 2>&1 || $(CARGO) install cargo-fuzz --locked

# Fails if fuzz/Cargo.lock is stale rather than quietly changing it. The targets build the
# engine, which embeds the UI bundle.
fuzz-build: fuzz-tool prepare
	$(CARGO) metadata --locked --format-version 1 --manifest-path fuzz/Cargo.toml >/dev/null
	$(FUZZ) build $(FUZZ_FLAGS)

fuzz-smoke: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/corpus/$$t; \
	  echo "fuzz-smoke: $$t for $(FUZZ_SMOKE_SECONDS) s"; \
	  ( $(FUZZ) run $(FUZZ_FLAGS) $$t corpus/$$t seeds/$$t -- \
	      $(LIBFUZZER_FLAGS) -max_total_time=$(FUZZ_SMOKE_SECONDS) ) 2>fuzz/corpus/$$t.log \
	    || { tail -n 60 fuzz/corpus/$$t.log; exit 1; }; \
	  grep -E '^(Done|#[0-9]+ +DONE)' fuzz/corpus/$$t.log | tail -n 1; \
	done

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/corpus/$$t; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s (corpus in fuzz/corpus/$$t)"; \
	  ( $(FUZZ) run $(FUZZ_FLAGS) $$t corpus/$$t seeds/$$t -- \
	    $(LIBFUZZER_FLAGS) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 ) || exit 1; \
	done

api-fuzz: py-deps $(HOOKLENS_BIN)
	tests/reliability/api-fuzz.sh $(HOOKLENS_BIN) $(PY_VENV)/bin/st $(API_FUZZ_EXAMPLES)
