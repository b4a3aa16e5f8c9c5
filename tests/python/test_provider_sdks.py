"""Requests signed by the providers' own SDKs, sent to a real `hooklens serve`.

For each provider and each case (valid, tampered body, wrong secret, stale timestamp where
the scheme signs one, missing header) Hooklens's verdict must be the expected one, and must
agree with the SDK's own verification of the same request where the SDK can verify it.
Slack's url_verification and Discord's PING, signed the same way, must be answered exactly
when the signature checks out, and refused with 401 otherwise.
"""

import base64
import json
import os
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest
import stripe
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from nacl.encoding import HexEncoder
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey
from sendgrid.helpers.eventwebhook import EventWebhook
from slack_sdk.signature import SignatureVerifier
from standardwebhooks.webhooks import Webhook as StandardWebhook
from standardwebhooks.webhooks import WebhookVerificationError as StandardError
from svix.webhooks import Webhook as SvixWebhook
from svix.webhooks import WebhookVerificationError as SvixError
from twilio.request_validator import RequestValidator

CASES = ["valid", "tampered", "wrong_secret", "stale", "missing"]
STALE_S = 600  # over the default tolerance of 300 s
WANT = {"valid": "valid", "tampered": "invalid", "wrong_secret": "invalid",
        "stale": "invalid", "missing": "missing"}


def when(case):
    """The signing time: now, or ten minutes ago for the stale case."""
    return int(time.time()) - (STALE_S if case == "stale" else 0)


def tamper(case, body):
    return body.replace("delivered", "bounced") if case == "tampered" else body


def whsec():
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()


def judge(stored, provider, case, sdk_ok, event=None):
    """Hooklens's verdict is the expected one, and agrees with the SDK's where it has one;
    the provider and its event type are recognised (some only by their signature header,
    so not when it is missing)."""
    verdict = stored["signature"]
    if case != "missing":
        assert stored["provider"] == provider, stored
        if event is not None:
            assert stored["event_type"] == event, stored
    assert verdict["status"] == WANT[case], verdict
    if case == "stale":
        assert "old" in verdict["reason"], verdict
    if sdk_ok is not None:
        assert (verdict["status"] == "valid") == sdk_ok, f"SDK says {sdk_ok}: {verdict}"


@pytest.mark.parametrize("case", [c for c in CASES if c != "stale"])
def test_twilio(hooklens, case):
    """Twilio signs the URL it calls and the sorted form parameters (no timestamp)."""
    token = "twilio_auth_token_0123456789"
    hooklens.endpoint({"name": f"twilio-{case}", "path": f"/twilio-{case}",
                       "signature": {"scheme": "twilio", "secrets": [token]}})
    url = f"{hooklens.receiver}/twilio-{case}/sms?account=AC1"
    params = {"MessageSid": "SM1", "MessageStatus": "delivered", "To": "+15005550006",
              "Body": "héllo & goodbye"}
    signer = RequestValidator(token if case != "wrong_secret" else "another_token")
    signature = signer.compute_signature(url, params)
    sent = {**params, "MessageStatus": tamper(case, params["MessageStatus"])}
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if case != "missing":
        headers["X-Twilio-Signature"] = signature
    stored = hooklens.send(f"/twilio-{case}/sms?account=AC1", urlencode(sent).encode(), headers)
    sdk_ok = None if case == "missing" else RequestValidator(token).validate(url, sent, signature)
    judge(stored, "twilio", case, sdk_ok, "message.delivered" if case != "tampered" else None)


def test_twilio_json_body_and_public_url(hooklens):
    """A JSON body is signed through bodySHA256 in the URL; the URL is the public one."""
    token = "twilio_auth_token_json"
    public = "https://abc123.ngrok.example/tw"
    hooklens.endpoint({"name": "twilio-json", "path": "/twilio-json", "public_url": public,
                       "signature": {"scheme": "twilio", "secrets": [token]}})
    validator = RequestValidator(token)
    body = json.dumps({"ProfileSid": "BU1", "Status": "delivered"})
    query = f"bodySHA256={validator.compute_hash(body)}"
    url = f"{public}/events?{query}"
    signature = validator.compute_signature(url, {})
    assert validator.validate(url, body, signature)
    headers = {"Content-Type": "application/json", "X-Twilio-Signature": signature}
    stored = hooklens.send(f"/twilio-json/events?{query}", body.encode(), headers)
    assert stored["signature"]["status"] == "valid", stored["signature"]
    assert public in stored["signature"]["reason"]
    tampered = hooklens.send(f"/twilio-json/events?{query}", body.replace("1", "2").encode(),
                             headers)
    assert tampered["signature"]["status"] == "invalid"
    assert not validator.validate(url, body.replace("1", "2"), signature)


