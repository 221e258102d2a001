"""Resetting, creating and dropping a tenant on a large data set never stalls the others.

The seed is copied to a new tenant id a slice at a time (`store/slices.py`), the tenant moves
to it in one short transaction (the barrier), and the old id's rows are deleted in slices
after, by the sweeper. These tests run on generated data sets many slices large, on real
database files, and check: the copy is exact and nothing is left behind; another tenant's
calls go through while a reset copies (ordered by the write lock, not by a clock); the reset
barrier holds on a large data set as on the default one; a `kill -9` in the middle of a copy
or of a sweep leaves the tenants whole, and the next start sweeps what was left.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import signal
import sqlite3
import threading
import time
import urllib.parse
from pathlib import Path

import aiohttp
import pytest

from mockswitch.cli.main import main
from mockswitch.config import Settings
from mockswitch.dataset.fixtures import Dataset, load_dataset
from mockswitch.dataset.generator import generate
from mockswitch.dataset.tables import TABLES
from mockswitch.simulator import ClockSpec, Simulator
from mockswitch.store import Store
from mockswitch.store.slices import GARBAGE, SLICE_ROWS
from mockswitch.tenancy import Start, Tenants
from tests.cast import CAMPAIGNS, PASSWORD
from tests.process import Server, serving
from tests.test_concurrency_mixed import replay

CAMPAIGNS_MADE = SLICE_ROWS  # with their destinations, some ten slices a copy
WITH_TENANT = (*(table.name for table in TABLES), "calls", "dials")
AUTH = {"auth_username": "user", "auth_password": PASSWORD}


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return generate(load_dataset(Settings().fixtures_path()), CAMPAIGNS_MADE, 7)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A database file seeded by `mockswitch seed --generate`, as a user makes one: each
    test serves a copy of it."""
    db = tmp_path_factory.mktemp("generated") / "generated.sqlite3"
    assert main(["seed", "--db", str(db), "--generate", str(6 * SLICE_ROWS), "--seed", "3"]) == 0
    return db


def copy_of(generated: Path, folder: Path) -> Path:
    db = folder / "db.sqlite3"
    shutil.copyfile(generated, db)
    return db


def read(path: Path | str, sql: str, *values: object) -> list[tuple]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql, values).fetchall()
    finally:
        conn.close()


def ids_holding_rows(path: Path | str) -> set[int]:
    found = set()
    for table in WITH_TENANT:
        found |= {tenant for (tenant,) in read(path, f"SELECT DISTINCT tenant FROM {table}")}
    return found


def tenant_ids(path: Path | str) -> dict[str, int]:
    return dict(read(path, "SELECT name, id FROM tenants"))


def listed(path: Path | str) -> list[int]:
    rows = read(path, "SELECT value FROM meta WHERE key = ?", GARBAGE)
    return json.loads(rows[0][0]) if rows else []


def table_rows(path: Path | str, table: str, tenant_id: int) -> list[tuple]:
    rows = read(path, f"SELECT * FROM {table} WHERE tenant = ?", tenant_id)
    return sorted(row[1:] for row in rows)


async def open_tenants(path: Path, dataset: Dataset) -> Tenants:
    """The store at `path` with the registry of its tenants, as a server holds them."""
    store = await Store.open(str(path), dataset)
    return await Tenants.open(store, Start(Simulator(ClockSpec())), max_tenants=100)


async def change(tenants: Tenants, name: str, campaign_id: int, new_name: str) -> None:
    data = (await tenants.get(name)).data
    async with tenants.store.lock:
        await data.campaigns.update(campaign_id, {"name": new_name})
    await tenants.store.db.commit()


