"""Loading fixtures: the default set loads; a broken folder says what is wrong and loads nothing."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from mockswitch.cli import main
from mockswitch.config import DEFAULT_FIXTURES as FIXTURES
from mockswitch.config import Settings
from mockswitch.dataset import load_dataset
from mockswitch.errors import FixtureError
from mockswitch.web import create_app
from tests.cast import CAMPAIGNS, campaign
from tests.helpers import OK_204, call, read_campaign


def copy_fixtures(tmp_path: Path, name: str = "fixtures") -> Path:
    folder = tmp_path / name
    shutil.copytree(FIXTURES, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return folder


def edit(folder: Path, file_name: str, change: Callable[[Any], None]) -> None:
    """Read a fixture file's JSON, let `change` edit it in place, and write it back."""
    path = folder / file_name
    records = json.loads(path.read_text(encoding="utf-8"))
    change(records)
    path.write_text(json.dumps(records, indent=1), encoding="utf-8")


def record(records: list[dict], **match: Any) -> dict:
    return next(r for r in records if all(r.get(k) == v for k, v in match.items()))


def refusal(folder: Path) -> str:
    """Why the data set in `folder` cannot be loaded (it must not load)."""
    with pytest.raises(FixtureError) as raised:
        load_dataset(folder)
    return str(raised.value)


# -- the default data set --------------------------------------------------------------------


def test_the_shipped_default_is_the_fixtures_folder_and_loads():
    assert Settings().fixtures_path().resolve() == FIXTURES
    dataset = load_dataset(FIXTURES)
    assert {table: dataset.count(table) for table in dataset.rows} == {
        "rateplans": 2,
        "roles": 5,
        "customers": 5,
        "people": 7,
        "phones": 4,
        "queues": 2,
        "timegroups": 2,
        "recordgroups": 2,
        "dtypes": 6,
        "campaigns": 6,
        "destinations": 18,
    }
    people = {p["username"]: (p["id"], p["customer"]) for p in dataset.rows["people"]}
    assert people == {
        "owner": (1, 1),
        "reseller": (20, 2),
        "user": (100, 10),
        "admin": (101, 10),
        "viewer": (102, 10),
        "globex": (200, 20),
        "initech": (300, 30),
    }
    assert {d["name"] for d in dataset.rows["dtypes"]} == {
        "",
        "phone",
        "forward",
        "peer",
        "sipuri",
        "queue",
    }
    assert {c["id"]: c for c in dataset.rows["campaigns"]} == CAMPAIGNS


def test_loading_is_deterministic():
    assert load_dataset(FIXTURES).fingerprint == load_dataset(FIXTURES).fingerprint


def test_a_yaml_file_works_as_well_as_json(tmp_path):
    folder = copy_fixtures(tmp_path)
    queues = json.loads((folder / "queues.json").read_text())
    (folder / "queues.json").unlink()
    lines = [
        f"- {{id: {q['id']}, customer: {q['customer']}, name: {q['name']!r}, "
        f"agents: {q['agents']}}}"
        for q in queues
    ]
    (folder / "queues.yaml").write_text("\n".join(lines) + "\n")
    assert load_dataset(folder).rows == load_dataset(FIXTURES).rows


# -- broken folders: the message names the file, the record and the field --------------------

