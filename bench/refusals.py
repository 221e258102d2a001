"""What a refused call costs the server, in CPU time per call: to see what its reason adds.

A busy, shared machine makes throughput useless for a difference of a few hundred
microseconds; the server's own CPU time (`/proc/<pid>/stat`, Linux) over a fixed number of
calls is steadier. For each TREE (a checkout of mockswitch, to compare before and after a
change), one `mockswitch serve --db :memory:` is started and sent COUNT calls of each kind
(after 500 to warm up) over 10 keep-alive connections:

    python bench/refusals.py TREE [TREE ...]   # COUNT from $COUNT, default 4000

Run the trees in turn, twice or more, and compare like rows: the machine's load moves every
figure by a few tens of microseconds.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request

import aiohttp

TICK = os.sysconf("SC_CLK_TCK")
CONNECTIONS = 10
WARM_UP = 500
A = "auth_username=user;auth_password=password"


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def kinds(count: int) -> dict[str, list[str]]:
    campaigns = "/api/json/bulk/campaigns"
    return {
        "204 update": [f"{campaigns}/update/?{A};id=123;name=n{i}" for i in range(100)],
        "401 wrong password": [f"{campaigns}/get/?auth_username=user;auth_password=x"],
        "401 wrong case": [f"{campaigns}/get/?auth_username=User;auth_password=x"],
        "404 one misspelt name": [f"{campaigns}/udpate/?{A}"],
        # Close to every function's name: difflib compares it with each, and nothing is kept.
        "404 a new name each call": [f"{campaigns}/x{i}/?{A}" for i in range(count + WARM_UP)],
    }


async def send(url: str, paths: list[str], count: int, skip: int = 0) -> None:
    async with aiohttp.ClientSession() as session:

        async def connection(first: int) -> None:
            for i in range(first, count, CONNECTIONS):
                async with session.get(url + paths[(skip + i) % len(paths)]) as answer:
                    await answer.read()

        await asyncio.gather(*(connection(k) for k in range(CONNECTIONS)))


def measure(tree: str, count: int) -> str:
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSWITCH_")}
    environ["PYTHONPATH"] = tree
    command = [sys.executable, "-m", "mockswitch", "serve", "--db", ":memory:", "--quiet"]
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_mock/health", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        figures = []
        for kind, paths in kinds(count).items():
            asyncio.run(send(url, paths, WARM_UP, skip=count))
            before = cpu_seconds(server.pid)
            asyncio.run(send(url, paths, count))
            figures.append(f"{kind} {(cpu_seconds(server.pid) - before) / count * 1e6:.0f} us")
        return f"{tree}: " + "; ".join(figures)
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    for checkout in sys.argv[1:]:
        print(measure(checkout, int(os.environ.get("COUNT", "4000"))), flush=True)