async def test_a_reset_copies_the_seed_exactly_and_leaves_nothing_behind(tmp_path, dataset):
    path = tmp_path / "db.sqlite3"
    tenants = await open_tenants(path, dataset)
    try:
        tenant = await tenants.get("default")
        await change(tenants, "default", 123, "changed")
        old = tenant.data
        assert await tenants.reset(tenant)
        assert old.ended
        assert tenant.data.id > old.id
        assert (await tenant.data.campaigns.get(123)).name == CAMPAIGNS[123]["name"]
        for table in TABLES:
            assert table_rows(path, table.name, tenant.data.id) == table_rows(path, table.name, 0)
        await tenants.store.sweeper.idle.wait()
        assert ids_holding_rows(path) == {0, tenant.data.id}
        assert listed(path) == []
        assert tenant_ids(path) == {"default": tenant.data.id}
    finally:
        await tenants.store.close()


async def test_another_tenant_changes_while_a_reset_copies(tmp_path, dataset):
    tenants = await open_tenants(tmp_path / "db.sqlite3", dataset)
    store = tenants.store
    try:
        big = await tenants.get("default")
        await tenants.get("other")
        resetting = asyncio.ensure_future(tenants.reset(big))
        for _ in range(50):
            await asyncio.sleep(0)
            if store.sweeper.busy:
                break
        assert store.sweeper.busy, "the reset never began to copy"
        await change(tenants, "other", 123, "while the reset copies")
        assert store.sweeper.busy, "the change waited for the whole copy"
        assert not resetting.done()
        assert await resetting
        other = await tenants.get("other")
        assert (await other.data.campaigns.get(123)).name == "while the reset copies"
    finally:
        await store.close()


async def test_tenants_made_at_once_under_one_name_are_one(tmp_path, dataset):
    path = tmp_path / "db.sqlite3"
    tenants = await open_tenants(path, dataset)
    try:
        made = await asyncio.gather(*(tenants.get("twin") for _ in range(5)))
        assert all(tenant is made[0] for tenant in made)
        assert tenants.count() == 2
        await tenants.store.sweeper.idle.wait()
        assert ids_holding_rows(path) == {0, *tenant_ids(path).values()}
    finally:
        await tenants.store.close()


async def test_a_dropped_tenant_is_swept_and_its_name_starts_again_from_the_seed(tmp_path, dataset):
    path = tmp_path / "db.sqlite3"
    tenants = await open_tenants(path, dataset)
    try:
        await change(tenants, "gone", 123, "dropped with its tenant")
        dropped = await tenants.get("gone")
        assert await tenants.drop(dropped)
        assert dropped.dropped
        assert dropped.data.ended
        again = await tenants.get("gone")
        assert again is not dropped
        assert again.data.id > dropped.data.id
        assert (await again.data.campaigns.get(123)).name == CAMPAIGNS[123]["name"]
        await tenants.store.sweeper.idle.wait()
        assert ids_holding_rows(path) == {0, *tenant_ids(path).values()}
        assert listed(path) == []
    finally:
        await tenants.store.close()


async def test_a_reset_of_a_dropped_tenant_changes_nothing_and_its_copy_is_swept(tmp_path, dataset):
    path = tmp_path / "db.sqlite3"
    tenants = await open_tenants(path, dataset)
    try:
        doomed = await tenants.get("doomed")
        resetting = asyncio.ensure_future(tenants.reset(doomed))
        await asyncio.sleep(0)
        assert await tenants.drop(doomed)  # while the reset copies
        assert not await resetting
        assert tenants.find("doomed") is None
        await tenants.store.sweeper.idle.wait()
        assert ids_holding_rows(path) == {0, *tenant_ids(path).values()}
    finally:
        await tenants.store.close()


# -- through HTTP, on a server process --------------------------------------------------------


