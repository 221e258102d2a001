"""The fault rules' control API: add (one or many, all or none), list, read, delete, and
the 400 that names the field of a bad rule."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.helpers import call, shown_rule

RESET_RULE = {"match": {"function": "bulk/campaigns/update"}, "action": {"type": "reset"}}
LATENCY_RULE = {"name": "slow reads", "latency": {"uniform_ms": [1, 2]}, "every": 2}
NO_RULES = {"rules": [], "default_latency": None}


RESET_SHOWN = shown_rule(
    1,
    match={"function": "bulk/campaigns/update"},
    action={"type": "reset", "processed": False},
)
LATENCY_SHOWN = shown_rule(2, name="slow reads", latency={"uniform_ms": [1.0, 2.0]}, every=2)


async def rules(client: TestClient) -> dict[str, Any]:
    response = await client.get("/_mock/faults")
    assert response.status == 200
    return await response.json()


async def test_a_posted_rule_is_answered_201_with_its_id_and_defaults(client):
    response = await client.post("/_mock/faults", json=RESET_RULE)

    assert response.status == 201
    assert await response.json() == RESET_SHOWN
    assert await rules(client) == {"rules": [RESET_SHOWN], "default_latency": None}


async def test_an_array_of_rules_is_added_in_order(client):
    response = await client.post("/_mock/faults", json=[RESET_RULE, LATENCY_RULE])

    assert response.status == 201
    assert await response.json() == [RESET_SHOWN, LATENCY_SHOWN]
    assert await rules(client) == {"rules": [RESET_SHOWN, LATENCY_SHOWN], "default_latency": None}


async def test_an_array_with_one_bad_rule_adds_none_and_names_the_rule(client):
    bad = {"action": {"type": "envelope"}, "probability": 2}

    response = await client.post("/_mock/faults", json=[RESET_RULE, LATENCY_RULE, bad])

    assert response.status == 400
    assert await response.json() == {
        "error": {"status": 400, "message": "must be at most 1", "field": "[2].probability"}
    }
    assert await rules(client) == NO_RULES
    response = await client.post("/_mock/faults", json=RESET_RULE)
    assert (await response.json())["id"] == 1  # no id was spent on the refused batch


async def test_the_list_and_one_rule_show_how_often_it_matched_and_fired(client):
    await client.post("/_mock/faults", json=[RESET_RULE, LATENCY_RULE])
    for _ in range(3):
        await call(client, "bulk/campaigns/get", id=123)

    latency_counted = {**LATENCY_SHOWN, "matched": 3, "fired": 1}
    assert await rules(client) == {
        "rules": [RESET_SHOWN, latency_counted],
        "default_latency": None,
    }
    response = await client.get("/_mock/faults/2")
    assert response.status == 200
    assert await response.json() == latency_counted


async def test_deleting_one_rule_leaves_the_others(client):
    await client.post("/_mock/faults", json=[RESET_RULE, LATENCY_RULE])

    response = await client.delete("/_mock/faults/1")

    assert response.status == 200
    assert await response.json() == {"status": "deleted", "id": 1}
    assert await rules(client) == {"rules": [LATENCY_SHOWN], "default_latency": None}
    status, _ = await call(client, "bulk/campaigns/update", id=123, name="x")
    assert status == 200  # the reset rule no longer applies


async def test_deleting_all_rules_empties_the_list_but_keeps_the_default_latency(client):
    await client.post("/_mock/faults", json=[RESET_RULE, LATENCY_RULE])
    await client.put("/_mock/faults/default-latency", json={"fixed_ms": 1})

    response = await client.delete("/_mock/faults")

    assert response.status == 200
    assert await response.json() == {"status": "cleared"}
    assert await rules(client) == {"rules": [], "default_latency": {"fixed_ms": 1.0}}


@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_an_unknown_rule_id_is_a_404(client, method):
    await client.post("/_mock/faults", json=RESET_RULE)

    response = await client.request(method, "/_mock/faults/7")

    assert response.status == 404
    assert await response.json() == {
        "error": {"status": 404, "message": "no fault rule 7", "field": "id"}
    }
    assert (await rules(client))["rules"] == [RESET_SHOWN]


@pytest.mark.parametrize("method", ["GET", "DELETE"])
@pytest.mark.parametrize("rule_id", ["abc", "-1", "1.5", "%C2%B2"])
async def test_a_rule_id_that_is_not_an_integer_is_a_400(client, method, rule_id):
    response = await client.request(method, f"/_mock/faults/{rule_id}")

    assert response.status == 400
    assert await response.json() == {
        "error": {"status": 400, "message": "a rule id is an integer", "field": "id"}
    }


ACTION_TYPES = "must be one of: envelope, http, reset, hang, empty, malformed, slow_body"
KEEP = 'add "allow_unknown": true to keep a rule for a function you will stub later'
BAD_RULES = [
    pytest.param(
        {"action": {"type": "reset"}, "colour": "red"},
        "colour",
        "unknown field (known: action, after, allow_unknown, every, latency, match, name, "
        "probability, seed, times)",
        id="unknown field",
    ),
    pytest.param(
        {"action": {"type": "reset"}, "time": 1},
        "time",
        "unknown field (known: action, after, allow_unknown, every, latency, match, name, "
        "probability, seed, times); did you mean `times`?",
        id="unknown field near a known one",
    ),
    pytest.param(
        {"action": {"type": "reset", "after": 2}},
        "action.after",
        "unknown field (known: processed, type)",
        id="unknown action field",
    ),
    pytest.param(
        {"action": {"type": "explode"}},
        "action.type",
        ACTION_TYPES,
        id="unknown action type",
    ),
    pytest.param(
        {"action": {"code": "500"}},
        "action.type",
        ACTION_TYPES,
        id="action without a type",
    ),
    pytest.param(
        {"action": {"type": "reset"}, "probability": 1.5},
        "probability",
        "must be at most 1",
        id="probability above 1",
    ),
    pytest.param(
        {"action": {"type": "reset"}, "probability": -0.1},
        "probability",
        "must be at least 0",
        id="probability below 0",
    ),
    pytest.param(
        {"action": {"type": "reset"}, "probability": "half"},
        "probability",
        "must be a number",
        id="probability not a number",
    ),
    pytest.param(
        {"latency": {"fixed_ms": -5}},
        "latency.fixed_ms",
        "must be at least 0",
        id="negative fixed delay",
    ),
    pytest.param(
        {"latency": {"uniform_ms": [-1, 10]}},
        "latency.uniform_ms[0]",
        "must be at least 0",
        id="negative uniform bound",
    ),
    pytest.param(
        {"latency": {"uniform_ms": [100, 50]}},
        "latency.uniform_ms",
        "high must not be below low",
        id="uniform bounds reversed",
    ),
    pytest.param(
        {"latency": {"normal_ms": {"mean": 100, "stddev": -1}}},
        "latency.normal_ms.stddev",
        "must be at least 0",
        id="negative stddev",
    ),
    pytest.param(
        {"latency": {"lognormal_ms": {"median": 80, "sigma": 0.5}}},
        "latency.lognormal_ms",
        "needs median, sigma and max",
        id="lognormal without max",
    ),
    pytest.param(
        {"latency": {"fixed_ms": 1, "uniform_ms": [1, 2]}},
        "latency",
        "needs exactly one of: fixed_ms, uniform_ms, normal_ms, lognormal_ms",
        id="two latency kinds",
    ),
    pytest.param(
        {"action": {"type": "hang", "max_ms": -1}},
        "action.max_ms",
        "must be at least 0",
        id="negative hang bound",
    ),
    pytest.param(
        {"action": {"type": "slow_body"}},
        "action.duration_ms",
        "is required",
        id="slow body without duration",
    ),
    pytest.param(
        {"action": {"type": "slow_body", "duration_ms": -10}},
        "action.duration_ms",
        "must be at least 0",
        id="negative slow body duration",
    ),
    pytest.param(
        {"match": {"params": ["id", "123"]}, "action": {"type": "reset"}},
        "match.params",
        "must be an object of parameter names and values",
        id="match params not an object",
    ),
    pytest.param(
        {"match": {"params": {"id": {"gt": 1}}}, "action": {"type": "reset"}},
        "match.params.id",
        "must be a string or a number",
        id="match param value not a scalar",
    ),
    pytest.param(
        {"match": {"method": "PUT"}, "action": {"type": "reset"}},
        "match.method",
        "must be GET or POST",
        id="match method PUT",
    ),
    pytest.param(
        {"match": {"function": "/bulk/campaigns/update/"}, "action": {"type": "reset"}},
        "match.function",
        "must be a function name or glob, without slashes at the ends",
        id="match function with slashes",
    ),
    pytest.param(
        {"match": "bulk/*", "action": {"type": "reset"}},
        "match",
        "must be an object",
        id="match not an object",
    ),
    pytest.param(
        {"match": {"user": "admin"}, "action": {"type": "reset"}},
        "match.user",
        "unknown field (known: function, method, params, username); did you mean `username`?",
        id="match unknown field",
    ),
    pytest.param(
        {"action": {"type": "envelope", "code": "999"}},
        "action.code",
        "must be one of Enswitch's envelope codes: 200, 201, 204, 400, 401, 402, 403, 404, 413, "
        "415, 421, 500 (for another HTTP status, use the http action)",
        id="envelope code out of range",
    ),
    pytest.param(
        {"action": {"type": "http", "status": 700}},
        "action.status",
        "must be an HTTP status from 200 to 599",
        id="http status out of range",
    ),
    pytest.param(
        {"action": {"type": "malformed", "mode": "scrambled"}},
        "action.mode",
        "must be one of: truncated, garbage",
        id="malformed mode unknown",
    ),
    pytest.param(
        {"action": {"type": "reset", "processed": "yes"}},
        "action.processed",
        "must be true or false",
        id="processed not a boolean",
    ),
    pytest.param(
        {"action": {"type": "reset"}, "times": 0},
        "times",
        "must be at least 1",
        id="times zero",
    ),
    pytest.param(
        {"action": {"type": "reset"}, "every": 1.5},
        "every",
        "must be an integer",
        id="every not an integer",
    ),
    pytest.param(
        {"action": {"type": "reset"}, "seed": [7]},
        "seed",
        "must be an integer or a string",
        id="seed a list",
    ),
    pytest.param(
        {"match": {"function": "bulk/*"}},
        "action",
        "a rule needs an action, a latency, or both",
        id="neither action nor latency",
    ),
    pytest.param("reset", "rule", "must be an object", id="a string, not a rule"),
    pytest.param(
        {"match": {"function": "bulk/campaigns/udpate"}, "action": {"type": "reset"}},
        "match.function",
        f"`bulk/campaigns/udpate` is neither served nor stubbed here (did you mean "
        f"`bulk/campaigns/update`?); {KEEP}",
        id="function nobody answers",
    ),
    pytest.param(
        {"match": {"function": "people/list"}, "action": {"type": "reset"}},
        "match.function",
        f"`people/list` is neither served nor stubbed here; {KEEP}",
        id="function not stubbed (yet)",
    ),
    pytest.param(
        {"match": {"function": "bulk/campaign/*"}, "action": {"type": "reset"}},
        "match.function",
        f"`bulk/campaign/*` matches no function served or stubbed here; {KEEP}",
        id="glob matching nothing",
    ),
    pytest.param(
        {"action": {"type": "envelope", "code": 503}},
        "action.code",
        "must be one of Enswitch's envelope codes: 200, 201, 204, 400, 401, 402, 403, 404, 413, "
        "415, 421, 500 (for another HTTP status, use the http action)",
        id="envelope code Enswitch does not have",
    ),
    pytest.param(
        {"action": {"type": "reset"}, "allow_unknown": "yes"},
        "allow_unknown",
        "must be true or false",
        id="allow_unknown not a boolean",
    ),
]


@pytest.mark.parametrize(("document", "field", "message"), BAD_RULES)
async def test_a_bad_rule_is_a_400_naming_the_field_and_nothing_is_added(
    client, document, field, message
):
    response = await client.post("/_mock/faults", json=document)

    assert response.status == 400
    assert await response.json() == {"error": {"status": 400, "message": message, "field": field}}
    assert await rules(client) == NO_RULES


RAW_BODIES = [
    pytest.param(b"", "body", "the body must be a JSON document", id="empty"),
    pytest.param(b"  \n", "body", "the body must be a JSON document", id="blank"),
    pytest.param(
        b'{"action": ',
        "body",
        "the body is not valid JSON: Expecting value: line 1 column 12 (char 11)",
        id="invalid JSON",
    ),
    pytest.param(
        b'{"action": {"type": "reset"}, "probability": NaN}',
        "probability",
        "must be a finite number",
        id="probability NaN",
    ),
    pytest.param(
        b'{"latency": {"fixed_ms": Infinity}}',
        "latency.fixed_ms",
        "must be a finite number",
        id="infinite delay",
    ),
    pytest.param(
        b'{"action": {"type": "hang", "max_ms": 1' + b"0" * 400 + b"}}",
        "action.max_ms",
        "must be a finite number",
        id="delay beyond any float",
    ),
]


@pytest.mark.parametrize(("body", "field", "message"), RAW_BODIES)
async def test_a_body_that_is_not_a_usable_json_rule_is_a_400(client, body, field, message):
    response = await client.post(
        "/_mock/faults", data=body, headers={"Content-Type": "application/json"}
    )

    assert response.status == 400
    assert await response.json() == {"error": {"status": 400, "message": message, "field": field}}
    assert await rules(client) == NO_RULES


async def test_a_refused_rule_on_a_new_tenant_does_not_create_the_tenant(client):
    response = await client.post("/t/typo/_mock/faults", json={"action": {"type": "nope"}})
    assert (response.status, await response.json()) == (
        400,
        {"error": {"status": 400, "message": ACTION_TYPES, "field": "action.type"}},
    )

    response = await client.get("/t/typo/_mock/faults")

    assert response.status == 404
    assert await response.json() == {
        "error": {"status": 404, "message": "no tenant called 'typo'", "field": "tenant"}
    }


async def test_a_rule_for_an_unknown_function_on_a_new_tenant_does_not_create_it(client):
    rule = {"match": {"function": "bulk/campaigns/udpate"}, "action": {"type": "reset"}}
    response = await client.post("/t/typo/_mock/faults", json=[RESET_RULE, rule])
    assert response.status == 400
    assert (await response.json())["error"]["field"] == "[1].match.function"

    assert (await client.get("/t/typo/_mock/faults")).status == 404


PEOPLE_RULE = {
    "match": {"function": "people/*"},
    "action": {"type": "envelope", "code": "500"},
}
INTERNAL_ERROR = {"responses": [{"code": "500", "key": "", "message": "Internal error"}]}
PEOPLE_STUB = {"function": "people/list", "data": []}


async def test_a_rule_may_name_a_function_the_tenant_stubs(client):
    assert (await client.post("/t/acme/_mock/stubs", json=PEOPLE_STUB)).status == 201

    assert (await client.post("/t/acme/_mock/faults", json=PEOPLE_RULE)).status == 201
    assert await call(client, "people/list", tenant="acme") == (200, INTERNAL_ERROR)
    # Another tenant's stubs do not count.
    response = await client.post("/_mock/faults", json=PEOPLE_RULE)
    assert response.status == 400
    assert (await response.json())["error"]["field"] == "match.function"


async def test_a_new_tenants_rule_may_name_a_function_stubbed_at_start(serve, tmp_path):
    stubs = tmp_path / "stubs.json"
    stubs.write_text('[{"function": "people/list", "data": []}]')
    client = await serve(stubs=str(stubs))

    assert (await client.post("/t/fresh/_mock/faults", json=PEOPLE_RULE)).status == 201
    assert await call(client, "people/list", tenant="fresh") == (200, INTERNAL_ERROR)


async def test_allow_unknown_keeps_a_rule_for_a_function_stubbed_later(client):
    rule = {**PEOPLE_RULE, "match": {"function": "people/list"}, "allow_unknown": True}
    response = await client.post("/_mock/faults", json=rule)
    assert response.status == 201
    assert await response.json() == shown_rule(
        1,
        match={"function": "people/list"},
        action={"type": "envelope", "processed": False, "code": "500", "key": "",
                "message": "Internal error"},
        allow_unknown=True,
    )  # fmt: skip

    assert (await client.post("/_mock/stubs", json=PEOPLE_STUB)).status == 201
    assert await call(client, "people/list") == (200, INTERNAL_ERROR)


async def test_behind_proxy_to_a_rule_may_name_any_function(serve):
    # The switch behind answers every name, so none is unknown (nothing listens there:
    # the rule is only added, no call is forwarded).
    client = await serve(proxy_to="http://127.0.0.1:9")
    rule = {"match": {"function": "people/list"}, "action": {"type": "reset"}}

    assert (await client.post("/_mock/faults", json=rule)).status == 201


async def test_the_http_action_keeps_any_http_status(client):
    for status in (200, 418, 429, 503, 599):
        rule = {"match": {"function": "bulk/*"}, "action": {"type": "http", "status": status}}
        response = await client.post("/_mock/faults", json=rule)
        assert response.status == 201
        assert (await response.json())["action"]["status"] == status


async def test_the_issues_two_rules_are_accepted_as_written(client):
    response = await client.post(
        "/_mock/faults",
        json=[
            {
                "match": {"function": "bulk/campaigns/update", "params": {"id": "123"}},
                "action": {"type": "envelope", "code": "500", "message": "Internal error"},
                "times": 2,
            },
            {
                "match": {"username": "user"},
                "latency": {"fixed_ms": 250},
                "probability": 0.5,
                "seed": 7,
            },
        ],
    )

    assert response.status == 201
    assert [rule["id"] for rule in await response.json()] == [1, 2]
