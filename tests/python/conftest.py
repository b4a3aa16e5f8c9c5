"""A real `hooklens serve` on free loopback ports for the Python suites.

HOOKLENS_BIN names the binary (`make py-provider-sdks` passes the debug build).
"""

import os
import queue
import subprocess
import threading
from pathlib import Path

import pytest
import requests


class Hooklens:
    """One `hooklens serve` process: its receiver, and its API with the token."""

    def __init__(self, data_dir: Path):
        binary = os.environ.get("HOOKLENS_BIN", "hooklens")
        self.process = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0",
             "--data-dir", str(data_dir)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "HOOKLENS_LOG": "warn"},
        )
        lines: "queue.Queue[str]" = queue.Queue()

        def drain():
            # Keep reading after start-up, so hooklens never writes to a closed pipe.
            for line in self.process.stdout:
                lines.put(line)

        threading.Thread(target=drain, daemon=True).start()
        self.receiver = self.api = None
        while self.receiver is None or self.api is None:
            line = lines.get(timeout=30).strip()
            if line.startswith("Receiver:"):
                self.receiver = line.split()[1].rstrip("/")
            if line.startswith("Inspector:"):
                self.api = line.split()[1].split("/login")[0]
        token = (data_dir / "api-token").read_text().strip()
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def endpoint(self, spec: dict) -> dict:
        answer = self.session.post(f"{self.api}/api/v1/endpoints", json=spec, timeout=10)
        assert answer.status_code == 201, answer.text
        return answer.json()

    def send(self, path: str, body: bytes, headers: dict) -> dict:
        """Posts to the receiver; returns the stored request as the API shows it."""
        answer, stored = self.exchange(path, body, headers)
        assert answer.status_code == 200, answer.text
        return stored

    def exchange(self, path: str, body: bytes, headers: dict):
        """Posts to the receiver; returns its answer and the stored request."""
        answer = requests.post(f"{self.receiver}{path}", data=body, headers=headers, timeout=10)
        request_id = answer.headers["x-hooklens-request-id"]
        stored = self.session.get(f"{self.api}/api/v1/requests/{request_id}", timeout=10)
        assert stored.status_code == 200, stored.text
        return answer, stored.json()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)


@pytest.fixture(scope="module")
def hooklens(tmp_path_factory):
    server = Hooklens(tmp_path_factory.mktemp("hooklens"))
    yield server
    server.stop()