async def test_another_tenants_calls_go_on_through_rounds_of_resets(tmp_path, generated):
    # Each round starts a reset of the large default tenant and, once its copy has begun
    # (its new id is listed in the file), sends 40 updates to tenant "other": every update
    # answers 204 and is journaled and kept, some before the reset answers (its copy does
    # not hold them up), and the default tenant ends each round as the seed.
    db = copy_of(generated, tmp_path)
    update = "/t/other/api/json/bulk/campaigns/update/"
    get = "/api/json/bulk/campaigns/get/"
    with serving(tmp_path, "--db", str(db)) as server:
        async with aiohttp.ClientSession(base_url=server.url) as client:
            answered_first, ids = 0, []
            for round_ in range(8):
                resetting = asyncio.ensure_future(client.post("/_mock/reset"))
                await copy_begun(db, resetting)
                calls = [
                    asyncio.ensure_future(
                        client.get(update, params={**AUTH, "id": "123", "name": f"r{round_}-{n}"})
                    )
                    for n in range(40)
                ]
                for response in asyncio.as_completed(calls):
                    answer = await response
                    assert (await answer.json())["responses"] == [
                        {"code": "204", "key": "", "message": "OK"}
                    ]
                    ids.append(int(answer.headers["X-Mockswitch-Call"]))
                    answered_first += not resetting.done()
                assert (await resetting).status == 200
                campaign = await (await client.get(get, params={**AUTH, "id": "123"})).json()
                assert campaign["data"]["name"] == CAMPAIGNS[123]["name"]
            journal = await (
                await client.get("/t/other/_mock/calls", params={"limit": "1000"})
            ).json()
            assert sorted(c["id"] for c in journal["calls"]) == sorted(ids)
            last = max(journal["calls"], key=lambda c: c["id"])["params"]["name"]
            stored = await (await client.get("/t/other" + get, params={**AUTH, "id": "123"})).json()
            assert stored["data"]["name"] == last
            assert answered_first > 0, "every update waited for the reset"
        assert "Traceback" not in server.stderr
    assert ids_holding_rows(db) - {0, *tenant_ids(db).values()} <= set(listed(db))


async def test_the_reset_barrier_holds_on_a_large_data_set(tmp_path, generated):
    # test_barriers' reset race, on a data set whose copy takes many slices: updates of the
    # tenant being reset, sent while its copy is under way, are answered meanwhile; the move
    # then wipes those made before it, with their journal rows, and keeps those after it.
    # Each round, the data is the seed plus exactly the updates its journal lists.
    db = copy_of(generated, tmp_path)
    update = "/api/json/bulk/campaigns/update/"
    with serving(tmp_path, "--db", str(db)) as server:
        async with aiohttp.ClientSession(base_url=server.url) as client:
            disagreements, wiped, kept = [], 0, 0
            for round_ in range(10):
                resetting = asyncio.ensure_future(client.post("/_mock/reset"))
                await copy_begun(db, resetting)
                calls = []
                while not resetting.done() or not calls:
                    params = {**AUTH, "id": "123", "retry": str(len(calls) + 100 * round_)}
                    calls.append(await client.get(update, params=params))
                assert (await resetting).status == 200
                answered = [int(c.headers["X-Mockswitch-Call"]) for c in calls]
                journal = (await (await client.get("/_mock/calls")).json())["calls"]
                in_journal = {c["id"] for c in journal}
                wiped += len(set(answered) - in_journal)
                kept += len(set(answered) & in_journal)
                got = await client.get(
                    "/api/json/bulk/campaigns/get/", params={**AUTH, "id": "123"}
                )
                stored, expected = (await got.json())["data"], replay(journal)[123]
                if stored != expected:
                    disagreements.append((round_, stored, expected))
            assert disagreements == []
            assert wiped > 0, "no update was made during a copy, before its move"
        assert "Traceback" not in server.stderr


async def copy_begun(db: Path, resetting: asyncio.Future) -> None:
    """Until the reset's new id is listed in the file: its copy has begun."""
    while not listed(db):
        assert not resetting.done(), "the reset answered before its copy was seen"
        await asyncio.sleep(0.002)


def wait_for(condition, what: str, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.002)


def rows_of(db: Path, tenant: int, tables: tuple[str, ...] = WITH_TENANT) -> int:
    counts = " + ".join(f"(SELECT COUNT(*) FROM {t} WHERE tenant = ?1)" for t in tables)
    return read(db, f"SELECT {counts}", tenant)[0][0]


