"""Plain helpers the tests share: calling a function, the envelopes it answers, reading back.

Fixtures live in conftest.py and are used by name; everything here is imported.
"""

from __future__ import annotations

from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from tests.cast import CUSTOMERS, DESTINATIONS, PASSWORD

# What a journal entry holds, after its request and answer, for a call that no fault, stub or
# proxy touched and whose body was kept whole.
UNTOUCHED = {
    "body_truncated": False,
    "fault": None,
    "latency_ms": 0,
    "truncated": [],
    "stub": None,
    "proxied": False,
    "warnings": [],
}


def envelope(*entries: tuple[str, str, str], data: Any = None) -> dict[str, Any]:
    """The whole envelope a test expects: entries of (code, key, message)."""
    document: dict[str, Any] = {
        "responses": [{"code": c, "key": k, "message": m} for c, k, m in entries]
    }
    if data is not None:
        document["data"] = data
    return document


def ok(data: Any) -> dict[str, Any]:
    """A 200 envelope with its data."""
    return envelope(("200", "", "OK"), data=data)


def counted(count: int) -> dict[str, Any]:
    """A 200 envelope whose data is a count."""
    return ok({"count": count})


def bad(*entries: tuple[str, str]) -> dict[str, Any]:
    """A 400 envelope: one (key, message) per bad parameter."""
    return envelope(*(("400", key, message) for key, message in entries))


def no_campaign(action: str) -> dict[str, Any]:
    """The 404 for a campaign missing or out of reach (the two are never told apart)."""
    message = f"The campaign does not exist, or you do not have permission to {action}."
    return envelope(("404", "", message))


# Globex's records named for an Acme campaign, with a negative keep_agents_available for a
# phone: every reference fails, and each gets its entry, in the parameter table's order.
FOREIGN_REFERENCES = {
    "timegroup": 6,
    "recordgroup": 8,
    "owner": 200,
    "keep_agents_available": -1,
    "dtype": "phone",
    "dnumber": "2001",
}
FOREIGN_REFERENCES_FAIL = bad(
    ("dnumber", "no such phone"),
    ("keep_agents_available", "may be negative only for a queue destination"),
    ("owner", "no such person"),
    ("recordgroup", "no such record group"),
    ("timegroup", "no such time group"),
)

OK_204 = envelope(("204", "", "OK"))
VALIDATED = envelope(("201", "", "OK"))
NOT_AUTHENTICATED = envelope(("401", "", "The authentication details provided are invalid."))
ROLE_FORBIDS = envelope(("402", "", "Your role does not allow this."))
RATEPLAN_FORBIDS = envelope(("403", "", "Your rate plan does not allow this."))
NO_SUCH_FUNCTION = envelope(("404", "", "No such function."))
# The control API's answer to a changing call without the admin token.
NO_TOKEN = {
    "error": {
        "status": 401,
        "message": "this server requires the admin token for changes: send it as "
        "'Authorization: Bearer <token>' or 'X-Mockswitch-Token: <token>'",
        "field": "token",
    }
}

MASK = "********"
"""What the journal shows in place of a password."""


async def send(
    client: TestClient,
    function: str,
    *,
    user: str | None = "user",
    method: str = "GET",
    tenant: str | None = None,
    **params: Any,
) -> ClientResponse:
    """Call an Enswitch function as `user` (with the cast's password), in the default tenant
    or a named one, by GET (a query string) or POST (a form)."""
    query: dict[str, str] = {}
    if user is not None:
        query = {"auth_username": user, "auth_password": PASSWORD}
    query.update({name: str(value) for name, value in params.items()})
    path = f"/api/json/{function}/" if tenant is None else f"/t/{tenant}/api/json/{function}/"
    if method == "GET":
        return await client.get(path, params=query)
    return await client.post(path, data=query)


async def call(client: TestClient, function: str, **options: Any) -> tuple[int, dict[str, Any]]:
    """`send`, then the status and the JSON answer."""
    response = await send(client, function, **options)
    return response.status, await response.json()


async def call_bytes(client: TestClient, function: str, **options: Any) -> bytes:
    """`send`, then the answer byte for byte (HTTP 200, as every API outcome is by default)."""
    response = await send(client, function, **options)
    assert response.status == 200
    return await response.read()


async def read_campaign(client: TestClient, campaign_id: int) -> dict[str, Any]:
    """One campaign's `data`, read as the system owner (who may see them all)."""
    status, body = await call(client, "bulk/campaigns/get", user="owner", id=campaign_id)
    assert (status, body["responses"]) == (200, envelope(("200", "", "OK"))["responses"]), body
    return body["data"]


async def stored_campaign(client: TestClient, campaign_id: int) -> dict[str, Any]:
    """A campaign as stored, every field whatever the API version: the dashboard's data."""
    response = await client.get("/_mock/data/campaigns")
    assert response.status == 200, await response.text()
    customers = (await response.json())["customers"]
    [found] = [c for customer in customers for c in customer["campaigns"] if c["id"] == campaign_id]
    return found


async def every_campaign(client: TestClient) -> dict[int, list[dict[str, Any]]]:
    """Every customer's campaigns, listed as the system owner: the whole editable data set."""
    found = {}
    for customer in CUSTOMERS:
        status, body = await call(client, "bulk/campaigns/list", user="owner", customer=customer)
        assert (status, body["responses"]) == (200, envelope(("200", "", "OK"))["responses"]), body
        found[customer] = body["data"]
    return found


async def read_destinations(client: TestClient, campaign_id: int) -> dict[str, str]:
    """A campaign's destinations as {dnumber: status}, listed as the system owner."""
    status, body = await call(client, "bulk/destinations/list", user="owner", campaign=campaign_id)
    assert (status, body["responses"]) == (200, envelope(("200", "", "OK"))["responses"]), body
    return {row["dnumber"]: row["status"] for row in body["data"]}


async def every_destination(client: TestClient) -> dict[int, dict[str, str]]:
    """Every seeded campaign's destinations: to check that a call changed nothing else."""
    return {
        campaign_id: await read_destinations(client, campaign_id) for campaign_id in DESTINATIONS
    }


def shown_rule(rule_id: int, **fields: Any) -> dict[str, Any]:
    """A rule as the API shows it: the defaults, overridden by `fields`."""
    return {
        "id": rule_id,
        "name": "",
        "match": {},
        "action": None,
        "latency": None,
        "probability": 1.0,
        "times": None,
        "after": 0,
        "every": 1,
        "seed": f"0:{rule_id}",
        "allow_unknown": False,
        "matched": 0,
        "fired": 0,
        "expired": False,
        **fields,
    }


async def was_reset(response, tenant: str = "default") -> bool:
    """The whole answer of a reset that went through; only its time varies."""
    body = await response.json()
    assert isinstance(body.get("took_ms"), float), body
    return (response.status, body) == (
        200,
        {"status": "reset", "tenant": tenant, "took_ms": body["took_ms"]},
    )
