"""The load generators: wrk with bench/wrk/mix.lua where installed, else an asyncio client.

Both drive keep-alive connections back to back (a closed loop: each connection sends its next
request as soon as the answer to the last one arrives), cycle through the same 100 requests
(the mix's weights decide how many of each kind) and measure each request's latency from the
first byte sent to the last byte read.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from .servers import HOST, ROOT

LUA = ROOT / "bench" / "wrk" / "mix.lua"


@dataclass(frozen=True)
class Mix:
    """Weights of valid updates, invalid updates (400) and gets, over a cycle of 100; and the
    mean pause (ms) each connection makes before each request (0: back to back). A paced
    mix runs on the asyncio client only: each connection's pauses are random (uniform, 0 to
    twice the mean), and each connection opens after such a pause, so that a thousand
    clients neither connect nor send in lockstep; wrk opens every connection, and sends
    every first request, in the same instant."""

    valid: int = 1
    invalid: int = 0
    gets: int = 0
    pause_ms: int = 0
    prefix: str = ""  # before every path: "/t/NAME" sends the calls to a tenant


@dataclass
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int] = field(default_factory=dict)
    cpu_s: float = float("nan")  # the server's CPU time during the run
    listen_overflows: int = 0  # connections the kernel dropped: the listen backlog was full
    cpu_pressure: float = 0.0  # share of the run during which some task waited for a CPU

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_us_per_request(self) -> float:
        return 1e6 * self.cpu_s / self.requests if self.requests else float("nan")

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


# -- the requests (kept in step with bench/wrk/mix.lua) -------------------------------------

AUTH = "auth_username=user&auth_password=password"
UPDATE = "/api/json/bulk/campaigns/update/?" + AUTH
GET = "/api/json/bulk/campaigns/get/?" + AUTH
CAMPAIGNS = (123, 124, 125)


def _valid(i: int) -> str:
    return f"{UPDATE}&id={CAMPAIGNS[i % 3]}&name=Bench+{i}&retry={60 + i}"


def _invalid(i: int) -> str:
    if i % 2 == 0:
        return UPDATE + "&id=123&attempts=0"
    return UPDATE + "&id=124&callerid=not+digits"


def _get(i: int) -> str:
    return f"{GET}&id={CAMPAIGNS[i % 3]}"


def cycle(mix: Mix) -> list[str]:
    """The 100 request paths of one cycle, the kinds interleaved as mix.lua does."""
    weights = (mix.valid, mix.invalid, mix.gets)
    total = sum(weights)
    makers = (_valid, _invalid, _get)
    credit = [0.0, 0.0, 0.0]
    paths = []
    for i in range(1, 101):
        best = 0
        for k in range(3):
            credit[k] += weights[k] / total
            if credit[k] > credit[best]:
                best = k
        credit[best] -= 1
        paths.append(mix.prefix + makers[best](i))
    return paths


# -- wrk -------------------------------------------------------------------------------------


def wrk_path() -> str | None:
    return shutil.which("wrk")


def run_wrk(
    port: int, mix: Mix, connections: int, seconds: float, threads: int = 1, timeout_s: int = 10
) -> LoadResult:
    wrk = wrk_path()
    assert wrk is not None
    argv = [
        wrk,
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={timeout_s}s",
        "-s",
        str(LUA),
        f"http://{HOST}:{port}",
        "--",
        str(mix.valid),
        str(mix.invalid),
        str(mix.gets),
        mix.prefix,
    ]
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        out, _ = process.communicate(timeout=seconds + timeout_s + 30)
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    text = out.decode("utf-8", "replace")
    for line in text.splitlines():
        if line.startswith("BENCH_JSON "):
            found = json.loads(line.partition(" ")[2])
            latency = found["latency_us"]
            return LoadResult(
                requests=found["requests"],
                seconds=found["duration_us"] / 1e6,
                p50_ms=latency["p50"] / 1000,
                p99_ms=latency["p99"] / 1000,
                max_ms=latency["max"] / 1000,
                errors={k: v for k, v in found["errors"].items() if v},
            )
    raise RuntimeError(f"wrk printed no result:\n{text}")


# -- the built-in asyncio client --------------------------------------------------------------


async def _connection(
    port: int,
    pause: float,
    requests: list[bytes],
    offset: int,
    deadline: float,
    latencies: list[float],
    errors: dict[str, int],
) -> None:
    dice = random.Random(offset)
    if pause:  # paced clients arrive over the first pause, not all in the same instant
        await asyncio.sleep(dice.uniform(0, 2 * pause))
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
    except OSError:
        errors["connect"] = errors.get("connect", 0) + 1
        return
    i = offset
    try:
        first = True
        while True:
            if pause and not first:
                await asyncio.sleep(dice.uniform(0, 2 * pause))
            first = False
            if time.perf_counter() >= deadline:
                break
            request = requests[i % len(requests)]
            i += 1
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if not head.startswith(b"HTTP/1.1 2"):
                errors["status"] = errors.get("status", 0) + 1
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        errors["read"] = errors.get("read", 0) + 1
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def _drive(port: int, mix: Mix, connections: int, seconds: float) -> LoadResult:
    requests = [
        f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode() for path in cycle(mix)
    ]
    latencies: list[float] = []
    errors: dict[str, int] = {}
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(
            _connection(port, mix.pause_ms / 1000, requests, n * 7, deadline, latencies, errors)
            for n in range(connections)
        )
    )
    took = time.perf_counter() - started
    latencies.sort()

    def percentile(p: float) -> float:
        if not latencies:
            return float("nan")
        return 1000 * latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]

    return LoadResult(
        requests=len(latencies),
        seconds=took,
        p50_ms=percentile(50),
        p99_ms=percentile(99),
        max_ms=1000 * latencies[-1] if latencies else float("nan"),
        errors=errors,
    )


def run_asyncio(port: int, mix: Mix, connections: int, seconds: float) -> LoadResult:
    return asyncio.run(_drive(port, mix, connections, seconds))


def run_load(
    client: str, port: int, mix: Mix, connections: int, seconds: float, threads: int = 1
) -> LoadResult:
    if client == "wrk" and not mix.pause_ms:
        return run_wrk(port, mix, connections, seconds, threads)
    return run_asyncio(port, mix, connections, seconds)


def listen_overflows() -> int:
    """The kernel's count of handshakes dropped because a listen backlog was full."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        lines = Path("/proc/net/netstat").read_text().splitlines()
        for names, values in zip(lines[::2], lines[1::2], strict=False):
            if names.startswith("TcpExt:"):
                found = dict(zip(names.split()[1:], values.split()[1:], strict=True))
                return int(found.get("ListenOverflows", 0))
    return 0


def cpu_stall_us() -> int:
    """Microseconds during which some runnable task waited for a CPU (`/proc/pressure/cpu`)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        return int(line.rpartition("total=")[2])
    return 0


def loadavg() -> str:
    with contextlib.suppress(OSError):
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return "?"
