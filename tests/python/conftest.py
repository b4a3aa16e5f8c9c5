"""Fixtures for the suites that drive the real `hooklens` binary from Python: a running
`hooklens serve` on free loopback ports with its own data directory, a local HTTP target
that records what it receives, and (for the providers' SDK suite) one `hooklens serve` per
module with its API at hand."""

from __future__ import annotations

import http.server
import os
import queue
import signal
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests


def hooklens_bin() -> str:
    """The debug binary `make` built (HOOKLENS_BIN overrides)."""
    if os.environ.get("HOOKLENS_BIN"):
        return os.environ["HOOKLENS_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR") or str(Path(__file__).parents[2] / "target")
    return str(Path(target) / "debug" / "hooklens")


@dataclass
class Serve:
    data_dir: Path
    receiver_url: str
    api_url: str
    token: str
    process: subprocess.Popen

    def send(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> str:
        """POSTs to the receiver; returns the id Hooklens gave the captured request."""
        request = urllib.request.Request(
            self.receiver_url + path, data=body, headers=headers or {}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200
            return response.headers["x-hooklens-request-id"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def start_serve(tmp_path: Path, *args: str, token: str | None = None) -> Serve:
    """`hooklens serve` on ports 0; its URLs are read from the lines it prints. With `token`,
    it is started with that API token (`--api-token`), and keeps none in its data directory."""
    data_dir = tmp_path / "data"
    log = open(tmp_path / "serve.log", "wb")
    if token is not None:
        args = ("--api-token", token, *args)
    process = subprocess.Popen(
        [hooklens_bin(), "serve", "--data-dir", str(data_dir),
         "--listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0", "--no-metrics", *args],
        stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL,
    )
    log.close()
    lines = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line.decode()) for line in process.stdout], daemon=True
    ).start()
    receiver = inspector = None
    deadline = time.monotonic() + 60
    while not (receiver and inspector):
        line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        if "Receiver:" in line:
            receiver = line.split()[1].rstrip("/")
        if "Inspector:" in line:
            inspector = line.split()[1].split("/login")[0]
    if token is None:
        token = (data_dir / "api-token").read_text().strip()
    return Serve(data_dir, receiver, inspector, token, process)


def stop_serve(serve: Serve) -> int:
    """SIGTERM, then its exit code."""
    serve.process.send_signal(signal.SIGTERM)
    return serve.process.wait(timeout=30)


@pytest.fixture
def serve(tmp_path: Path):
    running = start_serve(tmp_path)
    yield running
    assert stop_serve(running) == 0


@dataclass
class Target:
    """A local service that answers 200 and records each request it receives."""
    url: str
    received: queue.Queue = field(default_factory=queue.Queue)


@pytest.fixture
def target():
    received: queue.Queue = queue.Queue()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("content-length", 0))
            received.put((self.command, self.path, dict(self.headers), self.rfile.read(length)))
            self.send_response(200)
            self.send_header("content-type", "text/plain")
            self.end_headers()
            self.wfile.write(b"thanks")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Target(f"http://127.0.0.1:{server.server_address[1]}", received)
    server.shutdown()
    server.server_close()


@dataclass
class ProviderServe:
    """A `hooklens serve` for the providers' SDK suite: endpoints made through its API, and
    requests sent to its receiver and read back as the API shows them."""
    serve: Serve
    session: requests.Session

    @property
    def receiver(self) -> str:
        return self.serve.receiver_url

    def endpoint(self, spec: dict) -> dict:
        answer = self.session.post(f"{self.serve.api_url}/api/v1/endpoints", json=spec, timeout=10)
        assert answer.status_code == 201, answer.text
        return answer.json()

    def send(self, path: str, body: bytes, headers: dict) -> dict:
        """Posts to the receiver; returns the stored request as the API shows it."""
        answer, stored = self.exchange(path, body, headers)
        assert answer.status_code == 200, answer.text
        return stored

    def exchange(self, path: str, body: bytes, headers: dict):
        """Posts to the receiver; returns its answer and the stored request."""
        answer = requests.post(f"{self.serve.receiver_url}{path}", data=body, headers=headers,
                               timeout=10)
        request_id = answer.headers["x-hooklens-request-id"]
        stored = self.session.get(f"{self.serve.api_url}/api/v1/requests/{request_id}",
                                  timeout=10)
        assert stored.status_code == 200, stored.text
        return answer, stored.json()


@pytest.fixture(scope="module")
def hooklens(tmp_path_factory):
    running = start_serve(tmp_path_factory.mktemp("hooklens"))
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {running.token}"
    yield ProviderServe(running, session)
    assert stop_serve(running) == 0
