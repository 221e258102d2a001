"""The bulk dialler, on a virtual clock, through real HTTP: every rule of docs/simulator.md."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers import OK_204, call, counted, read_destinations
from tests.simulation import (
    MONDAY_9,
    advance,
    at,
    control,
    dials,
    only_these,
    peak_in_progress,
    set_outcomes,
    update_campaign,
)

NUMBERS = [f"21255510{n:02d}" for n in range(12)]
# Campaign 123 (Acme, user "user"), made to run at once: no time group, enabled.
RUN_NOW = {"enabled": 1, "timegroup": 0}


@pytest.fixture
async def client(serve):
    return await serve(clock_start=MONDAY_9)


async def test_a_fresh_server_has_a_frozen_virtual_clock_and_dials_nobody(serve):
    client = await serve(clock_start=MONDAY_9)
    assert await control(client, "GET", "/_mock/clock") == {
        "now": MONDAY_9,
        "mode": "virtual",
        "speed": 1.0,
    }
    # Campaigns 124 and 200 are enabled with pending destinations, but the clock stands.
    assert await dials(client) == []
    assert await control(client, "GET", "/_mock/clock") == {
        "now": MONDAY_9,
        "mode": "virtual",
        "speed": 1.0,
    }


async def test_advance_answers_with_the_clock_once_caught_up(client):
    moved = await advance(client, 90)
    assert moved == {"now": "2026-12-07T09:01:30Z", "mode": "virtual", "speed": 1.0}
    assert await control(client, "GET", "/_mock/clock") == moved
    assert await advance(client, 0.25) == {
        "now": "2026-12-07T09:01:30.250Z",
        "mode": "virtual",
        "speed": 1.0,
    }


async def test_maximum_2_never_has_more_than_two_attempts_in_progress(client):
    await set_outcomes(client, {"dnumber": "*", "weights": {"answer": 1, "noanswer": 1}})
    await only_these(client, 123, NUMBERS)
    await update_campaign(client, 123, maximum=2, attempts=1, **RUN_NOW)
    await advance(client, 15 * 60)
    found = await dials(client, campaign=123)
    assert sorted(d["dnumber"] for d in found) == NUMBERS  # each tried once
    assert peak_in_progress(found) == 2
    assert all(d["ended"] is not None and d["result"] in ("success", "failed") for d in found)
    results = {d["dnumber"]: d["result"] for d in found}
    assert await read_destinations(client, 123) == results
    # The dials are oldest first, numbered from 1, and the first two started at once.
    assert [d["id"] for d in await dials(client)] == list(range(1, len(await dials(client)) + 1))
    assert [d["started"] for d in found[:2]] == [MONDAY_9, MONDAY_9]


async def test_a_busy_number_is_tried_attempts_times_retry_seconds_apart_then_failed(client):
    await set_outcomes(client, {"dnumber": "2125551000", "outcome": "busy"})
    await only_these(client, 123, ["2125551000"])
    await update_campaign(client, 123, attempts=2, retry=60, **RUN_NOW)
    await advance(client, 3600)
    found = await dials(client, campaign=123)
    assert [(d["attempt"], d["outcome"], d["result"]) for d in found] == [
        (1, "busy", "retry"),
        (2, "busy", "failed"),
    ]
    first, second = found
    assert at(second["started"]) >= at(first["ended"]) + timedelta(seconds=60)
    assert at(second["started"]) == at(first["ended"]) + timedelta(seconds=60)  # due at once
    assert await read_destinations(client, 123) == {"2125551000": "failed"}


async def test_a_destination_is_pending_between_its_attempts(client):
    await set_outcomes(client, {"dnumber": "*", "outcome": "busy"})
    await only_these(client, 123, ["2125551000"])
    await update_campaign(client, 123, attempts=2, retry=600, **RUN_NOW)
    await advance(client, 60)
    assert [d["result"] for d in await dials(client, campaign=123)] == ["retry"]
    assert await read_destinations(client, 123) == {"2125551000": "pending"}


@pytest.mark.parametrize(
    ("machine", "success", "results", "status"),
    [
        ("failed", "answer", ["failed"], "failed"),
        ("success", "answer", ["success"], "success"),
        ("", "answer", ["success"], "success"),  # detection off: the machine answered
        ("", "key", ["retry", "retry", "failed"], "failed"),  # ... but pressed no key
        ("retry", "answer", ["retry", "retry", "failed"], "failed"),
    ],
)
async def test_a_machine_is_what_the_campaign_says(client, machine, success, results, status):
    await set_outcomes(client, {"dnumber": "*", "outcome": "machine"})
    await only_these(client, 123, ["2125551000"])
    await update_campaign(
        client, 123, attempts=3, retry=0, machine=machine, success=success, **RUN_NOW
    )
    await advance(client, 600)
    found = await dials(client, campaign=123)
    assert [(d["outcome"], d["result"]) for d in found] == [("machine", r) for r in results]
    assert all(d["answered"] is not None for d in found)
    assert await read_destinations(client, 123) == {"2125551000": status}


async def test_success_key_does_not_count_an_answer(client):
    await set_outcomes(
        client,
        {"dnumber": "2125551000", "outcome": "answer"},
        {"dnumber": "2125551001", "outcome": "key"},
    )
    await only_these(client, 123, ["2125551000", "2125551001"])
    await update_campaign(client, 123, success="key", attempts=1, **RUN_NOW)
    await advance(client, 120)
    found = await dials(client, campaign=123)
    assert sorted((d["dnumber"], d["outcome"], d["result"]) for d in found) == [
        ("2125551000", "answer", "failed"),
        ("2125551001", "key", "success"),
    ]
    assert await read_destinations(client, 123) == {"2125551000": "failed", "2125551001": "success"}


async def test_a_closed_time_group_dials_nobody_until_monday_at_nine(serve):
    client = await serve(clock_start="2026-12-12T10:00:00Z")  # a Saturday
    await only_these(client, 123, NUMBERS[:2])
    await update_campaign(client, 123, enabled=1, timegroup=5)  # Business hours
    await control(client, "PUT", "/_mock/clock", {"now": "2026-12-14T08:59:59Z"})
    assert await dials(client, campaign=123) == []
    await advance(client, 60)
    found = await dials(client, campaign=123)
    assert [d["started"] for d in found] == ["2026-12-14T09:00:00Z"] * 2


async def test_the_weekdays_group_is_closed_all_weekend(serve):
    client = await serve(clock_start="2026-12-12T00:00:00Z")
    await only_these(client, 200, ["3125550299"], user="globex")  # time group 6, Weekdays
    await advance(client, 2 * 24 * 3600)
    found = await dials(client, campaign=200)
    assert [d["started"] for d in found] == ["2026-12-14T00:00:00Z"]


async def test_a_disabled_campaign_dials_nobody(client):
    await only_these(client, 123, NUMBERS)
    await update_campaign(client, 123, enabled=0, timegroup=0)
    await advance(client, 3600)
    assert await dials(client, campaign=123) == []
    assert set((await read_destinations(client, 123)).values()) == {"pending"}


async def test_disabling_mid_run_lets_the_calls_in_progress_finish(client):
    await set_outcomes(client, {"dnumber": "*", "outcome": "answer"})
    await only_these(client, 123, NUMBERS)
    await update_campaign(client, 123, maximum=2, **RUN_NOW)
    await advance(client, 1)
    running = await dials(client, campaign=123)
    assert [(d["ended"], d["result"]) for d in running] == [(None, None), (None, None)]
    await update_campaign(client, 123, enabled=0)
    await advance(client, 3600)
    found = await dials(client, campaign=123)
    assert [d["id"] for d in found] == [d["id"] for d in running]  # no new attempt
    assert [d["result"] for d in found] == ["success", "success"]
    done = await read_destinations(client, 123)
    assert sorted(s for s in done.values()) == ["pending"] * 10 + ["success"] * 2
    await update_campaign(client, 123, enabled=1)  # and enabling again carries on, at once
    await advance(client, 0)
    assert len(await dials(client, campaign=123)) == 4


def _agent_rule_holds(found, agents, keep):
    """At each start, the attempts in progress were fewer than the agents not talking
    minus keep_agents_available."""
    for dial in found:
        start = at(dial["started"])
        running = [
            d
            for d in found
            if d is not dial
            and at(d["started"]) <= start
            and (d["ended"] is None or at(d["ended"]) > start)
            and (at(d["started"]), d["id"]) < (start, dial["id"])
        ]
        talking = [
            d
            for d in running
            if d["answered"] is not None
            and at(d["answered"]) <= start
            and d["outcome"] in ("answer", "key")
        ]
        assert len(running) < agents - len(talking) - keep, dial


@pytest.mark.parametrize(("keep", "peak"), [(2, 2), (-2, 6)])
async def test_the_queue_agent_rule_holds(client, keep, peak):
    # Campaign 124 calls queue 500, which has 4 agents; maximum 10.
    numbers = [f"21255520{n:02d}" for n in range(30)]
    await set_outcomes(client, {"dnumber": "*", "outcome": "noanswer"})
    await only_these(client, 124, numbers)
    await update_campaign(client, 124, keep_agents_available=keep, maximum=10, attempts=1)
    await advance(client, 600)
    found = await dials(client, campaign=124)
    assert len(found) == 30
    assert peak_in_progress(found) == peak  # below maximum; with -2, above the 4 agents
    _agent_rule_holds(found, agents=4, keep=keep)


async def test_talking_agents_hold_back_a_queue_campaign(client):
    numbers = [f"21255520{n:02d}" for n in range(30)]
    await set_outcomes(client, {"dnumber": "*", "weights": {"answer": 1, "noanswer": 1}})
    await only_these(client, 124, numbers)
    await update_campaign(client, 124, keep_agents_available=-1, maximum=10, attempts=1)
    await advance(client, 1800)
    found = await dials(client, campaign=124)
    assert len(found) == 30
    _agent_rule_holds(found, agents=4, keep=-1)
    assert peak_in_progress(found) <= 5


async def test_keep_agents_available_0_is_only_the_maximum(client):
    numbers = [f"21255520{n:02d}" for n in range(30)]
    await set_outcomes(client, {"dnumber": "*", "outcome": "noanswer"})
    await only_these(client, 124, numbers)
    await update_campaign(client, 124, keep_agents_available=0, maximum=10, attempts=1)
    await advance(client, 600)
    assert peak_in_progress(await dials(client, campaign=124)) == 10


async def test_tenants_have_independent_clocks_rules_and_dials(client):
    await control(client, "POST", "/t/other/_mock/clock/advance", {"seconds": 3600})
    assert (await control(client, "GET", "/t/other/_mock/clock"))["now"] == "2026-12-07T10:00:00Z"
    assert (await control(client, "GET", "/_mock/clock"))["now"] == MONDAY_9
    assert len(await dials(client, prefix="/t/other")) > 0  # campaigns 124 and 200 ran there
    assert await dials(client) == []
    await control(client, "PUT", "/t/other/_mock/outcomes", {"rules": [], "seed": 3})
    assert await control(client, "GET", "/_mock/outcomes") == {"rules": [], "seed": 0}
    await control(client, "GET", "/t/nobody/_mock/clock", status=404)
    await control(client, "GET", "/t/nobody/_mock/dials", status=404)


async def test_reset_restores_the_clock_the_rules_the_dials_and_the_statuses(client):
    before = await read_destinations(client, 124)
    await set_outcomes(client, {"dnumber": "*", "outcome": "key"}, seed=9)
    await advance(client, 3600)
    assert await dials(client) != []
    assert await read_destinations(client, 124) != before
    await control(client, "POST", "/_mock/reset")
    assert await control(client, "GET", "/_mock/clock") == {
        "now": MONDAY_9,
        "mode": "virtual",
        "speed": 1.0,
    }
    assert await control(client, "GET", "/_mock/outcomes") == {"rules": [], "seed": 0}
    assert await control(client, "GET", "/_mock/dials") == {"dials": [], "total": 0, "evicted": 0}
    assert await read_destinations(client, 124) == before
    await advance(client, 60)  # and it runs again from the start, numbered from 1
    assert (await dials(client))[0]["id"] == 1


async def test_reset_restores_the_rules_given_at_start(serve):
    start = {"rules": [{"dnumber": "*", "outcome": "busy"}], "seed": 4}
    client = await serve(
        clock_start=MONDAY_9, outcomes='{"rules": [{"dnumber": "*", "outcome": "busy"}], "seed": 4}'
    )
    assert await control(client, "GET", "/_mock/outcomes") == start
    await set_outcomes(client)
    await control(client, "POST", "/_mock/reset")
    assert await control(client, "GET", "/_mock/outcomes") == start
    await advance(client, 60)
    assert {d["outcome"] for d in await dials(client)} == {"busy"}


async def _run(client, tenant: str, seed: int) -> list[dict]:
    """The same calls and clock moves in a tenant of its own; its dials."""
    prefix = f"/t/{tenant}"
    weights = {"answer": 2, "busy": 1, "machine": 1, "noanswer": 1}
    rules = {"rules": [{"dnumber": "*", "weights": weights}], "seed": seed}
    await control(client, "PUT", f"{prefix}/_mock/outcomes", rules)
    numbers = ",".join(f"21255530{n:02d}" for n in range(20))
    created = await call(
        client, "bulk/destinations/create", tenant=tenant, campaign=123, dnumbers=numbers
    )
    assert created == (200, counted(20))
    updated = await call(
        client, "bulk/campaigns/update", tenant=tenant, id=123, enabled=1, timegroup=0
    )
    assert updated == (200, OK_204)
    for seconds in (10, 0.5, 600, 1200):
        await control(client, "POST", f"{prefix}/_mock/clock/advance", {"seconds": seconds})
    return await dials(client, prefix=prefix)


async def test_the_same_seed_gives_the_same_dials(client):
    one = await _run(client, "one", 7)
    two = await _run(client, "two", 7)
    three = await _run(client, "three", 8)
    assert len(one) > 20
    assert one == two
    assert one != three


async def test_deleting_a_destination_mid_attempt_ends_it_without_a_result(client):
    await set_outcomes(client, {"dnumber": "*", "outcome": "answer"})
    await only_these(client, 123, NUMBERS[:2])
    await update_campaign(client, 123, maximum=2, **RUN_NOW)
    await advance(client, 2)
    deleted = await call(client, "bulk/destinations/delete", campaign=123, dnumber=NUMBERS[0])
    assert deleted == (200, OK_204)
    found = {d["dnumber"]: d for d in await dials(client, campaign=123)}
    assert found[NUMBERS[0]]["ended"] == "2026-12-07T09:00:02Z"
    assert (found[NUMBERS[0]]["outcome"], found[NUMBERS[0]]["result"]) == (None, None)
    assert found[NUMBERS[1]]["ended"] is None
    await advance(client, 600)
    found = await dials(client, campaign=123)
    assert [(d["dnumber"], d["result"]) for d in found] == [
        (NUMBERS[0], None),
        (NUMBERS[1], "success"),
    ]
    assert await read_destinations(client, 123) == {NUMBERS[1]: "success"}


async def test_deleting_a_campaign_mid_attempt_ends_its_attempts(client):
    await set_outcomes(client, {"dnumber": "*", "outcome": "answer"})
    await only_these(client, 123, NUMBERS[:3])
    await update_campaign(client, 123, maximum=2, **RUN_NOW)
    await advance(client, 5)
    assert await call(client, "bulk/campaigns/delete", id=123) == (200, OK_204)
    await advance(client, 600)
    found = await dials(client, campaign=123)
    assert [(d["ended"], d["outcome"], d["result"]) for d in found] == [
        ("2026-12-07T09:00:05Z", None, None)
    ] * 2


async def test_a_destination_set_back_to_pending_starts_again_with_no_attempts(client):
    await set_outcomes(client, {"dnumber": "*", "outcome": "busy"})
    await only_these(client, 123, ["2125551000"])
    await update_campaign(client, 123, attempts=2, retry=0, **RUN_NOW)
    await advance(client, 60)
    assert [d["attempt"] for d in await dials(client, campaign=123)] == [1, 2]
    assert await read_destinations(client, 123) == {"2125551000": "failed"}
    updated = await call(
        client, "bulk/destinations/update", campaign=123, dnumbers="2125551000", status="pending"
    )
    assert updated == (200, counted(1))
    await advance(client, 60)
    assert [d["attempt"] for d in await dials(client, campaign=123)] == [1, 2, 1, 2]


async def test_success_failed_and_cancelled_destinations_are_never_dialled(client):
    await only_these(client, 123, NUMBERS[:3])
    for dnumber, status in zip(NUMBERS, ("success", "failed", "cancelled"), strict=False):
        await call(
            client, "bulk/destinations/update", campaign=123, dnumbers=dnumber, status=status
        )
    await update_campaign(client, 123, **RUN_NOW)
    await advance(client, 3600)
    assert await dials(client, campaign=123) == []


async def test_dials_filter_and_page(client):
    await set_outcomes(client, {"dnumber": "*", "outcome": "busy"})
    await only_these(client, 123, NUMBERS[:3])
    await update_campaign(client, 123, attempts=2, retry=0, maximum=1, **RUN_NOW)
    await advance(client, 600)
    every = await dials(client, campaign=123)
    assert len(every) == 6
    page = await control(client, "GET", "/_mock/dials", campaign=123, limit=2, offset=1)
    assert page == {"dials": every[1:3], "total": 6, "evicted": 0}
    template = await control(client, "GET", "/_mock/dials", campaign=123, limit="", offset="")
    assert template == {"dials": every, "total": 6, "evicted": 0}  # empty values: no filter
    one = await dials(client, dnumber=NUMBERS[1])
    assert one == [d for d in every if d["dnumber"] == NUMBERS[1]]
    assert len(one) == 2


async def test_dials_are_bounded_with_an_evicted_count(serve):
    client = await serve(clock_start=MONDAY_9, dials_max=3)
    await set_outcomes(client, {"dnumber": "*", "outcome": "busy"})
    await only_these(client, 123, NUMBERS[:5])
    await update_campaign(client, 123, attempts=1, maximum=5, **RUN_NOW)
    await advance(client, 600)
    page = await control(client, "GET", "/_mock/dials", campaign=123)
    assert page["evicted"] >= 2
    assert page["total"] == len(page["dials"]) <= 3


async def test_the_enswitch_answers_show_the_statuses_and_the_journal_has_no_dials(client):
    await set_outcomes(client, {"dnumber": "*", "outcome": "key"})
    await only_these(client, 123, NUMBERS[:2])
    await update_campaign(client, 123, **RUN_NOW)
    calls_before = (await control(client, "GET", "/_mock/calls/count"))["count"]
    await advance(client, 600)
    _, body = await call(client, "bulk/destinations/list", campaign=123)
    assert body == {
        "responses": [{"code": "200", "key": "", "message": "OK"}],
        "data": [
            {"campaign": 123, "dtype": "", "dnumber": NUMBERS[0], "status": "success"},
            {"campaign": 123, "dtype": "", "dnumber": NUMBERS[1], "status": "success"},
        ],
    }
    assert (await control(client, "GET", "/_mock/calls/count"))["count"] == calls_before + 1
