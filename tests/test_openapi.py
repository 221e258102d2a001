"""`GET /_mock/openapi.json`: valid OpenAPI 3.1, generated from the code, and complete.

Complete both ways: every route in the app's router is described, and every described
operation is answered on a running server (no 404 or 405), with a body its schema accepts.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from mockswitch.config import Settings
from mockswitch.endpoints import FUNCTIONS
from mockswitch.faults.actions import KINDS as ACTION_KINDS
from mockswitch.faults.latency import KINDS as LATENCY_KINDS
from mockswitch.faults.rules import RULE_FIELDS, parse_rule
from mockswitch.web import create_app
from mockswitch.web.openapi import build_document
from tests.cast import PASSWORD

METHODS = ("get", "post", "put", "delete", "patch", "head", "options")
# Settings that add routes or change answers: a prefix mount and mirrored HTTP statuses.
WIDE = {"prefix": "/local", "http_status": "mirror"}


async def fetch_document(client) -> dict[str, Any]:
    response = await client.get("/_mock/openapi.json")
    assert response.status == 200
    assert response.content_type == "application/json"
    return await response.json()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) for every documented operation."""
    return [
        (path, method, item[method])
        for path, item in document["paths"].items()
        for method in METHODS
        if method in item
    ]


def deref(document: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    """`value`, or what its `$ref` points to in the document."""
    while "$ref" in value:
        target: Any = document
        for part in value["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        value = target
    return value


def example_path(document: dict[str, Any], path: str, operation: dict[str, Any]) -> str:
    """The path with each parameter replaced by its documented example."""
    parameters = {}
    for parameter in operation.get("parameters", []) + document["paths"][path].get(
        "parameters", []
    ):
        parameter = deref(document, parameter)
        if parameter["in"] == "path":
            parameters[parameter["name"]] = str(parameter["example"])
    return re.sub(r"{(\w+)}", lambda m: parameters[m.group(1)], path)


def schema_validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A validator for `schema`, its `$ref`s resolved in the document's components."""
    return Draft202012Validator({**schema, "components": document["components"]})


# -- valid -----------------------------------------------------------------------------------


# The validator takes seconds per document: the defaults, and the settings that add most.
@pytest.mark.parametrize("settings", [{}, WIDE], ids=["defaults", "prefix-and-mirror"])
async def test_the_document_is_valid_openapi_3_1(serve, settings):
    document = await fetch_document(await serve(**settings))
    validate(document)  # raises on any error
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == "mockswitch"


# -- generated from the parameter tables -----------------------------------------------------


async def test_every_function_has_get_and_post_on_plain_and_tenant_paths(client):
    document = await fetch_document(client)
    for name in FUNCTIONS:
        for path in (f"/api/json/{name}/", f"/t/{{tenant}}/api/json/{name}/"):
            assert set(document["paths"][path]) >= {"get", "post"}, path


async def test_a_functions_parameters_come_from_its_table(client):
    document = await fetch_document(client)
    item = document["paths"]["/api/json/bulk/campaigns/update/"]
    table = {p.name: p for p in FUNCTIONS["bulk/campaigns/update"].parameters}
    query = {p["name"]: p for p in (deref(document, p) for p in item["get"]["parameters"])}

    assert list(query) == ["auth_username", "auth_password", *table]
    assert all(query[name]["in"] == "query" for name in query)
    assert {n for n, p in query.items() if p["required"]} == {
        "auth_username",
        "auth_password",
        "id",
    }
    assert query["id"]["schema"] == {"type": "integer", "format": "int64"}
    assert query["attempts"]["schema"] == {"type": "integer", "format": "int64", "minimum": 1}
    assert query["enabled"]["schema"] == {"type": "integer", "enum": [0, 1]}
    assert query["machine"]["schema"] == {
        "type": "string",
        "enum": ["", "failed", "retry", "success"],
    }
    assert query["name"]["schema"] == {"type": "string", "maxLength": 255, "minLength": 1}
    assert query["callerid"]["schema"]["pattern"] == r"^(?:(\+?[0-9]+)?)$"
    assert query["validation"]["schema"]["default"] == 0
    assert query["description"]["description"] == table["description"].description
    # A set of values the data set defines: the seeded destination types.
    assert set(query["dtype"]["schema"]["enum"]) >= {"", "phone", "queue"}
    # The version that added a parameter.
    assert query["keep_agents_available"]["x-enswitch-since"] == "4.2"
    assert query["id"]["x-enswitch-since"] == "3.13"
    assert "Added in Enswitch 4.2." in query["keep_agents_available"]["description"]

    form = item["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
    body = deref(document, form["schema"])
    assert list(body["properties"]) == list(query)
    assert body["required"] == ["auth_username", "auth_password", "id"]
    assert body["properties"]["machine"] == query["machine"]["schema"]


async def test_a_comma_list_is_an_array_sent_comma_separated(client):
    document = await fetch_document(client)
    item = document["paths"]["/api/json/bulk/destinations/create/"]
    parameters = [deref(document, p) for p in item["get"]["parameters"]]
    dnumbers = next(p for p in parameters if p["name"] == "dnumbers")
    assert (dnumbers["style"], dnumbers["explode"]) == ("form", False)
    assert dnumbers["schema"]["type"] == "array"
    assert dnumbers["schema"]["items"]["type"] == "string"
    form = item["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
    assert form["encoding"]["dnumbers"] == {"style": "form", "explode": False}


async def test_an_older_version_says_it_ignores_newer_parameters(serve):
    document = await fetch_document(await serve(api_version="3.13"))
    query = document["paths"]["/api/json/bulk/campaigns/update/"]["get"]["parameters"]
    newer = next(
        p for p in (deref(document, q) for q in query) if p["name"] == "keep_agents_available"
    )
    assert "imitates Enswitch 3.13 and ignores it" in newer["description"]


async def test_the_envelope_and_its_codes_are_described(serve):
    document = await fetch_document(await serve())
    schemas = document["components"]["schemas"]
    assert schemas["Envelope"]["required"] == ["responses"]
    assert set(schemas["Envelope"]["properties"]) == {"responses", "data"}
    assert schemas["EnvelopeEntry"]["required"] == ["code", "key", "message"]
    codes = ("200", "201", "204", "400", "401", "402", "403", "404", "413", "415", "421", "500")
    for code in codes:
        assert f"- {code}: " in schemas["EnvelopeEntry"]["properties"]["code"]["description"]

    update = document["paths"]["/api/json/bulk/campaigns/update/"]["get"]
    # As the real switch, HTTP 200 for every outcome; 421 is the server refusing a host name.
    assert list(update["responses"]) == ["200", "421"]
    assert "- 201: Validated" in update["description"]
    assert "- 403: " in update["description"]
    answer = deref(document, update["responses"]["200"])
    assert "X-Mockswitch-Call" in answer["headers"]
    assert answer["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Envelope"
    }

    mirrored = await fetch_document(await serve(http_status="mirror"))
    responses = mirrored["paths"]["/api/json/bulk/campaigns/update/"]["get"]["responses"]
    assert list(responses) == [
        "200",
        "201",
        "400",
        "401",
        "402",
        "403",
        "404",
        "413",
        "415",
        "421",
        "500",
    ]


async def test_the_fault_rule_schema_follows_the_rule_parser(client):
    document = await fetch_document(client)
    schemas = document["components"]["schemas"]
    assert set(schemas["FaultRuleInput"]["properties"]) == set(RULE_FIELDS)
    assert [a["title"] for a in schemas["Action"]["oneOf"]] == list(ACTION_KINDS)
    assert [next(iter(k["properties"])) for k in schemas["Latency"]["oneOf"]] == list(LATENCY_KINDS)
    accepts = schema_validator(document, {"$ref": "#/components/schemas/FaultRuleInput"})
    good = [
        {"match": {"function": "bulk/*", "params": {"id": 123}}, "action": {"type": "reset"}},
        {"action": {"type": "envelope", "code": 500, "message": "Busy"}, "times": 2},
        {"action": {"type": "envelope", "code": "404"}, "allow_unknown": False},
        {"action": {"type": "http", "status": 418}},
        {"latency": {"uniform_ms": [10, 20]}, "probability": 0.5, "seed": "x"},
        {"action": {"type": "slow_body", "duration_ms": 100}, "after": 1, "every": 2},
    ]
    for rule in good:
        parse_rule(rule, 1, "0")  # the server takes it ...
        assert not list(accepts.iter_errors(rule)), rule  # ... and so does the schema
    bad = [
        {"match": {"function": "x"}},  # neither action nor latency
        {"action": {"type": "nope"}},
        {"action": {"type": "reset"}, "probability": 2},
        {"action": {"type": "slow_body"}},  # duration_ms is required
        {"action": {"type": "reset"}, "typo": 1},
        {"action": {"type": "envelope", "code": 503}},  # not an Enswitch envelope code
        {"action": {"type": "envelope", "code": "503"}},
        {"action": {"type": "reset"}, "allow_unknown": "yes"},
    ]
    for rule in bad:
        assert list(accepts.iter_errors(rule)), rule


# -- complete: every route is described, every description is answered -----------------------


def undocumented(app, document: dict[str, Any]) -> list[str]:
    """The routes of `app` that no operation of `document` reaches."""
    documented = [
        (method.upper(), example_path(document, path, operation))
        for path, method, operation in operations(document)
    ]
    missing = []
    for route in app.router.routes():
        info = route.resource.get_info()
        pattern = info.get("pattern") or re.compile(re.escape(info["path"]))
        # HEAD is answered wherever GET is (HTTP says so); the document lists the GET.
        method = "GET" if route.method == "HEAD" else route.method
        if not any(m == method and pattern.fullmatch(p) for m, p in documented):
            missing.append(f"{route.method} {route.resource.canonical}")
    return missing


@pytest.mark.parametrize("settings", [{}, WIDE], ids=["defaults", "prefix-and-mirror"])
async def test_every_route_the_server_answers_is_in_the_document(serve, settings):
    client = await serve(**settings)
    document = await fetch_document(client)
    assert undocumented(client.app, document) == []


async def test_an_undocumented_route_would_be_found(aiohttp_client):
    async def nothing(request):
        raise AssertionError("not called")

    app = create_app(Settings(db=":memory:", quiet=True))
    app.router.add_post("/_mock/calls/{id}", nothing)
    app.router.add_get("/_mock/secret", nothing)
    client = await aiohttp_client(app)
    document = await fetch_document(client)
    assert undocumented(app, document) == [
        "POST /_mock/calls/{id}",
        "HEAD /_mock/secret",
        "GET /_mock/secret",
    ]


async def prepare(client, scope: str) -> dict[str, str]:
    """A tenant with a call, a fault rule and a stub, so that every `{id}` names something."""
    assert (await client.post(f"{scope}/_mock/reset")).status == 200
    answer = await client.get(
        f"{scope}/api/json/bulk/campaigns/get/",
        params={"auth_username": "user", "auth_password": PASSWORD, "id": "123"},
    )
    rule = await client.post(
        f"{scope}/_mock/faults",
        json={"match": {"function": "nothing"}, "action": {"type": "reset"}, "allow_unknown": True},
    )
    stub = await client.post(f"{scope}/_mock/stubs", json={"function": "nothing/here", "data": []})
    return {
        "call": answer.headers["X-Mockswitch-Call"],
        "rule": str((await rule.json())["id"]),
        "stub": str((await stub.json())["id"]),
    }


async def test_every_documented_operation_answers_with_its_documented_schema(serve):
    client = await serve(**WIDE)
    document = await fetch_document(client)
    validated = []
    for path, method, operation in operations(document):
        scope = "/t/acme" if path.startswith("/t/") else ""
        ids = await prepare(client, scope)
        url = example_path(document, path, operation)
        if "{id}" in path:
            kind = next(
                k for k in ("call", "rule", "stub") if f"/{k}s/" in path.replace("faults", "rules")
            )
            url = url.removesuffix("/1") + "/" + ids[kind]
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        kwargs: dict[str, Any] = {"allow_redirects": False}
        if body is not None:
            kwargs["json"] = body["example"]
        async with client.request(method.upper(), url, **kwargs) as response:
            where = f"{method.upper()} {url}"
            assert response.status not in (404, 405), where
            documented = operation["responses"]
            assert str(response.status) in documented, f"{where}: {response.status}"
            if response.content_type == "text/event-stream":
                continue  # endless; leaving the block closes it
            content = deref(document, documented[str(response.status)]).get("content", {})
            if not content:
                assert not await response.read(), where
                continue
            if response.content_type != "application/json":
                assert response.content_type in content or any(
                    response.content_type.startswith(m) for m in content
                ), where
                continue
            answer = await response.json()
            errors = list(
                schema_validator(document, content["application/json"]["schema"]).iter_errors(
                    answer
                )
            )
            assert not errors, f"{where}: {errors[0].message}"
            if "/api/json/" in path:
                assert answer["responses"][0]["message"] != "No such function.", where
            validated.append(where)
    # Every JSON answer was checked: all but the page, its files, its redirect, the event
    # stream (each plain and per tenant) and the metrics.
    assert len(validated) == len(operations(document)) - 2 * 4 - 1


async def test_metrics_off_leaves_the_metrics_path_out(serve):
    client = await serve(metrics=False)
    assert "/_mock/metrics" not in (await fetch_document(client))["paths"]
    assert (await client.get("/_mock/metrics")).status == 404


def test_the_generator_works_without_a_server():
    document = build_document(Settings(), {"dtypes": ["number"]})
    assert document["components"]["parameters"]["bulk_campaigns_create.dtype"]["schema"] == {
        "type": "string",
        "enum": ["number"],
    }
    bare = build_document(Settings())  # no data set: a plain string
    assert bare["components"]["parameters"]["bulk_campaigns_create.dtype"]["schema"] == {
        "type": "string",
        "maxLength": 255,
    }


def test_each_function_declares_the_codes_it_answers():
    for function in FUNCTIONS.values():
        names = {p.name for p in function.parameters}
        declared = set(function.codes)
        assert ("201" in declared) == ("validation" in names), function.name
        assert len(declared & {"200", "204"}) == 1, function.name
        shared = {"400", "401", "402", "404", "413", "415", "421", "500"}
        assert set(function.answers) >= declared | shared
        assert ("403" in function.answers) == (function.feature is not None), function.name
    # A function that never looks an object up answers 404 only for a dropped tenant.
    assert "404" not in FUNCTIONS["bulk/campaigns/list"].codes
    assert "404" in FUNCTIONS["bulk/campaigns/list"].answers
    assert FUNCTIONS["bulk/campaigns/update"].answers == (
        "201",
        "204",
        "400",
        "401",
        "402",
        "403",
        "404",
        "413",
        "415",
        "421",
        "500",
    )
