"""(h) The stub flood: 1,000 posts of a 255 KB stub to one tenant, then to four tenants
at once, against a running mockswitch; the server's RSS as it goes, and the answers.

Before issue 25 a stub kept its `data` as Python objects (about 23 times its JSON's bytes)
and nothing bounded the bytes: one tenant went from 48 MB to 5.9 GB. Now each stub keeps its
envelope's bytes, a tenant holds at most `max_stub_bytes` of them (a 413 beyond) and every
tenant together `max_stub_bytes_total`.

    python bench/stub_flood.py PORT PID [POSTS]   # against a server already running
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

STUB_BYTES = 255 * 1024
POSTS = 1000
TENANTS = 4


def stub_body(size: int = STUB_BYTES) -> bytes:
    """A stub declaration of at most `size` bytes: people rows, as a real `people/list`."""
    row = {"id": 0, "username": "user0", "email": "someone@example.com"}
    rows = [dict(row, id=n, username=f"user{n}") for n in range(size // len(json.dumps(row)))]
    body = json.dumps({"function": "people/list", "data": rows}).encode()
    while len(body) > size:
        del rows[-(1 + (len(body) - size) // 80) :]
        body = json.dumps({"function": "people/list", "data": rows}).encode()
    return body


@dataclass
class Flood:
    statuses: Counter[int] = field(default_factory=Counter)
    rss_mb: list[float] = field(default_factory=list)
    seconds: float = 0.0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _post(port: int, path: str, body: bytes) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


def flood(port: int, pid: int, tenants: list[str], posts: int = POSTS) -> Flood:
    """`posts` posts of the stub to each tenant (a thread per tenant, at once); RSS sampled
    after every tenth post of the first tenant's thread."""
    body, result = stub_body(), Flood()
    result.rss_mb.append(rss_mb(pid))
    lock = threading.Lock()

    def send(tenant: str, sampling: bool) -> None:
        path = "/_mock/stubs" if tenant == "default" else f"/t/{tenant}/_mock/stubs"
        for n in range(posts):
            status = _post(port, path, body)
            with lock:
                result.statuses[status] += 1
                if sampling and n % 10 == 9:
                    result.rss_mb.append(rss_mb(pid))

    started = time.perf_counter()
    threads = [
        threading.Thread(target=send, args=(tenant, index == 0))
        for index, tenant in enumerate(tenants)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    result.rss_mb.append(rss_mb(pid))
    return result


def listing(port: int) -> tuple[int, float]:
    """The size of `GET /_mock/stubs` and the seconds it took."""
    started = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_mock/stubs", timeout=120) as answer:
        size = len(answer.read())
    return size, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("port", type=int)
    parser.add_argument("pid", type=int)
    parser.add_argument("posts", type=int, nargs="?", default=POSTS)
    args = parser.parse_args()
    one = flood(args.port, args.pid, ["default"], args.posts)
    print(f"one tenant: {dict(one.statuses)}, RSS {one.rss_mb[0]:.0f} -> {max(one.rss_mb):.0f} MB")
    size, took = listing(args.port)
    print(f"GET /_mock/stubs: {size:,} bytes in {took:.2f} s")


if __name__ == "__main__":
    main()