def frozen(pid: int) -> bool:
    """The process is stopped (SIGSTOP): it runs no instruction, so writes nothing more."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    return stat.rsplit(")", 1)[1].split()[0] in ("T", "t")


def kill_9_when(server: Server, condition, what: str, within: float = 60) -> None:
    """Let the server run 10 ms at a time, stopped (SIGSTOP) between, until the file
    it left, read while it is stopped, meets `condition`; then `kill -9` it still stopped.
    The file at the kill is the one `condition` saw: the state a crash leaves is chosen, not
    the one a poll happened to catch (a free-running copy can pass between two polls on a
    busy machine)."""
    pid = server.process.pid
    deadline = time.monotonic() + within
    try:
        while True:
            server.process.send_signal(signal.SIGSTOP)
            while not frozen(pid):
                # A server that exited (a zombie) never shows as stopped.
                assert server.process.poll() is None, f"the server exited before {what}"
                assert time.monotonic() < deadline, f"the server never stopped, waiting for {what}"
                time.sleep(0.0005)
            try:
                if condition():
                    return
            except sqlite3.OperationalError:  # stopped while holding a lock readers need
                pass
            assert time.monotonic() < deadline, f"never saw {what}"
            server.process.send_signal(signal.SIGCONT)
            time.sleep(0.01)  # a few slices at most: the copy and the sweep take dozens
    finally:
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(10)


@pytest.mark.parametrize("cut", ["copying", "sweeping"])
def test_kill_9_in_the_middle_of_a_reset_leaves_the_tenants_whole(tmp_path, generated, cut):
    db = copy_of(generated, tmp_path)
    change = {**AUTH, "id": "123", "name": "before the kill"}
    query = urllib.parse.urlencode(change)
    seed_rows = rows_of(db, 0, tuple(table.name for table in TABLES))
    with serving(tmp_path, "--db", str(db)) as server:
        status, _, body = server.request("GET", f"/api/json/bulk/campaigns/update/?{query}")
        assert status == 200, body
        old_id = tenant_ids(db)["default"]
        assert listed(db) == []

        def copying() -> bool:
            """The reset's new id is listed and holds some of the seed, not all of it; the
            tenant has not moved to it yet."""
            new = [i for i in listed(db) if i > old_id]
            return (
                len(new) == 1
                and tenant_ids(db)["default"] == old_id
                and 0 < rows_of(db, new[0]) < seed_rows
            )

        def sweeping() -> bool:
            """The tenant has moved to its new id; its old one is listed, some rows left."""
            return (
                old_id in listed(db)
                and tenant_ids(db)["default"] != old_id
                and rows_of(db, old_id) > 0
            )

        reset_in_background(server)
        kill_9_when(server, copying if cut == "copying" else sweeping, f"a reset's {cut} half done")
    ids = tenant_ids(db)
    assert listed(db), "nothing was left to sweep: the kill came too late"
    # What each tenant shows is whole: the seed's rows, or the seed and the change.
    name = read(db, "SELECT name FROM campaigns WHERE tenant = ? AND id = 123", ids["default"])
    expected = CAMPAIGNS[123]["name"] if cut == "sweeping" else "before the kill"
    assert name == [(expected,)]
    for table in TABLES:
        if table.name != "campaigns":
            assert table_rows(db, table.name, ids["default"]) == table_rows(db, table.name, 0)

    with serving(tmp_path, "--db", str(db)) as server:
        wait_for(lambda: not listed(db), "the next start sweep what was left")
        assert ids_holding_rows(db) == {0, ids["default"]}
        assert server.request("POST", "/_mock/reset", timeout=60)[0] == 200
        status, _, body = server.request("GET", f"/api/json/bulk/campaigns/get/?{query}")
        assert json.loads(body)["data"]["name"] == CAMPAIGNS[123]["name"]


def reset_in_background(server: Server) -> None:
    """POST /_mock/reset without waiting for its answer (the server is killed meanwhile)."""

    def post() -> None:
        with contextlib.suppress(OSError):  # killed before it answered
            server.request("POST", "/_mock/reset", timeout=60)

    threading.Thread(target=post, daemon=True).start()
