"""The simulator's control API: bad input is a 400 naming the field with nothing changed,
moves a clock cannot make are 409s, and a real clock runs by itself."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.helpers import call
from tests.simulation import MONDAY_9, at, control, dials

CLOCK = {"now": MONDAY_9, "mode": "virtual", "speed": 1.0}
RULES = {"rules": [{"dnumber": "44200*", "outcome": "busy"}], "seed": 7}


@pytest.fixture
async def client(serve):
    client = await serve(clock_start=MONDAY_9)
    await control(client, "PUT", "/_mock/outcomes", RULES)
    return client


async def _unchanged(client) -> None:
    assert await control(client, "GET", "/_mock/clock") == CLOCK
    assert await control(client, "GET", "/_mock/outcomes") == RULES
    assert await dials(client) == []


ISO = "such as 2026-12-07T10:00:00Z"
SPEED = "must be more than 0 and at most 3600, not "


async def _refused(client, method, path, body, field, message, status=400):
    """The whole error, the same in the default tenant and in another, and nothing changed."""
    for prefix in ("", "/t/other"):
        found = await control(client, method, prefix + path, body, status=status)
        assert found == {"error": {"status": status, "message": message, "field": field}}
    await _unchanged(client)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"now": "next tuesday"}, "now", f"'next tuesday' is not an ISO 8601 time {ISO}"),
        (
            {"mode": "virtual", "now": "2026-12-07 25:00"},
            "now",
            f"'2026-12-07 25:00' is not an ISO 8601 time {ISO}",
        ),
        ({"now": 1765098000}, "now", f"must be an ISO 8601 time {ISO}, not 1765098000"),
        ({"mode": "real", "speed": 0}, "speed", f"{SPEED}0"),
        ({"mode": "real", "speed": -1}, "speed", f"{SPEED}-1"),
        ({"mode": "real", "speed": 3600.5}, "speed", f"{SPEED}3600.5"),
        ({"mode": "real", "speed": "fast"}, "speed", "must be a number, not 'fast'"),
        ({"mode": "sundial"}, "mode", "must be one of virtual, real, not 'sundial'"),
        (
            {"mode": "virtual", "when": MONDAY_9},
            "when",
            "unknown field (the fields are mode, now, speed)",
        ),
        (
            [],
            "body",
            'the body must be a JSON object such as {"mode": "virtual", "now": '
            '"2026-12-07T10:00:00Z"}',
        ),
        # every field is checked before any changes: a good mode with a bad speed moves nothing
        ({"mode": "real", "now": "2026-12-08T00:00:00Z", "speed": 0}, "speed", f"{SPEED}0"),
    ],
)
async def test_a_bad_clock_setting_is_a_400_naming_it(client, body, field, message):
    await _refused(client, "PUT", "/_mock/clock", body, field, message)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"seconds": -1}, "must be from 0 to 604800 (a week), not -1"),
        ({"seconds": "30"}, "must be a number of seconds, not '30'"),
        ({"seconds": None}, "must be a number of seconds, not None"),
        ({"seconds": True}, "must be a number of seconds, not True"),
        ({"seconds": 7 * 24 * 3600 + 1}, "must be from 0 to 604800 (a week), not 604801"),
        ({}, "must be a number of seconds, not None"),
    ],
)
async def test_a_bad_advance_is_a_400_naming_seconds(client, body, message):
    await _refused(client, "POST", "/_mock/clock/advance", body, "seconds", message)


async def test_a_body_that_is_not_json_is_a_400(client):
    response = await client.post("/_mock/clock/advance", data=b"{seconds: 30")
    assert (response.status, await response.json()) == (
        400,
        {
            "error": {
                "status": 400,
                "message": "the body is not valid JSON: Expecting property name enclosed in "
                "double quotes: line 1 column 2 (char 1)",
                "field": "body",
            }
        },
    )
    await _unchanged(client)


@pytest.mark.parametrize(
    ("rules", "field", "message"),
    [
        (
            [{"dnumber": "1*", "outcome": "hangup"}],
            "rules[0].outcome",
            "must be one of answer, key, machine, busy, noanswer, failed, not 'hangup'",
        ),
        (
            [{"dnumber": "*", "weights": {"answer": 0, "busy": 0}}],
            "rules[0].weights",
            "must sum to a finite positive number, not 0.0",
        ),
        # Numbers too big to hold: an integer beyond a float (it was a 500, OverflowError),
        # and two finite weights whose sum is not (every draw gave the last outcome).
        (
            [{"dnumber": "*", "weights": {"answer": 10**400}}],
            "rules[0].weights.answer",
            "must be a finite number (this one is too large)",
        ),
        (
            [{"dnumber": "*", "weights": {"answer": 1e308, "busy": 1e308}}],
            "rules[0].weights",
            "must sum to a finite positive number, not inf",
        ),
        (
            [{"dnumber": "*", "weights": {"answer": -1}}],
            "rules[0].weights.answer",
            "must be a number of 0 or more, not -1",
        ),
        (
            [{"dnumber": "*", "outcome": "busy"}, {"dnumber": "4*4", "outcome": "busy"}],
            "rules[1].dnumber",
            "must be a number (digits, an optional leading +), optionally ending in * to match "
            "every number it starts, or * alone; not '4*4'",
        ),
    ],
)
async def test_a_bad_outcome_rule_is_a_400_naming_it(client, rules, field, message):
    await _refused(client, "PUT", "/_mock/outcomes", {"rules": rules, "seed": 1}, field, message)


async def test_a_clock_never_moves_backwards(client):
    found = await control(
        client, "PUT", "/_mock/clock", {"now": "2026-12-07T08:59:59Z"}, status=409
    )
    assert found == {
        "error": {"status": 409, "message": "the clock never moves backwards", "field": "now"}
    }
    await _unchanged(client)


async def test_moving_the_clock_forward_runs_what_is_due_on_the_way(client):
    moved = await control(
        client, "PUT", "/_mock/clock", {"mode": "virtual", "now": "2026-12-07T10:00:00Z"}
    )
    assert moved == {"now": "2026-12-07T10:00:00Z", "mode": "virtual", "speed": 1.0}
    found = await dials(client)
    assert found  # campaigns 124 and 200 ran
    assert all(at(MONDAY_9) <= at(d["started"]) < at("2026-12-07T10:00:00Z") for d in found)


async def test_a_real_clock_runs_by_itself_and_cannot_be_advanced(client):
    moved = await control(client, "PUT", "/_mock/clock", {"mode": "real", "speed": 60})
    assert (moved["mode"], moved["speed"]) == ("real", 60.0)
    refused = await control(client, "POST", "/_mock/clock/advance", {"seconds": 30}, status=409)
    assert refused["error"]["field"] == "mode"
    for _ in range(200):  # the dialler catches up with the clock a tick at a time
        if await dials(client):
            break
        await asyncio.sleep(0.05)
    assert await dials(client)
    first = await control(client, "GET", "/_mock/clock")
    await asyncio.sleep(0.2)
    later = await control(client, "GET", "/_mock/clock")
    assert at(later["now"]) > at(first["now"]) >= at(MONDAY_9)
    frozen = await control(client, "PUT", "/_mock/clock", {"mode": "virtual"})
    await asyncio.sleep(0.1)
    assert await control(client, "GET", "/_mock/clock") == frozen


async def test_real_mode_from_the_start(serve):
    client = await serve(clock_start=MONDAY_9, clock="real", clock_speed=600)
    for _ in range(200):
        if await dials(client):
            break
        await asyncio.sleep(0.05)
    assert await dials(client)  # the demo runs with no call at all
    clock = await control(client, "GET", "/_mock/clock")
    assert (clock["mode"], clock["speed"]) == ("real", 600.0)


LAST = "9998-12-31T23:59:59.999Z"  # the last instant a clock can show
STOPPED = {
    "now": LAST,
    "stopped": True,
    "warnings": [
        "the clock reached the last instant it can show, 9998-12-31T23:59:59.999Z, and stays "
        "there; a reset starts it again"
    ],
}


async def test_a_real_clock_near_the_end_of_its_range_stops_there_and_nothing_fails(serve, caplog):
    """A real clock at 3600x started near the end went on to 9999-03-30, where the year 10000
    was a few hours of wall time away and could not have been written."""
    client = await serve(clock="real", clock_speed=3600, clock_start="9998-12-31T23:55:00Z")
    for _ in range(600):  # 5 minutes of clock time: a twelfth of a second of wall time
        clock = await control(client, "GET", "/_mock/clock")
        if clock.get("stopped"):
            break
        await asyncio.sleep(0.05)
    assert clock == {**STOPPED, "mode": "real", "speed": 3600.0}
    # Campaigns 124 and 200 dialled on the way; attempts started at the end run into 9999.
    found = await dials(client)
    assert found
    assert all(at(d["started"]) <= at(LAST) for d in found)
    assert max(at(d["started"]) for d in found) > at("9998-12-31T23:55:00Z")
    # It stays there: calls, the dials and the clock keep answering, the dialler runs on.
    status, _ = await call(client, "bulk/campaigns/get", id=123)
    assert status == 200
    assert await control(client, "GET", "/_mock/clock") == clock
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a_clock_set_to_the_last_instant_says_it_has_stopped(client):
    moved = await control(client, "PUT", "/_mock/clock", {"now": LAST})
    assert moved == {**STOPPED, "mode": "virtual", "speed": 1.0}
    refused = await control(client, "POST", "/_mock/clock/advance", {"seconds": 1}, status=409)
    assert refused == {
        "error": {
            "status": 409,
            "message": "the clock cannot pass the year 9998",
            "field": "seconds",
        }
    }
    real = await control(client, "PUT", "/_mock/clock", {"mode": "real", "speed": 3600})
    assert real == {**STOPPED, "mode": "real", "speed": 3600.0}


async def test_dials_refuse_bad_filters(client):
    for query, field in (
        ({"campaign": "x"}, "campaign"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"offset": "a"}, "offset"),
        ({"campain": "1"}, "campain"),
    ):
        found = await control(client, "GET", "/_mock/dials", status=400, **query)
        assert found["error"]["field"] == field


async def test_the_clock_stops_short_of_the_year_9999(client):
    await control(client, "PUT", "/_mock/clock", {"now": "9998-12-30T00:00:00Z"})
    refused = await control(client, "POST", "/_mock/clock/advance", {"seconds": 604800}, status=409)
    assert refused["error"]["field"] == "seconds"
    found = await control(
        client, "PUT", "/_mock/clock", {"now": "9999-01-01T00:00:00Z"}, status=400
    )
    assert found["error"]["field"] == "now"
    assert (await control(client, "GET", "/_mock/clock"))["now"] == "9998-12-30T00:00:00Z"