def p256_key():
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return key, base64.b64encode(der).decode()


@pytest.mark.parametrize("case", CASES)
def test_sendgrid(hooklens, case):
    """SendGrid signs timestamp + body with ECDSA P-256; the endpoint holds the public key."""
    key, public = p256_key()
    other, _ = p256_key()
    hooklens.endpoint({"name": f"sendgrid-{case}", "path": f"/sendgrid-{case}",
                       "signature": {"scheme": "sendgrid", "secrets": [public]}})
    payload = json.dumps([{"email": "jane@example.com", "event": "delivered",
                           "sg_event_id": "sg1", "timestamp": when(case)}]) + "\r\n"
    ts = str(when(case))
    signer = other if case == "wrong_secret" else key
    signature = base64.b64encode(
        signer.sign((ts + payload).encode(), ec.ECDSA(hashes.SHA256()))).decode()
    sent = tamper(case, payload)
    headers = {"Content-Type": "application/json",
               "X-Twilio-Email-Event-Webhook-Timestamp": ts}
    if case != "missing":
        headers["X-Twilio-Email-Event-Webhook-Signature"] = signature
    stored = hooklens.send(f"/sendgrid-{case}", sent.encode(), headers)
    helper = EventWebhook()
    sdk_ok = helper.verify_signature(sent, signature, ts,
                                     helper.convert_public_key_to_ecdsa(public))
    # The SDK does not judge the timestamp's age; Hooklens does.
    judge(stored, "sendgrid", case, None if case in ("stale", "missing") else sdk_ok,
          "delivered" if case != "tampered" else "bounced")
    if case == "stale":
        assert sdk_ok


@pytest.mark.parametrize("case", CASES)
def test_slack(hooklens, case):
    secret = "8f742231b10e8888abcd99yyyzzz85a5"
    hooklens.endpoint({"name": f"slack-{case}", "path": f"/slack-{case}",
                       "signature": {"scheme": "slack", "secrets": [secret]}})
    body = "token=t&team_id=T1&command=%2Fdeploy&text=delivered"
    ts = str(when(case))
    signer = SignatureVerifier("another secret" if case == "wrong_secret" else secret)
    signature = signer.generate_signature(timestamp=ts, body=body)
    sent = tamper(case, body)
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Slack-Request-Timestamp": ts}
    if case != "missing":
        headers["X-Slack-Signature"] = signature
    stored = hooklens.send(f"/slack-{case}", sent.encode(), headers)
    sdk_ok = SignatureVerifier(secret).is_valid(body=sent, timestamp=ts, signature=signature)
    judge(stored, "slack", case, None if case == "missing" else sdk_ok, "slash_command")


@pytest.mark.parametrize("sdk", ["svix", "standardwebhooks"])
@pytest.mark.parametrize("case", CASES)
def test_standard_webhooks(hooklens, sdk, case):
    """Svix's SDK signs svix-* headers; the Standard Webhooks SDK webhook-* ones."""
    webhook, error, prefix = ((SvixWebhook, SvixError, "svix") if sdk == "svix"
                              else (StandardWebhook, StandardError, "webhook"))
    secret = whsec()
    hooklens.endpoint({"name": f"{sdk}-{case}", "path": f"/{sdk}-{case}",
                       "signature": {"scheme": "standard-webhooks", "secrets": [secret]}})
    body = json.dumps({"type": "invoice.paid", "data": {"status": "delivered"}})
    at = datetime.fromtimestamp(when(case), tz=timezone.utc)
    signer = webhook(whsec() if case == "wrong_secret" else secret)
    signature = signer.sign("msg_2aBcD", at, body)
    sent = tamper(case, body)
    headers = {"Content-Type": "application/json", f"{prefix}-id": "msg_2aBcD",
               f"{prefix}-timestamp": str(int(at.timestamp()))}
    if case != "missing":
        headers[f"{prefix}-signature"] = signature
    stored = hooklens.send(f"/{sdk}-{case}", sent.encode(), headers)
    try:
        webhook(secret).verify(sent, headers)
        sdk_ok = True
    except error:
        sdk_ok = False
    judge(stored, "standard-webhooks", case, sdk_ok, "invoice.paid")


@pytest.mark.parametrize("case", CASES)
def test_stripe(hooklens, case):
    secret = "whsec_test_" + os.urandom(8).hex()
    hooklens.endpoint({"name": f"stripe-{case}", "path": f"/stripe-{case}",
                       "signature": {"scheme": "stripe", "secrets": [secret]}})
    body = json.dumps({"id": "evt_1", "object": "event", "type": "charge.succeeded",
                       "data": {"object": {"status": "delivered"}}})
    header = stripe.WebhookSignature.generate_signature_header(
        body, "whsec_other" if case == "wrong_secret" else secret, timestamp=when(case))
    sent = tamper(case, body)
    headers = {"Content-Type": "application/json"}
    if case != "missing":
        headers["Stripe-Signature"] = header
    stored = hooklens.send(f"/stripe-{case}", sent.encode(), headers)
    try:
        stripe.WebhookSignature.verify_header(sent, header, secret, tolerance=300)
        sdk_ok = True
    except stripe.SignatureVerificationError:
        sdk_ok = False
    judge(stored, "stripe", case, None if case == "missing" else sdk_ok, "charge.succeeded")


