"""Rules given at start (`--faults FILE`, `MOCKSWITCH_FAULTS`): JSON, YAML or inline; active
from the first call; restored by a reset; a bad file stops the start and says where."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockswitch.cli import main
from tests.helpers import call, envelope

FAILING_UPDATE = {
    "name": "update down",
    "match": {"function": "bulk/campaigns/update"},
    "action": {"type": "envelope", "code": "500"},
    "times": 1,
}
INTERNAL_ERROR = envelope(("500", "", "Internal error"))
OK_204 = envelope(("204", "", "OK"))
YAML_RULES = """\
# Faults for the staging demo.
rules:
  - name: update down
    match: {function: bulk/campaigns/update}
    action: {type: envelope, code: "500"}
    times: 1
  - match:
      username: admin
    action:
      type: http
      status: 503
default_latency:
  fixed_ms: 5
"""


async def listed(client: TestClient) -> dict[str, Any]:
    response = await client.get("/_mock/faults")
    return await response.json()


async def update(client: TestClient) -> dict[str, Any]:
    status, body = await call(client, "bulk/campaigns/update", id=123, name="x")
    assert status == 200
    return body


async def test_a_json_file_of_rules_is_active_from_the_first_call(serve, tmp_path):
    path = tmp_path / "faults.json"
    path.write_text(json.dumps([FAILING_UPDATE]), encoding="utf-8")
    client = await serve(faults=str(path))

    assert await update(client) == INTERNAL_ERROR
    assert await update(client) == OK_204
    rules = await listed(client)
    assert [(r["id"], r["name"], r["fired"], r["expired"]) for r in rules["rules"]] == [
        (1, "update down", 1, True)
    ]


async def test_a_yaml_file_gives_rules_and_a_default_latency(serve, tmp_path):
    path = tmp_path / "faults.yaml"
    path.write_text(YAML_RULES, encoding="utf-8")
    client = await serve(faults=str(path))

    assert await update(client) == INTERNAL_ERROR
    response = await client.get(
        "/api/json/bulk/campaigns/get/",
        params={"auth_username": "admin", "auth_password": "password", "id": "123"},
    )
    assert (response.status, await response.text()) == (503, "")
    rules = await listed(client)
    assert rules["default_latency"] == {"fixed_ms": 5.0}
    assert [r["action"]["type"] for r in rules["rules"]] == ["envelope", "http"]
    calls = (await (await client.get("/_mock/calls")).json())["calls"]
    # The first rule has no latency of its own: the default applies to it, as to the second.
    assert [c["latency_ms"] for c in calls[:2]] == [5.0, 5.0]


async def test_an_inline_json_document_works_like_a_file(serve):
    client = await serve(faults=json.dumps({"rules": [FAILING_UPDATE]}))

    assert await update(client) == INTERNAL_ERROR
    assert [r["name"] for r in (await listed(client))["rules"]] == ["update down"]


async def test_a_reset_brings_back_the_start_rules_with_fresh_counters(serve):
    client = await serve(faults=json.dumps([FAILING_UPDATE]))
    assert await update(client) == INTERNAL_ERROR
    added = await client.post("/_mock/faults", json={"action": {"type": "reset"}})
    assert added.status == 201
    await client.delete("/_mock/faults/1")
    assert [r["id"] for r in (await listed(client))["rules"]] == [2]

    response = await client.post("/_mock/reset")
    assert response.status == 200

    rules = (await listed(client))["rules"]
    assert [(r["id"], r["name"], r["matched"], r["fired"]) for r in rules] == [
        (1, "update down", 0, 0)  # the added rule is gone, the start rule is back, unused
    ]
    assert await update(client) == INTERNAL_ERROR
    assert await update(client) == OK_204


async def test_a_reset_restores_the_start_rules_after_all_were_deleted(serve):
    client = await serve(faults=json.dumps([FAILING_UPDATE]))
    await client.delete("/_mock/faults")
    assert await update(client) == OK_204

    await client.post("/_mock/reset")

    assert await update(client) == INTERNAL_ERROR


async def test_without_start_rules_a_reset_leaves_none(client):
    await client.post("/_mock/faults", json=FAILING_UPDATE)
    await client.put("/_mock/faults/default-latency", json={"fixed_ms": 3})

    await client.post("/_mock/reset")

    assert await listed(client) == {"rules": [], "default_latency": None}


def serve_with_faults(*extra: str) -> int:
    # Fails while loading the data set, before anything listens: `main` returns at once.
    return main(["serve", "--db", ":memory:", "--port", "0", "--quiet", *extra])


BAD_FILES = [
    pytest.param(
        "bad.json",
        json.dumps([FAILING_UPDATE, {"action": {"type": "reset"}, "probability": 2}]),
        "rule 2: probability: must be at most 1",
        id="probability out of range",
    ),
    pytest.param(
        "bad.yaml",
        "- match: {method: PUT}\n  action: {type: reset}\n",
        "rule 1: match.method: must be GET or POST",
        id="yaml match method",
    ),
    pytest.param(
        "bad.json",
        json.dumps({"rules": [], "default_latency": {"fixed_ms": -1}}),
        "default_latency.fixed_ms: must be at least 0",
        id="negative default latency",
    ),
    pytest.param(
        "bad.json",
        json.dumps({"rule": []}),
        "must be a list of rules or {rules, default_latency}",
        id="wrong shape",
    ),
    pytest.param("bad.yaml", "rules: [\n", "not valid JSON or YAML", id="unparseable"),
    pytest.param(
        "typo.yaml",
        "- match: {function: bulk/campaigns/udpate}\n  action: {type: reset}\n",
        "rule 1: match.function: `bulk/campaigns/udpate` is neither served nor stubbed here "
        '(did you mean `bulk/campaigns/update`?); add "allow_unknown": true to keep a rule for '
        "a function you will stub later\n",
        id="function nobody answers",
    ),
    pytest.param(
        "code.json",
        json.dumps([{"action": {"type": "envelope", "code": 503}}]),
        "rule 1: action.code: must be one of Enswitch's envelope codes: 200, 201, 204, 400, "
        "401, 402, 403, 404, 413, 415, 421, 500 (for another HTTP status, use the http action)\n",
        id="envelope code Enswitch does not have",
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), BAD_FILES)
def test_a_bad_faults_file_stops_the_start_with_a_clear_message(
    tmp_path, capsys, name, text, expected
):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")

    started = time.perf_counter()
    assert serve_with_faults("--faults", str(path)) == 2
    assert time.perf_counter() - started < 10

    err = capsys.readouterr().err
    assert err.startswith(f"mockswitch: {path}: {expected}"), err


async def test_a_start_rule_may_name_a_function_stubbed_at_start(serve, tmp_path):
    stubs = tmp_path / "stubs.json"
    stubs.write_text(json.dumps([{"function": "people/list", "data": []}]))
    rule = {"match": {"function": "people/list"}, "action": {"type": "envelope", "code": "500"}}
    client = await serve(stubs=str(stubs), faults=json.dumps([rule]))

    assert await call(client, "people/list") == (200, INTERNAL_ERROR)


async def test_a_start_rule_for_a_function_to_stub_later_says_allow_unknown(serve):
    rule = {
        "match": {"function": "people/list"},
        "action": {"type": "envelope", "code": "500"},
        "allow_unknown": True,
    }
    client = await serve(faults=json.dumps([rule]))
    stub = {"function": "people/list", "data": []}
    assert (await client.post("/_mock/stubs", json=stub)).status == 201

    assert await call(client, "people/list") == (200, INTERNAL_ERROR)


def test_a_missing_faults_file_stops_the_start(tmp_path, capsys):
    path = tmp_path / "nowhere.json"

    assert serve_with_faults("--faults", str(path)) == 2

    err = capsys.readouterr().err
    assert err.startswith(f"mockswitch: {path}: cannot be read:"), err


def test_the_environment_variable_gives_the_rules_too(monkeypatch, capsys):
    monkeypatch.setenv("MOCKSWITCH_FAULTS", '[{"action": {"type": "teleport"}}]')

    assert serve_with_faults() == 2

    err = capsys.readouterr().err
    assert err == (
        "mockswitch: the faults given inline: rule 1: action.type: must be one of: envelope, "
        "http, reset, hang, empty, malformed, slow_body\n"
    )
