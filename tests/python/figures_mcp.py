"""Figures for the agents' tools, printed, never asserted (`make mcp-figures`):

- how long after a capture is stored `wait_for_request` (over `hooklens mcp`, stdio) and
  `GET /api/v1/requests/wait` return it: from the moment the sender has Hooklens' 2xx (the
  receiver answers only after the commit, so this is at most the time since the commit) to
  the moment the tool's result (or the HTTP answer) is in hand; p50/p99 over WAITS waits;
- the largest text any tool returns about a 25 MiB body (text, then binary).

    figures_mcp.py [WAITS]        (HOOKLENS_BIN: the binary; default the debug build)
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from conftest import Serve, hooklens_bin, start_serve, stop_serve

# Long enough for the wait to be in place before the webhook is sent (a measurement's
# set-up, so the figure is the announcement path, not a look at what is already stored).
SETTLE = 0.03


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]
    return (f"p50 {statistics.median(ordered):.2f} ms, p99 {p(0.99):.2f} ms, "
            f"max {ordered[-1]:.2f} ms (n={len(ordered)})")


async def sent_at(serve: Serve, path: str, body: bytes) -> tuple[str, float]:
    """Sends a webhook; its id and the moment its 2xx arrived."""
    def post():
        sent = serve.send(path, body)
        return sent, time.perf_counter()
    return await anyio.to_thread.run_sync(post)


async def tool_latency(serve: Serve, session: ClientSession, waits: int) -> list[float]:
    last = serve.send("/warm", b"{}")
    samples = []
    for i in range(waits):
        done = {}

        async def wait():
            await session.call_tool("wait_for_request", {"after": last, "timeout_ms": 20000})
            done["at"] = time.perf_counter()

        async with anyio.create_task_group() as group:
            group.start_soon(wait)
            await anyio.sleep(SETTLE)
            last, answered = await sent_at(serve, f"/figure/{i}", b'{"n":%d}' % i)
        samples.append((done["at"] - answered) * 1000)
    return samples


async def http_latency(serve: Serve, waits: int) -> list[float]:
    last = serve.send("/warm", b"{}")
    samples = []
    for i in range(waits):
        def wait(after=last):
            request = urllib.request.Request(
                f"{serve.api_url}/api/v1/requests/wait?after={after}&timeout_ms=20000",
                headers={"authorization": f"Bearer {serve.token}"},
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
            return time.perf_counter()

        async with anyio.create_task_group() as group:
            result = {}

            async def waiting():
                result["at"] = await anyio.to_thread.run_sync(wait)

            group.start_soon(waiting)
            await anyio.sleep(SETTLE)
            last, answered = await sent_at(serve, f"/figure/http/{i}", b"{}")
        samples.append((result["at"] - answered) * 1000)
    return samples


async def largest_output(serve: Serve, session: ClientSession) -> None:
    size = 25 << 20
    bodies = {
        "text": b'{"pad":"' + b"x" * (size - 10) + b'"}',
        "binary": os.urandom(size),
    }
    for kind, body in bodies.items():
        before = serve.send("/before", b"{}")
        async with anyio.create_task_group() as group:
            waited = {}

            async def wait(after=before):
                waited["r"] = await session.call_tool(
                    "wait_for_request", {"after": after, "timeout_ms": 30000}
                )

            group.start_soon(wait)
            sent = await anyio.to_thread.run_sync(serve.send, f"/big/{kind}", body)
        outputs = {"wait_for_request": waited["r"]}
        for tool, args in [("get_request", {"id": sent}), ("list_requests", {"limit": 100}),
                           ("list_deliveries", {"id": sent})]:
            outputs[tool] = await session.call_tool(tool, args)
        sizes = {t: len(r.content[0].text.encode()) for t, r in outputs.items()}
        tool = max(sizes, key=sizes.get)
        note = json.loads(outputs["get_request"].content[0].text)["body"].get("note", "")
        print(f"  25 MiB {kind} body ({len(body)} bytes): largest output {sizes[tool]} bytes "
              f"({tool}); all: {sizes}; note: {note[:80]}…")


async def main(waits: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        serve = start_serve(Path(tmp))
        try:
            params = StdioServerParameters(
                command=hooklens_bin(), args=["mcp", "--data-dir", str(serve.data_dir)]
            )
            async with stdio_client(params) as (read, write):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    print(f"hooklens: {hooklens_bin()}")
                    print("2xx to the sender -> wait_for_request result (hooklens mcp, stdio):")
                    print("  " + percentiles(await tool_latency(serve, session, waits)))
                    print("2xx to the sender -> GET /api/v1/requests/wait answer:")
                    print("  " + percentiles(await http_latency(serve, waits)))
                    await largest_output(serve, session)
        finally:
            stop_serve(serve)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
