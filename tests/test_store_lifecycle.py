"""The database's life: durable across restarts, reset on demand, reseeded when fixtures change."""

from __future__ import annotations

import json
import shutil

from mockswitch.config import DEFAULT_FIXTURES as FIXTURES
from tests.cast import CAMPAIGNS, SEEDED, campaign
from tests.helpers import OK_204, call, every_campaign, read_campaign

UPDATE = "bulk/campaigns/update"


async def test_a_file_database_keeps_changes_across_a_restart(serve, tmp_path):
    db = str(tmp_path / "switch.sqlite3")
    client = await serve(db=db)
    assert await call(client, UPDATE, id=123, name="Durable", attempts=9) == (200, OK_204)
    await client.close()  # stops the server and closes the database

    client = await serve(db=db)
    assert await read_campaign(client, 123) == campaign(123, name="Durable", attempts=9)
    assert await read_campaign(client, 124) == CAMPAIGNS[124]
    await client.close()

    client = await serve(db=db)  # and again: a restart does not reseed an unchanged data set
    assert await read_campaign(client, 123) == campaign(123, name="Durable", attempts=9)


async def test_reseed_on_start_throws_changes_away(serve, tmp_path):
    db = str(tmp_path / "switch.sqlite3")
    client = await serve(db=db)
    assert await call(client, UPDATE, id=123, name="Gone") == (200, OK_204)
    await client.close()

    client = await serve(db=db, reseed=True)
    assert await every_campaign(client) == SEEDED


async def test_reset_restores_the_seed(client):
    assert await call(client, UPDATE, id=123, name="Changed", enabled=1) == (200, OK_204)
    assert await call(client, UPDATE, user="globex", id=201, maximum=1) == (200, OK_204)
    assert await call(client, UPDATE, user="owner", id=300, callerid="+1") == (200, OK_204)

    response = await client.post("/_mock/reset")
    assert response.status == 200
    body = await response.json()
    assert (body["status"], body["tenant"]) == ("reset", "default")
    assert await every_campaign(client) == SEEDED

    # The switch keeps working after the reset, and can be reset again.
    assert await call(client, UPDATE, id=123, name="Again") == (200, OK_204)
    assert await read_campaign(client, 123) == campaign(123, name="Again")
    assert (await client.post("/_mock/reset")).status == 200
    assert await every_campaign(client) == SEEDED


async def test_reset_on_a_file_database_lasts_across_a_restart(serve, tmp_path):
    db = str(tmp_path / "switch.sqlite3")
    client = await serve(db=db)
    assert await call(client, UPDATE, id=124, name="Changed") == (200, OK_204)
    assert (await client.post("/_mock/reset")).status == 200
    await client.close()

    client = await serve(db=db)
    assert await every_campaign(client) == SEEDED


async def test_each_memory_database_is_its_own(serve):
    first = await serve(db=":memory:")
    second = await serve(db=":memory:")
    assert await call(first, UPDATE, id=123, name="Only here") == (200, OK_204)
    assert await read_campaign(first, 123) == campaign(123, name="Only here")
    assert await every_campaign(second) == SEEDED


async def test_a_memory_database_starts_from_the_seed_every_time(serve):
    client = await serve(db=":memory:")
    assert await call(client, UPDATE, id=123, name="Forgotten") == (200, OK_204)
    await client.close()
    client = await serve(db=":memory:")
    assert await every_campaign(client) == SEEDED


async def test_fixtures_changed_since_seeding_are_seeded_again_on_start(serve, tmp_path):
    folder = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    db = str(tmp_path / "switch.sqlite3")

    client = await serve(db=db, fixtures=str(folder))
    assert await call(client, UPDATE, id=123, name="Made by hand") == (200, OK_204)
    await client.close()

    path = folder / "campaigns.json"
    campaigns = json.loads(path.read_text())
    next(c for c in campaigns if c["id"] == 125)["name"] = "Edited on disk"
    path.write_text(json.dumps(campaigns))

    client = await serve(db=db, fixtures=str(folder))
    # The new seed shows, and the change made through the API went with the old one.
    assert await read_campaign(client, 125) == campaign(125, name="Edited on disk")
    assert await read_campaign(client, 123) == CAMPAIGNS[123]


def _as_schema_2(path: str) -> None:
    """Make a file look as schema 2 left it: no `warnings` column in the journal."""
    import sqlite3

    with sqlite3.connect(path) as connection:
        connection.execute("ALTER TABLE calls DROP COLUMN warnings")
        connection.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    connection.close()


async def test_a_file_of_schema_2_is_brought_up_to_date_and_keeps_its_journal(serve, tmp_path):
    db = str(tmp_path / "switch.sqlite3")
    client = await serve(db=db)
    assert await call(client, UPDATE, id=123, name="Kept") == (200, OK_204)
    await client.close()
    _as_schema_2(db)

    client = await serve(db=db)
    assert await read_campaign(client, 123) == campaign(123, name="Kept")
    calls = (await (await client.get(f"/_mock/calls?function={UPDATE}")).json())["calls"]
    assert [(c["function"], c["params"]["name"], c["warnings"]) for c in calls] == [
        (UPDATE, "Kept", [])
    ]
    health = await (await client.get("/_mock/health")).json()
    assert health["status"] == "ok"
    await client.close()

    import sqlite3

    with sqlite3.connect(db) as connection:
        [(version,)] = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'")
    connection.close()
    assert version == "3"


def test_a_file_of_an_unknown_schema_is_refused_in_one_line(tmp_path, capsys):
    import sqlite3

    from mockswitch.cli import main

    db = tmp_path / "future.sqlite3"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        connection.execute("INSERT INTO meta VALUES ('schema_version', '99')")
    connection.close()
    assert main(["seed", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"mockswitch: --db {db}: the database was made by another version of mockswitch "
        "(schema 99, this one needs 3): delete it, or give another --db\n"
    )
