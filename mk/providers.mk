# Providers' own SDKs against a real `hooklens serve`.
#   make py-provider-sdks   requests signed by Twilio, SendGrid, Slack, Svix, Stripe, Standard
#                           Webhooks and PyNaCl (Discord), pinned in tests/python/requirements.txt
#                           and installed by `py-deps`: Hooklens's verdicts must agree with each
#                           SDK's (part of `make test`)

SUITES += py-provider-sdks

.PHONY: py-provider-sdks

py-provider-sdks: py-deps $(HOOKLENS_BIN)
	HOOKLENS_BIN="$(HOOKLENS_BIN)" \
	  $(PY_VENV)/bin/python -m pytest -q -p no:cacheprovider tests/python/test_provider_sdks.py
