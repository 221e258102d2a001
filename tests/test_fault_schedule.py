"""When a rule fires: `times`, `after`, `every`, seeded `probability`; which rule wins; and
what a rule's `match` selects."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient

from tests.cast import PASSWORD
from tests.helpers import NO_SUCH_FUNCTION, OK_204, call, envelope

UPDATE = "bulk/campaigns/update"
INTERNAL_ERROR = envelope(("500", "", "Internal error"))
ENVELOPE = {"type": "envelope"}  # the default: 500 "Internal error"
ISSUE_TIMES_RULE = {
    "match": {"function": "bulk/campaigns/update", "params": {"id": "123"}},
    "action": {"type": "envelope", "code": "500", "message": "Internal error"},
    "times": 2,
}
ISSUE_PROBABILITY_RULE = {
    "match": {"username": "user"},
    "latency": {"fixed_ms": 250},
    "probability": 0.5,
    "seed": 7,
}


async def add_rule(client: TestClient, rule: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/_mock/faults", json=rule)
    assert response.status == 201, await response.text()
    return await response.json()


async def rule_counts(client: TestClient, rule_id: int) -> tuple[int, int, bool]:
    response = await client.get(f"/_mock/faults/{rule_id}")
    rule = await response.json()
    return rule["matched"], rule["fired"], rule["expired"]


async def journal(client: TestClient) -> list[dict[str, Any]]:
    response = await client.get("/_mock/calls", params={"limit": "1000"})
    return (await response.json())["calls"]


async def update(client: TestClient, campaign: int = 123, **params: Any) -> int:
    """Update a campaign; the envelope code it answered, as an int."""
    status, body = await call(client, UPDATE, id=campaign, name="renamed", **params)
    assert status == 200
    return int(body["responses"][0]["code"])


async def codes_of(client: TestClient, calls: int) -> list[int]:
    return [await update(client) for _ in range(calls)]


# -- times, after, every --------------------------------------------------------------------


async def test_the_issues_rule_fails_the_first_two_updates_of_123_then_expires(client):
    added = await add_rule(client, ISSUE_TIMES_RULE)
    assert added == {
        "id": 1,
        "name": "",
        "match": {"function": "bulk/campaigns/update", "params": {"id": "123"}},
        "action": {
            "type": "envelope",
            "processed": False,
            "code": "500",
            "key": "",
            "message": "Internal error",
        },
        "latency": None,
        "probability": 1.0,
        "times": 2,
        "after": 0,
        "every": 1,
        "seed": "0:1",
        "allow_unknown": False,
        "matched": 0,
        "fired": 0,
        "expired": False,
    }

    assert await call(client, UPDATE, id=123, name="first") == (200, INTERNAL_ERROR)
    assert await call(client, UPDATE, id=124, name="other") == (200, OK_204)  # not matched
    assert await call(client, UPDATE, id=123, name="second") == (200, INTERNAL_ERROR)
    assert await call(client, UPDATE, id=123, name="third") == (200, OK_204)
    assert await call(client, UPDATE, id=123, name="fourth") == (200, OK_204)

    response = await client.get("/_mock/faults/1")
    assert await response.json() == {**added, "matched": 4, "fired": 2, "expired": True}
    _, body = await call(client, "bulk/campaigns/get", id=123)
    assert body["data"]["name"] == "fourth"  # the failed updates changed nothing
    faults = [(c["params"]["name"], c["fault"]) for c in (await journal(client))[:5]]
    fired = {"rule": 1, "name": "", "action": "envelope", "processed": False}
    assert faults == [
        ("first", fired),
        ("other", None),
        ("second", fired),
        ("third", None),
        ("fourth", None),
    ]


async def test_after_lets_the_first_matches_through(client):
    await add_rule(client, {"action": {"type": "envelope"}, "after": 2})

    assert await codes_of(client, 5) == [204, 204, 500, 500, 500]
    assert await rule_counts(client, 1) == (5, 3, False)


async def test_every_fires_on_every_kth_match(client):
    await add_rule(client, {"action": {"type": "envelope"}, "every": 3})

    assert await codes_of(client, 7) == [204, 204, 500, 204, 204, 500, 204]
    assert await rule_counts(client, 1) == (7, 2, False)


async def test_after_every_and_times_combine(client):
    await add_rule(client, {"action": {"type": "envelope"}, "after": 1, "every": 2, "times": 2})

    # The first match is let through; of the rest every second fires, twice, then it expires.
    assert await codes_of(client, 8) == [204, 204, 500, 204, 500, 204, 204, 204]
    assert await rule_counts(client, 1) == (8, 2, True)


# -- probability ----------------------------------------------------------------------------


async def test_a_seeded_probability_gives_the_same_faults_after_a_reset(serve):
    rule = {"action": {"type": "envelope"}, "probability": 0.5, "seed": 11}
    client = await serve(faults=json.dumps([rule]))

    first = await codes_of(client, 16)
    response = await client.post("/_mock/reset")
    assert response.status == 200
    again = await codes_of(client, 16)

    assert first == again
    assert 3 <= first.count(500) <= 13, first  # a coin, not a constant
    assert await rule_counts(client, 1) == (16, first.count(500), False)


async def test_without_a_seed_a_rule_rolls_dice_seeded_by_faults_seed(serve):
    rule = {"action": {"type": "envelope"}, "probability": 0.5}
    one = await serve(faults=json.dumps([rule]), faults_seed=5)
    other = await serve(faults=json.dumps([rule]), faults_seed=5)
    different = await serve(faults=json.dumps([rule]), faults_seed=6)

    sequence = await codes_of(one, 16)
    await one.post("/_mock/reset")

    assert await codes_of(one, 16) == sequence
    assert await codes_of(other, 16) == sequence
    assert await codes_of(different, 16) != sequence


async def test_the_issues_probability_rule_delays_half_of_users_calls_reproducibly(client):
    added = await add_rule(client, ISSUE_PROBABILITY_RULE)
    assert (added["match"], added["latency"], added["probability"], added["seed"]) == (
        {"username": "user"},
        {"fixed_ms": 250.0},
        0.5,
        7,
    )

    for _ in range(3):
        await call(client, "bulk/campaigns/get", id=123)
    await call(client, "bulk/campaigns/get", user="admin", id=123)  # not matched: no dice
    for _ in range(3):
        await call(client, "bulk/campaigns/get", id=123)

    recorded = [(c["params"]["auth_username"], c["latency_ms"]) for c in await journal(client)]
    # Seed 7 rolls heads, heads, tails, heads, tails, heads: the same on every machine.
    assert recorded == [
        ("user", 250.0),
        ("user", 250.0),
        ("user", 0.0),
        ("admin", 0.0),
        ("user", 250.0),
        ("user", 0.0),
        ("user", 250.0),
    ]
    assert await rule_counts(client, 1) == (6, 4, False)


# -- precedence -----------------------------------------------------------------------------


async def test_the_first_rule_that_matches_and_fires_applies(client):
    await add_rule(client, {"match": {"function": "bulk/*"}, "action": {"type": "envelope"}})
    await add_rule(client, {"action": {"type": "envelope", "code": "404"}})

    assert await update(client) == 500
    assert await rule_counts(client, 1) == (1, 1, False)
    assert await rule_counts(client, 2) == (0, 0, False)  # never looked at


async def test_an_expired_rule_lets_the_next_one_apply(client):
    await add_rule(client, {"action": {"type": "envelope"}, "times": 1})
    await add_rule(client, {"action": {"type": "envelope", "code": "403"}, "times": 1})

    assert await codes_of(client, 3) == [500, 403, 204]
    assert [c["fault"] and c["fault"]["rule"] for c in await journal(client)] == [1, 2, None]


async def test_a_rule_whose_schedule_does_not_fire_lets_the_next_one_apply(client):
    await add_rule(client, {"action": {"type": "envelope"}, "after": 1})
    await add_rule(client, {"action": {"type": "envelope", "code": "402"}})

    assert await codes_of(client, 2) == [402, 500]


async def test_a_rule_that_does_not_match_lets_the_next_one_apply(client):
    await add_rule(client, {"match": {"params": {"id": "999"}}, "action": {"type": "envelope"}})
    await add_rule(client, {"action": {"type": "envelope", "code": "401"}})

    assert await codes_of(client, 1) == [401]
    assert await rule_counts(client, 1) == (0, 0, False)


# -- match ----------------------------------------------------------------------------------


async def test_a_function_glob_matches_the_functions_below_it(client):
    await add_rule(
        client, {"match": {"function": "bulk/campaigns/*"}, "action": {"type": "envelope"}}
    )

    assert await update(client) == 500
    assert await call(client, "bulk/campaigns/get", id=123) == (200, INTERNAL_ERROR)
    status, body = await call(client, "bulk/destinations/list", campaign=123)
    assert (status, body["responses"]) == (200, [{"code": "200", "key": "", "message": "OK"}])
    assert await call(client, "no/such") == (200, NO_SUCH_FUNCTION)


async def test_an_exact_function_matches_only_itself(client):
    await add_rule(client, {"match": {"function": "bulk/campaigns/get"}, "action": ENVELOPE})

    assert await update(client) == 204
    assert await call(client, "bulk/campaigns/get", id=123) == (200, INTERNAL_ERROR)


async def test_a_method_matches_only_calls_sent_that_way(client):
    rule = await add_rule(client, {"match": {"method": "post"}, "action": ENVELOPE})
    assert rule["match"] == {"method": "POST"}

    assert await update(client) == 204  # `call` uses GET by default
    status, body = await call(client, UPDATE, method="POST", id=123, name="x")
    assert (status, body) == (200, INTERNAL_ERROR)


async def test_params_match_by_value_as_text_and_all_must_hold(client):
    await add_rule(client, {"match": {"params": {"id": 123, "maximum": "4"}}, "action": ENVELOPE})

    assert await update(client, 123) == 204  # no maximum
    assert await update(client, 123, maximum=4) == 500
    assert await update(client, 124, maximum=4) == 204


async def test_a_username_matches_the_auth_username_sent(client):
    await add_rule(client, {"match": {"username": "admin"}, "action": ENVELOPE})

    assert await update(client) == 204  # as user
    assert await call(client, "bulk/campaigns/get", user="admin", id=123) == (
        200,
        INTERNAL_ERROR,
    )
    assert await call(client, "bulk/campaigns/get", user=None, id=123) == (
        200,
        envelope(("401", "", "The authentication details provided are invalid.")),
    )


async def test_an_empty_match_matches_every_call_even_unknown_functions(client):
    await add_rule(client, {"match": {}, "action": ENVELOPE})
    await add_rule(client, {"action": {"type": "envelope", "code": "404"}})

    assert await call(client, "no/such/function") == (200, INTERNAL_ERROR)
    assert await call(client, "bulk/campaigns/get", user=None) == (200, INTERNAL_ERROR)
    assert await call(client, UPDATE, method="POST", id=1, name="x") == (200, INTERNAL_ERROR)
    assert await rule_counts(client, 1) == (3, 3, False)


async def test_a_fault_on_another_tenant_leaves_the_default_tenant_alone(client):
    response = await client.post("/t/other/_mock/faults", json={"action": ENVELOPE})
    assert response.status == 201

    assert await update(client) == 204
    status, body = await call(client, "bulk/campaigns/get", id=123)
    assert status == 200
    assert body["responses"] == envelope(("200", "", "OK"))["responses"]
    response = await client.get(
        "/t/other/api/json/bulk/campaigns/get/",
        params={"auth_username": "user", "auth_password": PASSWORD, "id": "123"},
    )
    assert await response.json() == INTERNAL_ERROR
