"""`hooklens mcp` and the engine's `/mcp`, driven by the official MCP Python SDK (a client we
did not write) against a real `hooklens serve`."""

from __future__ import annotations

import json
import re
import subprocess
from contextlib import asynccontextmanager

import anyio
import httpx2
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from conftest import Serve, Target, hooklens_bin, start_serve, stop_serve

pytestmark = pytest.mark.anyio

TOOLS = {
    "status", "list_requests", "get_request", "wait_for_request", "replay_request",
    "send_test_event", "list_endpoints", "create_endpoint", "list_deliveries", "get_delivery",
}


@asynccontextmanager
async def stdio_session(serve: Serve, *args: str):
    """`hooklens mcp` spawned over stdio with `args`; without them, it finds Hooklens from the
    data directory alone."""
    params = StdioServerParameters(
        command=hooklens_bin(), args=["mcp", *(args or ("--data-dir", str(serve.data_dir)))]
    )
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            yield session, await session.initialize()


async def call(session: ClientSession, tool: str, **arguments):
    """A tool's result: (is_error, parsed JSON or the error's text)."""
    result = await session.call_tool(tool, arguments)
    text = "".join(block.text for block in result.content)
    return bool(result.is_error), (text if result.is_error else json.loads(text))


async def test_stdio_initialize_and_every_tool_is_listed_with_a_schema(serve: Serve):
    async with stdio_session(serve) as (session, init):
        assert init.server_info.name == "hooklens"
        assert "wait_for_request" in (init.instructions or "")
        tools = (await session.list_tools()).tools
        assert {t.name for t in tools} == TOOLS
        for tool in tools:
            assert tool.input_schema["type"] == "object", tool.name
            assert len(tool.description or "") > 80, tool.name
        schema = {t.name: t.input_schema for t in tools}
        for name in ("q", "endpoint", "method", "provider", "event_type", "signature", "since",
                     "limit"):
            assert name in schema["list_requests"]["properties"], name
        for name in ("after", "timeout_ms", "event_type"):
            assert name in schema["wait_for_request"]["properties"], name
        assert schema["get_request"]["required"] == ["id"]
        error_kinds = next(t for t in tools if t.name == "get_delivery").description
        for kind in ("refused", "dns", "timeout", "tls", "reset", "blocked", "invalid"):
            assert kind in error_kinds


async def test_wait_get_and_replay_over_stdio(serve: Serve, target: Target):
    first = serve.send("/orders", b"{}")
    body = b'{"type":"order.created","id":"ord_1"}'
    async with stdio_session(serve) as (session, _):
        results = {}

        async def waiting():
            results["wait"] = await call(
                session, "wait_for_request", after=first, q="order", timeout_ms=20000
            )

        async with anyio.create_task_group() as group:
            group.start_soon(waiting)
            # Excluded by the filter, then the one it waits for.
            await anyio.to_thread.run_sync(serve.send, "/noise", b"nothing to see")
            sent = await anyio.to_thread.run_sync(
                lambda: serve.send("/orders/created", body, {"content-type": "application/json"})
            )
        is_error, found = results["wait"]
        assert not is_error, found
        assert found["id"] == sent
        assert found["path"] == "/orders/created"
        assert found["body"] == {"encoding": "text", "size": len(body), "content": body.decode()}

        is_error, request = await call(session, "get_request", id=sent)
        assert not is_error, request
        assert request["method"] == "POST"
        assert ["content-type", "application/json"] in request["headers"]
        assert request["body"]["content"] == body.decode()

        is_error, delivery = await call(
            session, "replay_request", id=sent, target=target.url + "/hooks"
        )
        assert not is_error, delivery
        assert delivery["state"] == "succeeded", delivery
        assert delivery["attempt_list"][0]["status"] == 200
        assert delivery["attempt_list"][0]["response"] == {"text": "thanks"}
        method, path, _, received = target.received.get(timeout=10)
        assert (method, path, received) == ("POST", "/hooks", body)

        is_error, deliveries = await call(session, "list_deliveries", id=sent)
        assert not is_error and deliveries["deliveries"][0]["id"] == delivery["id"]