BROKEN = [
    (
        "broken reference",
        "campaigns.json",
        lambda c: record(c, id=123).update(timegroup=99),
        "campaigns.json: record with id 123, field 'timegroup': no timegroups record has key 99",
    ),
    (
        "reference to another customer's record",
        "campaigns.json",
        lambda c: record(c, id=123).update(recordgroup=8),
        "campaigns.json: record with id 123, field 'recordgroup': recordgroups 8 belongs to "
        "customer 20, not 10",
    ),
    (
        "duplicate id",
        "phones.json",
        lambda p: p.append({"id": 1002, "customer": 20, "name": "Copy"}),
        "phones.json, record 5 (id 1002): duplicate id 1002, first in phones.json, record 2 "
        "(id 1002)",
    ),
    (
        "duplicate username",
        "people.json",
        lambda p: p.append({**record(p, id=100), "id": 900}),
        "people.json, record 8 (id 900), field 'username': 'user' is already used by "
        "people.json, record 3 (id 100)",
    ),
    (
        "unknown field",
        "people.json",
        lambda p: record(p, id=101).update(email="adam@example.com"),
        "people.json, record 4 (id 101), field 'email': unknown field",
    ),
    (
        "unknown field in a nested destination",
        "campaigns.json",
        lambda c: record(c, id=124)["destinations"][2].update(colour="red"),
        "campaigns.json, record 2 (id 124), destinations, record 3, field 'colour': unknown field",
    ),
    (
        "missing required field",
        "queues.json",
        lambda q: record(q, id=600).pop("customer"),
        "queues.json, record 2 (id 600), field 'customer': required",
    ),
    (
        "wrong type",
        "campaigns.json",
        lambda c: record(c, id=125).update(attempts="3"),
        "campaigns.json, record 3 (id 125), field 'attempts': must be an integer, not '3'",
    ),
    (
        "a boolean is not an integer",
        "campaigns.json",
        lambda c: record(c, id=300).update(enabled=True),
        "campaigns.json, record 6 (id 300), field 'enabled': must be an integer, not True",
    ),
    (
        "a value outside its choices",
        "campaigns.json",
        lambda c: record(c, id=123).update(machine="hangup"),
        "campaigns.json, record 1 (id 123), field 'machine': must be one of '', 'failed', "
        "'retry', 'success', not 'hangup'",
    ),
    (
        "a dnumber that does not fit its dtype",
        "campaigns.json",
        lambda c: record(c, id=123).update(dnumber="2001"),
        "campaigns.json: record with id 123, field 'dnumber': '2001' no such phone (dtype 'phone')",
    ),
    (
        "a customer tree with a loop",
        "customers.json",
        lambda c: record(c, id=1).update(parent=10),
        "customers.json: record with id 10, field 'parent': the parents form a loop through "
        "customer 10",
    ),
    (
        "a record that is not an object",
        "timegroups.json",
        lambda t: t.append(7),
        "timegroups.json, record 3: must be an object",
    ),
]


@pytest.mark.parametrize(
    ("label", "file_name", "change", "expected"),
    BROKEN,
    ids=[b[0] for b in BROKEN],
)
def test_a_broken_folder_names_the_file_record_and_field(
    tmp_path, label, file_name, change, expected
):
    folder = copy_fixtures(tmp_path)
    edit(folder, file_name, change)
    message = refusal(folder)
    assert message.startswith(f"the fixtures in {folder} cannot be loaded:\n  "), message
    assert f"\n  {expected}" in message, message


def test_a_file_that_is_not_a_list(tmp_path):
    folder = copy_fixtures(tmp_path)
    (folder / "recordgroups.json").write_text('{"id": 7, "customer": 10}')
    refused = refusal(folder)
    assert "\n  recordgroups.json: must hold a list of records" in refused


def test_every_problem_is_reported_at_once(tmp_path):
    folder = copy_fixtures(tmp_path)
    edit(folder, "phones.json", lambda p: record(p, id=1001).update(colour="blue"))
    edit(folder, "campaigns.json", lambda c: record(c, id=200).update(retry="soon"))
    assert refusal(folder) == (
        f"the fixtures in {folder} cannot be loaded:\n"
        "  phones.json, record 1 (id 1001), field 'colour': unknown field\n"
        "  campaigns.json, record 4 (id 200), field 'retry': must be an integer, not 'soon'"
    )


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        pytest.param(
            "queues.json",
            '[\n  {"id": 500, "customer": 10,}\n]\n',
            "queues.json: not valid JSON (line 2, column 30): "
            "Expecting property name enclosed in double quotes",
            id="invalid JSON names the file and the place",
        ),
        pytest.param(
            "widgets.json",
            "[]",
            "widgets.json: not a fixture file this version knows (rateplans, roles, customers, "
            "people, phones, queues, timegroups, recordgroups, dtypes, campaigns)",
            id="an unknown file name is refused",
        ),
        pytest.param(
            "queues.yaml",
            "[]\n",
            "queues.yaml: queues.json holds the same table",
            id="two files for one table are refused",
        ),
    ],
)
def test_a_bad_file_is_refused_by_name(tmp_path, name, text, message):
    folder = copy_fixtures(tmp_path)
    (folder / name).write_text(text)
    assert refusal(folder) == message


