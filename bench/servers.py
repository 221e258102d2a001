"""Starting, watching and always stopping the servers under test (on 127.0.0.1 only)."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"  # the only address this benchmark ever sends anything to
ROOT = Path(__file__).resolve().parent.parent
_LIVE: set[Server] = set()  # every server started and not yet stopped, for stop_all()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def raise_file_limit() -> int:
    """Raise this process's open-file limit to its hard limit (wrk and the servers inherit it:
    1,000 connections need more than the usual 1,024 descriptors); returns the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def http(
    method: str, port: int, path: str, body: Any = None, timeout: float = 30.0
) -> tuple[int, Any, float]:
    """One request to the server on `port`: (status, JSON body or text, seconds it took)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw, status = response.read(), response.status
    except urllib.error.HTTPError as error:
        raw, status = error.read(), error.code
    took = time.perf_counter() - started
    try:
        return status, json.loads(raw), took
    except ValueError:
        return status, raw.decode("utf-8", "replace"), took


class Server:
    """A server process in its own session, so that stopping it stops all it started."""

    def __init__(
        self, name: str, argv: Sequence[str], port: int, log: Path, cwd: Path = ROOT
    ) -> None:
        self.name = name
        self.cwd = cwd
        self.argv = list(argv)
        self.port = port
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    def start(self) -> Server:
        self._log_file = self.log.open("ab")
        self.started_at = time.perf_counter()
        self.process = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _LIVE.add(self)
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def wait_ready(self, path: str = "/_mock/health", timeout: float = 60.0) -> float:
        """Poll `path` until it answers 200; the seconds since the process was spawned."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}): {self.tail()}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    pass
                status, _, _ = http("GET", self.port, path, timeout=5)
                if status == 200:
                    return time.perf_counter() - self.started_at
            except OSError:
                pass
            time.sleep(0.005)
        raise RuntimeError(f"{self.name} was not ready after {timeout:.0f}s: {self.tail()}")

    def rss_mb(self) -> float:
        """Resident memory (VmRSS) of the server process, in MB (MiB)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_seconds(self) -> float:
        """User plus system CPU time the server process has used so far (all its threads)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def tail(self, lines: int = 15) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (a clean stop), then SIGKILL to the whole process group if it lingers."""
        process, self.process = self.process, None
        _LIVE.discard(self)
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        # Anything the server left in its group (it starts none today) goes too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        self._log_file.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def stop_all() -> None:
    for server in list(_LIVE):
        server.stop(timeout=5)


def python() -> str:
    return sys.executable


def baseline(log_dir: Path, delay_ms: float = 0.0, loop: str = "asyncio") -> Server:
    port = free_port()
    argv = [python(), str(ROOT / "bench" / "baseline.py"), "--host", HOST, "--port", str(port)]
    argv += ["--delay-ms", str(delay_ms), "--loop", loop]
    return Server(f"baseline(delay {delay_ms:g} ms)", argv, port, log_dir / f"baseline-{port}.log")


MOCKSWITCH_DIR = [ROOT]  # where `python -m mockswitch` runs from (--mockswitch-dir)


def mockswitch(log_dir: Path, db: Path, *extra: str) -> Server:
    port = free_port()
    argv = [python(), "-m", "mockswitch", "serve", "--host", HOST, "--port", str(port)]
    argv += ["--db", str(db), "--quiet", *extra]
    return Server(
        "mockswitch", argv, port, log_dir / f"mockswitch-{port}.log", cwd=MOCKSWITCH_DIR[0]
    )


def mockswitch_command(*args: str) -> list[str]:
    return [python(), "-m", "mockswitch", *args]


def run_command(argv: Sequence[str], log: Path, timeout: float = 600) -> float:
    """Run a command to its end (its output to `log`); the seconds it took. Fails loudly."""
    started = time.perf_counter()
    with log.open("ab") as out:
        process = subprocess.Popen(
            list(argv),
            cwd=MOCKSWITCH_DIR[0],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code = process.wait(timeout)
        finally:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    if code != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({code}); see {log}")
    return time.perf_counter() - started