async def test_unknown_ids_and_timeouts_are_tool_errors(serve: Serve):
    async with stdio_session(serve) as (session, _):
        is_error, text = await call(session, "get_request", id="01NOSUCHREQUEST")
        assert is_error
        assert "no request with id" in text and "list_requests" in text
        is_error, text = await call(session, "get_delivery", id="01NOSUCHDELIVERY")
        assert is_error and "no delivery with id" in text
        is_error, text = await call(session, "replay_request", id="01NOSUCHREQUEST")
        assert is_error and "no request with id" in text
        is_error, text = await call(session, "wait_for_request", method="PATCH", timeout_ms=200)
        assert is_error and "nothing matching arrived within 200 ms" in text
        is_error, text = await call(session, "wait_for_request", timeout_ms=60001)
        assert is_error and "60000" in text


async def test_status_endpoints_and_test_events(serve: Serve, target: Target):
    async with stdio_session(serve) as (session, _):
        is_error, status = await call(session, "status")
        assert not is_error, status
        assert status["receiver_url"] == serve.receiver_url
        assert status["send_webhooks_to"] == serve.receiver_url
        assert status["capture_paused"] is False

        is_error, endpoint = await call(
            session, "create_endpoint", name="stripe", path="/stripe",
            signature={"scheme": "stripe", "secret": "whsec_0123456789abcdefghij"},
        )
        assert not is_error, endpoint
        assert endpoint["url"] == serve.receiver_url + "/stripe"
        assert endpoint["signature"]["secrets"] == ["whsec_…ghij"], "masked as the API masks"
        is_error, listed = await call(session, "list_endpoints")
        assert [e["name"] for e in listed["endpoints"]] == ["stripe"]
        is_error, text = await call(session, "create_endpoint", name="stripe", path="/stripe")
        assert is_error and "already exists" in text

        is_error, sent = await call(
            session, "send_test_event", provider="stripe", event_type="payment_intent.succeeded",
            endpoint="stripe", target=target.url,
        )
        assert not is_error, sent
        assert sent["signed"] is True and sent["delivery"]["state"] == "succeeded"
        is_error, request = await call(session, "get_request", id=sent["request_id"])
        assert request["signature"]["status"] == "valid", request["signature"]
        is_error, listed = await call(
            session, "list_requests", provider="stripe", signature="valid", limit=5
        )
        assert [r["id"] for r in listed["requests"]] == [sent["request_id"]]


def named_values(schema: dict, argument: str) -> set[str]:
    """The values an argument's description names in backticks (e.g. `stripe`), leaving out
    the names of the arguments beside it."""
    description = schema["properties"][argument]["description"]
    return set(re.findall(r"`([a-z0-9-]+)`", description)) - set(schema["properties"])


async def test_provider_and_scheme_descriptions_name_what_the_errors_list(
    serve: Serve, target: Target
):
    """The descriptions give examples and say an unknown name is an error listing them all:
    the errors do, and every example is in their lists."""
    sent = serve.send("/orders", b"{}")
    async with stdio_session(serve) as (session, _):
        tools = {t.name: t.input_schema for t in (await session.list_tools()).tools}
        is_error, text = await call(
            session, "create_endpoint", name="x", path="/x",
            signature={"scheme": "nope", "secret": "0123456789abcdef"},
        )
        assert is_error and "unknown variant `nope`, expected one of" in text, text
        schemes = set(re.findall(r"`([a-z0-9-]+)`", text.split("expected one of")[1]))
        assert {"stripe", "twilio", "dropbox", "hmac-sha256"} <= schemes, schemes
        is_error, text = await call(
            session, "replay_request", id=sent, resign={"scheme": "nope", "secret": "s"}
        )
        assert is_error and "expected one of" in text, text
        assert set(re.findall(r"`([a-z0-9-]+)`", text.split("expected one of")[1])) == schemes
        is_error, text = await call(session, "send_test_event", provider="nope")
        assert is_error and "use one of " in text, text
        samples = set(text.split("use one of ")[1].split(", "))
        assert {"stripe", "paddle", "typeform"} <= samples, samples

        signature = tools["create_endpoint"]["$defs"]["SignatureArgs"]
        resign = tools["replay_request"]["$defs"]["ResignArgs"]
        for named in (named_values(signature, "scheme"), named_values(resign, "scheme"),
                      named_values(tools["list_requests"], "provider")):
            assert named and named <= schemes, named - schemes
        named = named_values(tools["send_test_event"], "provider")
        assert named and named <= samples, named - samples

        # As the re-signing description says: a scheme only the provider can sign says why.
        is_error, text = await call(
            session, "replay_request", id=sent, target=target.url,
            resign={"scheme": "sendgrid", "secret": "s"},
        )
        assert is_error and "only SendGrid can make a signature" in text, text