def test_invalid_yaml_names_the_file(tmp_path):
    folder = copy_fixtures(tmp_path)
    (folder / "queues.json").unlink()
    (folder / "queues.yaml").write_text("- {id: 500, customer: [10\n")
    assert refusal(folder).startswith("queues.yaml: not valid YAML: ")


def test_a_missing_folder_is_refused(tmp_path):
    assert (
        refusal(tmp_path / "nowhere")
        == f"{tmp_path / 'nowhere'}: the fixtures folder does not exist"
    )


# -- nothing is loaded -----------------------------------------------------------------------


async def test_a_server_on_broken_fixtures_does_not_start(tmp_path):
    folder = copy_fixtures(tmp_path)
    edit(folder, "campaigns.json", lambda c: record(c, id=123).update(owner=200))
    db = tmp_path / "switch.sqlite3"
    runner = web.AppRunner(create_app(Settings(db=str(db), fixtures=str(folder), quiet=True)))
    try:
        with pytest.raises(FixtureError) as raised:
            await runner.setup()  # the data set loads before anything listens
    finally:
        await runner.cleanup()
    assert str(raised.value) == (
        f"the fixtures in {folder} cannot be loaded:\n"
        "  campaigns.json: record with id 123, field 'owner': people 200 belongs to customer "
        "20, not 10"
    )
    assert not db.exists()  # checked before the database was even opened


def test_seeding_broken_fixtures_exits_2_and_leaves_the_database_untouched(tmp_path, capsys):
    good = copy_fixtures(tmp_path, "good")
    broken = copy_fixtures(tmp_path, "broken")
    edit(broken, "timegroups.json", lambda t: t.append({"id": 5, "customer": 20}))
    # The broken folder also renames a campaign: if anything of it were loaded, it would show.
    edit(broken, "campaigns.json", lambda c: record(c, id=123).update(name="From broken"))
    db = str(tmp_path / "switch.sqlite3")

    assert main(["seed", "--db", db, "--fixtures", str(good)]) == 0
    capsys.readouterr()
    before = {path.name: path.read_bytes() for path in tmp_path.glob("switch.sqlite3*")}
    assert main(["seed", "--db", db, "--fixtures", str(broken)]) == 2
    assert capsys.readouterr().err == (
        f"mockswitch: the fixtures in {broken} cannot be loaded:\n"
        "  timegroups.json, record 3 (id 5): duplicate id 5, first in timegroups.json, "
        "record 1 (id 5)\n"
    )
    assert {path.name: path.read_bytes() for path in tmp_path.glob("switch.sqlite3*")} == before


async def test_a_failed_seed_keeps_the_served_data(serve, tmp_path, capsys):
    good = copy_fixtures(tmp_path, "good")
    broken = copy_fixtures(tmp_path, "broken")
    edit(broken, "people.json", lambda p: record(p, id=100).update(role=9))
    db = str(tmp_path / "switch.sqlite3")

    client = await serve(db=db, fixtures=str(good))
    assert await call(client, "bulk/campaigns/update", id=123, name="Kept") == (200, OK_204)
    await client.close()

    # `main` runs its own event loop: run it in a thread, away from the test's loop.
    status = await asyncio.to_thread(main, ["seed", "--db", db, "--fixtures", str(broken)])
    assert status == 2
    assert "people.json: record with id 100, field 'role': no roles record has key 9" in (
        capsys.readouterr().err
    )

    client = await serve(db=db, fixtures=str(good))
    assert await read_campaign(client, 123) == campaign(123, name="Kept")