@pytest.mark.parametrize("case", CASES)
def test_discord(hooklens, case):
    """Discord signs timestamp + body with Ed25519; the endpoint holds the hex public key."""
    key = SigningKey.generate()
    public = key.verify_key.encode(encoder=HexEncoder).decode()
    hooklens.endpoint({"name": f"discord-{case}", "path": f"/discord-{case}",
                       "signature": {"scheme": "discord", "secrets": [public]}})
    body = json.dumps({"type": 2, "data": {"name": "status", "value": "delivered"}})
    ts = str(when(case))
    signer = SigningKey.generate() if case == "wrong_secret" else key
    signature = signer.sign((ts + body).encode()).signature.hex()
    sent = tamper(case, body)
    headers = {"Content-Type": "application/json", "X-Signature-Timestamp": ts}
    if case != "missing":
        headers["X-Signature-Ed25519"] = signature
    stored = hooklens.send(f"/discord-{case}", sent.encode(), headers)
    try:
        VerifyKey(public, encoder=HexEncoder).verify((ts + sent).encode(),
                                                     bytes.fromhex(signature))
        sdk_ok = True
    except BadSignatureError:
        sdk_ok = False
    # Discord's libraries do not judge the timestamp's age; Hooklens does.
    judge(stored, "discord", case, None if case in ("stale", "missing") else sdk_ok,
          "application_command")


HANDSHAKE_CASES = ["valid", "tampered", "wrong_secret", "stale", "missing"]


def handshake_judged(answer, stored, provider, case, answer_text, secret_text):
    """Answered as the provider documents only when the signature checks out."""
    handshake = stored["handshake"]
    assert handshake["provider"] == provider, stored
    if case == "valid":
        assert answer.status_code == 200, answer.text
        assert answer.text == answer_text
        assert handshake["answered"] is True, handshake
    else:
        assert answer.status_code == 401, answer.text
        assert secret_text not in answer.text
        assert handshake["answered"] is False, handshake
        assert "signature does not check out" in handshake["reason"], handshake
    assert stored["response_status"] == answer.status_code


@pytest.mark.parametrize("case", HANDSHAKE_CASES)
def test_slack_url_verification(hooklens, case):
    secret = "8f742231b10e8888abcd99yyyzzz85a5"
    hooklens.endpoint({"name": f"slack-hs-{case}", "path": f"/slack-hs-{case}",
                       "signature": {"scheme": "slack", "secrets": [secret]}})
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    body = json.dumps({"token": "Jhj5dZrVaK7ZwHHjRyZWjbDl", "challenge": challenge,
                       "type": "url_verification"})
    ts = str(when(case))
    signer = SignatureVerifier("another secret" if case == "wrong_secret" else secret)
    signature = signer.generate_signature(timestamp=ts, body=body)
    sent = body.replace("Jhj5", "XXXX") if case == "tampered" else body
    headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts}
    if case != "missing":
        headers["X-Slack-Signature"] = signature
    answer, stored = hooklens.exchange(f"/slack-hs-{case}", sent.encode(), headers)
    handshake_judged(answer, stored, "slack", case, challenge, challenge)


@pytest.mark.parametrize("case", HANDSHAKE_CASES)
def test_discord_ping(hooklens, case):
    key = SigningKey.generate()
    public = key.verify_key.encode(encoder=HexEncoder).decode()
    hooklens.endpoint({"name": f"discord-hs-{case}", "path": f"/discord-hs-{case}",
                       "signature": {"scheme": "discord", "secrets": [public]}})
    body = json.dumps({"type": 1, "id": "1", "application_id": "2", "token": "t", "version": 1})
    ts = str(when(case))
    signer = SigningKey.generate() if case == "wrong_secret" else key
    signature = signer.sign((ts + body).encode()).signature.hex()
    sent = body.replace('"t"', '"u"') if case == "tampered" else body
    headers = {"Content-Type": "application/json", "X-Signature-Timestamp": ts}
    if case != "missing":
        headers["X-Signature-Ed25519"] = signature
    answer, stored = hooklens.exchange(f"/discord-hs-{case}", sent.encode(), headers)
    handshake_judged(answer, stored, "discord", case, '{"type":1}', '{"type":1}')
