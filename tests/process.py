"""`python -m mockswitch serve` as a real process on a free port of 127.0.0.1, for tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SERVE = (sys.executable, "-m", "mockswitch", "serve")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    stderr_path: Path

    def request(
        self, method: str, path: str, body: Any = None, timeout: float = 10
    ) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body; an HTTP error status is an answer, not an exception."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def json(self, method: str, path: str, body: Any = None) -> Any:
        status, _, text = self.request(method, path, body)
        assert status < 300, (status, text)
        return json.loads(text)

    def stop(self, timeout: float = 20) -> tuple[int, float]:
        """SIGTERM; the exit status and how long the process took to exit."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout)
        return code, time.monotonic() - started

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8")


def json_file(folder: Path, name: str, document: Any) -> str:
    """Write `document` as JSON to `folder/name`; its path, for a flag such as --stubs."""
    path = folder / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


@contextmanager
def serving(
    tmp_path: Path,
    *flags: str,
    ready_within: float = 60,
    command: Sequence[str] = SERVE,
    env: Mapping[str, str] | None = None,
) -> Iterator[Server]:
    """Start `mockswitch serve` with `flags` (and none of the caller's MOCKSWITCH_* variables),
    in `tmp_path`, wait until it is healthy, and kill it afterwards whatever happened."""
    port = free_port()
    base = os.environ if env is None else env
    environ = {k: v for k, v in base.items() if not k.startswith("MOCKSWITCH_")}
    stderr_path = tmp_path / f"stderr-{port}.txt"
    with open(stderr_path, "wb") as stderr, open(tmp_path / f"stdout-{port}.txt", "wb") as stdout:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port), *flags],
            cwd=tmp_path,
            env=environ,
            stdout=stdout,
            stderr=stderr,
        )
    server = Server(process, f"http://127.0.0.1:{port}", stderr_path)
    try:
        deadline = time.monotonic() + ready_within
        while True:
            try:
                if server.request("GET", "/_mock/health", timeout=5)[0] == 200:
                    break
            except OSError:  # not listening yet, or slow to answer on a loaded machine
                pass
            assert process.poll() is None, f"mockswitch exited early:\n{server.stderr}"
            assert time.monotonic() < deadline, "mockswitch did not become healthy in time"
            time.sleep(0.05)
        yield server
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