async def test_a_large_body_is_excerpted_within_the_output_cap(serve: Serve):
    big = b'{"pad":"' + b"x" * (3 << 20) + b'"}'
    sent = serve.send("/big", big)
    async with stdio_session(serve) as (session, _):
        result = await session.call_tool("get_request", {"id": sent})
        text = result.content[0].text
        assert len(text.encode()) < 128 * 1024
        request = json.loads(text)
        assert request["body"]["size"] == len(big)
        assert f"of {len(big)} bytes" in request["body"]["note"]


def test_nothing_running_is_one_line_saying_how_to_start(tmp_path):
    run = subprocess.run(
        [hooklens_bin(), "mcp", "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 1
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "hooklens serve" in lines[0], run.stderr


# A token of the test's own, given to `hooklens serve --api-token`, so only `--token` can tell
# `hooklens mcp` what it is.
TOKEN = "mcp-test-token-0123456789abcdef"


@pytest.fixture
def serve_with_token(tmp_path):
    running = start_serve(tmp_path, token=TOKEN)
    yield running
    assert stop_serve(running) == 0


async def test_stdio_with_api_and_token_reads_what_was_captured(serve_with_token, tmp_path):
    serve = serve_with_token
    assert not (serve.data_dir / "api-token").exists(), "the token is the flag's alone"
    body = b'{"type":"invoice.paid","id":"in_1"}'
    sent = serve.send("/billing", body, {"content-type": "application/json"})
    # A data directory with neither api-address nor api-token: only the flags lead to serve.
    elsewhere = tmp_path / "elsewhere"
    async with stdio_session(
        serve, "--api", serve.api_url, "--token", TOKEN, "--data-dir", str(elsewhere)
    ) as (session, init):
        assert init.server_info.name == "hooklens"
        is_error, status = await call(session, "status")
        assert not is_error, status
        assert status["receiver_url"] == serve.receiver_url
        is_error, listed = await call(session, "list_requests", limit=5)
        assert not is_error, listed
        assert [r["id"] for r in listed["requests"]] == [sent]
        is_error, request = await call(session, "get_request", id=sent)
        assert not is_error, request
        assert (request["method"], request["path"]) == ("POST", "/billing")
        assert request["body"]["content"] == body.decode()


def test_a_refused_token_is_one_line_before_the_session(serve: Serve, tmp_path):
    run = subprocess.run(
        [hooklens_bin(), "mcp", "--api", serve.api_url, "--token", "not-the-token-0123456789",
         "--data-dir", str(tmp_path / "elsewhere")],
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 1
    assert run.stdout == "", "no MCP session starts"
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert f"Hooklens at {serve.api_url}" in lines[0], lines[0]
    assert "refused the token: pass --token with the one it was started with" in lines[0]


async def test_streamable_http_wants_the_token(serve: Serve):
    url = serve.api_url + "/mcp"
    headers = {"Authorization": f"Bearer {serve.token}"}
    async with httpx2.AsyncClient(headers=headers, timeout=30) as client:
        async with streamable_http_client(url, http_client=client) as (read, write):
            async with ClientSession(read, write) as session:
                init = await session.initialize()
                assert init.server_info.name == "hooklens"
                assert {t.name for t in (await session.list_tools()).tools} == TOOLS
                is_error, status = await call(session, "status")
                assert not is_error and status["receiver_url"] == serve.receiver_url
                is_error, text = await call(session, "get_request", id="01NOSUCHREQUEST")
                assert is_error and "no request with id" in text

    async with httpx2.AsyncClient(timeout=30) as client:
        response = await client.post(
            url, json={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}},
            headers={"accept": "application/json, text/event-stream"},
        )
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
    # A client of its own: the guard answers 401 before reading the body, and when the body
    # arrives after that answer the server closes the connection (without `Connection:
    # close`), so a client that reuses it gets "Server disconnected" instead of the 401.
    async with httpx2.AsyncClient(timeout=30) as client:
        with pytest.raises(Exception) as refused:
            async with streamable_http_client(url, http_client=client) as (read, write):
                async with ClientSession(read, write) as session:
                    with anyio.fail_after(30):
                        await session.initialize()
        # The SDK reports the 401 as a failed request (the raw answer is checked above).
        assert "MCPError" in repr(refused.value), refused.value
