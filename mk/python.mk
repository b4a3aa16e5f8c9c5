# Python test dependencies and the suites that use them.
#   py-deps            a venv at $(PY_VENV) with tests/python/requirements.txt, rebuilt when
#                      that file changes
#   py-provider-sdks   requests signed by the providers' own SDKs (Twilio, SendGrid, Slack,
#                      Svix, Stripe, Standard Webhooks, PyNaCl for Discord) against a real
#                      `hooklens serve`: its verdicts must agree with each SDK's
PY_VENV := $(abspath $(or $(CARGO_TARGET_DIR),target)/py-venv)
PY_REQUIREMENTS := tests/python/requirements.txt
APT_PACKAGES += python3-venv

SUITES += py-provider-sdks

.PHONY: py-deps py-provider-sdks

py-deps: deps
	@if ! cmp -s $(PY_REQUIREMENTS) $(PY_VENV)/requirements.txt; then \
	  echo "py-deps: installing $(PY_REQUIREMENTS) into $(PY_VENV)"; \
	  python3 -m venv $(PY_VENV) \
	    && $(PY_VENV)/bin/pip install -q --disable-pip-version-check -r $(PY_REQUIREMENTS) \
	    && cp $(PY_REQUIREMENTS) $(PY_VENV)/requirements.txt; \
	fi

py-provider-sdks: py-deps
	$(CARGO) build --locked -p hooklens-cli
	HOOKLENS_BIN="$$(realpath "$${CARGO_TARGET_DIR:-target}/debug/hooklens")" \
	  $(PY_VENV)/bin/python -m pytest -q -p no:cacheprovider tests/python/test_provider_sdks.py
