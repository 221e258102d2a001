"""(f) in process: one tenant's updates while another, large, tenant is reset in a loop.

No HTTP and no load generator, so that a busy machine blurs it less than the HTTP run of
`python -m bench --scenarios f`: 50 tasks update one campaign of tenant `other` as fast as
they can for SECONDS, through the store's own API, while tenant `default` is reset back to
back. DB is a database made by `mockswitch seed --generate N` (copied, never changed); TREE a
checkout of mockswitch, to compare before and after a change:

    python bench/beside_resets.py TREE DB [SECONDS]
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import time

TREE, DB = sys.argv[1], sys.argv[2]
SECONDS = float(sys.argv[3]) if len(sys.argv) > 3 else 10.0
sys.path.insert(0, TREE)

from mockswitch.config import Settings  # noqa: E402

try:  # the layout since the package was split into rooms
    from mockswitch.dataset.fixtures import load_dataset
    from mockswitch.store import Store
except ImportError:
    from mockswitch.store import Store, load_dataset  # type: ignore[attr-defined,no-redef]

TASKS = 50


async def measure(path: str, settings: Settings) -> str:
    store = await Store.open(path, load_dataset(settings.fixtures_path()))
    large = await store.tenant("default")
    started = time.perf_counter()
    other = await store.tenant("other")
    created_ms = (time.perf_counter() - started) * 1000
    stop, resets, waits = False, [], []

    async def reset_in_a_loop() -> None:
        while not stop:
            began = time.perf_counter()
            await store.reset(large)
            resets.append(time.perf_counter() - began)

    async def updates(until: float) -> None:
        while time.perf_counter() < until:
            began = time.perf_counter()
            async with store.db.lock:
                await other.campaigns.update(123, {"name": "beside a reset"})
            await store.db.commit()
            waits.append(time.perf_counter() - began)

    resetting = asyncio.ensure_future(reset_in_a_loop())
    until = time.perf_counter() + SECONDS
    await asyncio.gather(*(updates(until) for _ in range(TASKS)))
    stop = True
    await resetting
    await store.close()
    waits.sort()
    resets.sort()
    ms = [1000 * waits[int(len(waits) * q)] for q in (0.5, 0.99)]
    return (
        f"{TREE}: new tenant {created_ms:.0f} ms; {len(waits)} updates in {SECONDS:.0f} s, "
        f"p50 {ms[0]:.1f} ms, p99 {ms[1]:.1f} ms, max {1000 * waits[-1]:.1f} ms; "
        f"{len(resets)} resets, median {1000 * resets[len(resets) // 2]:.0f} ms"
    )


def main() -> None:
    own = os.path.join(TREE, "fixtures")  # a checkout from before they moved into the package
    settings = Settings(fixtures=own) if os.path.isdir(own) else Settings()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "copy.sqlite3")
        shutil.copy(DB, path)
        print(asyncio.run(measure(path, settings)))


if __name__ == "__main__":
    main()
