"""The simulator's settings and fixture fields: checked at start, with a clear message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockswitch.cli import main
from mockswitch.config import Settings
from mockswitch.dataset.fixtures import load_dataset
from mockswitch.dataset.generator import generate
from mockswitch.errors import FixtureError
from tests.test_fixtures import copy_fixtures


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--clock", "sundial"], "--clock: 'sundial' is not one of virtual, real"),
        (["--clock-speed", "0"], "--clock-speed: 0 is not a speed: more than 0 and at most 3600"),
        (["--clock-speed", "3601"], "--clock-speed: 3601 is not a speed"),
        (["--clock-speed", "fast"], "--clock-speed: 'fast' is not a number"),
        (["--clock-start", "monday"], "--clock-start: 'monday' is not an ISO 8601 time"),
        (["--dials-max", "-1"], "--dials-max: -1 is less than 0"),
    ],
)
def test_a_bad_clock_setting_stops_the_start_with_one_line(capsys, flags, message):
    assert main(["serve", "--db", ":memory:", *flags]) == 2
    error = capsys.readouterr().err
    assert message in error
    assert error.count("\n") == 1


def test_clock_settings_come_from_the_environment_too():
    from mockswitch.config import load_settings

    settings = load_settings(
        {},
        {
            "MOCKSWITCH_CLOCK": "real",
            "MOCKSWITCH_CLOCK_SPEED": "30",
            "MOCKSWITCH_CLOCK_START": "2026-12-07T09:00:00Z",
        },
    )
    assert (settings.clock, settings.clock_speed, settings.clock_start) == (
        "real",
        30.0,
        "2026-12-07T09:00:00Z",
    )
    assert (Settings().clock, Settings().clock_speed, Settings().dials_max) == (
        "virtual",
        1.0,
        100000,
    )


def test_bad_start_outcomes_stop_the_start(tmp_path, capsys):
    rules = tmp_path / "outcomes.yaml"
    rules.write_text("rules:\n  - {dnumber: '1*', outcome: hangup}\n")
    assert main(["serve", "--db", ":memory:", "--port", "0", "--outcomes", str(rules)]) == 2
    error = capsys.readouterr().err
    assert f"{rules}: rules[0].outcome: must be one of" in error


def _broken(tmp_path: Path, table: str, index: int, **fields) -> Path:
    folder = copy_fixtures(tmp_path)
    records = json.loads((folder / f"{table}.json").read_text())
    records[index].update(fields)
    (folder / f"{table}.json").write_text(json.dumps(records))
    return folder


@pytest.mark.parametrize(
    ("table", "fields", "message"),
    [
        (
            "timegroups",
            {"days": ["mon", "funday"]},
            "timegroups.json: record with id 5, field 'days': must be a list of mon, tue",
        ),
        (
            "timegroups",
            {"start": "9am"},
            "timegroups.json: record with id 5, field 'start': must be a time of day HH:MM",
        ),
        (
            "timegroups",
            {"end": "08:00"},
            "timegroups.json: record with id 5, field 'end': must be after start (09:00)",
        ),
        (
            "timegroups",
            {"timezone": "Mars/Olympus"},
            "timegroups.json: record with id 5, field 'timezone': 'Mars/Olympus' is not a known",
        ),
        ("queues", {"agents": -1}, "queues.json: record with id 500, field 'agents': must be 0"),
        ("queues", {"agents": "four"}, "field 'agents': must be an integer, not 'four'"),
    ],
)
def test_the_fixture_checker_refuses_bad_dialler_fields(tmp_path, table, fields, message):
    with pytest.raises(FixtureError) as raised:
        load_dataset(_broken(tmp_path, table, 0, **fields))
    assert message in str(raised.value)


def test_groups_and_queues_without_the_new_fields_are_always_open_with_one_agent(tmp_path):
    folder = copy_fixtures(tmp_path)
    (folder / "timegroups.json").write_text(
        '[{"id": 5, "customer": 10, "name": "Any"}, {"id": 6, "customer": 20, "name": "Any"}]'
    )
    (folder / "queues.json").write_text(
        '[{"id": 500, "customer": 10}, {"id": 600, "customer": 20}]'
    )
    rows = load_dataset(folder).rows
    assert rows["timegroups"][0] | {} == {
        "id": 5,
        "customer": 10,
        "name": "Any",
        "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "start": "00:00",
        "end": "24:00",
        "timezone": "UTC",
    }
    assert rows["queues"][0]["agents"] == 1


def test_the_generator_fills_the_dialler_fields():
    generated = generate(load_dataset(Settings().fixtures_path()), campaigns=200, seed=1)
    groups = generated.rows["timegroups"]
    assert len(groups) > 2
    assert all({"days", "start", "end", "timezone"} <= set(g) for g in groups)
    business = [g for g in groups if g["name"] == "Business hours"]
    assert all(
        (g["days"], g["start"], g["end"]) == (["mon", "tue", "wed", "thu", "fri"], "09:00", "17:00")
        for g in business
    )
    assert all(2 <= q["agents"] <= 6 for q in generated.rows["queues"] if q["id"] not in (500, 600))
