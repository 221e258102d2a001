"""Customer isolation: nothing of another customer leaks, in data, in counts or in words.

For every Enswitch function (`mockswitch.endpoints.FUNCTIONS`; a new function fails here
until it is added to `VARIANTS`), and for several callers against a campaign (or customer)
that exists but is out of their reach, the answer is byte for byte the answer for one that
does not exist at all (999999): HTTP status, Content-Type, body, and the journal's record
of it. Whatever parameters come with it, references of the other customer's (its time
group, its phone) included, so that no check made before the reach check tells them apart.
Then the lists and counts: they show the caller's own rows only. And nothing was changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockswitch.endpoints import FUNCTIONS
from tests.cast import CAMPAIGNS, DESTINATIONS, PASSWORD
from tests.test_bad_input_corpus import dump

MISSING = 999999
# (caller, a campaign of another customer, that customer): each out of the caller's reach.
STRANGERS = [
    ("globex", 123, 10),  # a user, against a sibling customer
    ("user", 200, 20),
    ("admin", 201, 20),  # an administrator, who may create
    ("reseller", 300, 30),  # a reseller, against a customer that is not below it
]


def some_dnumber(campaign: int) -> str:
    return next(iter(DESTINATIONS.get(campaign, {"2125550111": ""})))


# For each function, the parameter sets to try; {campaign}, {customer} and {dnumber} are
# filled with the target's (the stranger's, or the missing one's: the same text either way).
VARIANTS: dict[str, list[dict[str, str]]] = {
    "bulk/campaigns/get": [{"id": "{campaign}"}],
    "bulk/campaigns/update": [
        {"id": "{campaign}"},
        {"id": "{campaign}", "name": "taken over"},
        {"id": "{campaign}", "validation": "1"},
        {"id": "{campaign}", "timegroup": "5", "owner": "100", "recordgroup": "7"},
        {"id": "{campaign}", "timegroup": "6", "owner": "200", "recordgroup": "8"},
        {"id": "{campaign}", "dtype": "queue", "dnumber": "600"},
        {"id": "{campaign}", "keep_agents_available": "-1"},
    ],
    "bulk/campaigns/delete": [{"id": "{campaign}", "validation": "1"}, {"id": "{campaign}"}],
    "bulk/campaigns/list": [{"customer": "{customer}"}],
    "bulk/campaigns/create": [
        {"customer": "{customer}", "name": "x", "dtype": "phone", "dnumber": "1001"},
        {"customer": "{customer}", "name": "x", "dtype": "phone", "dnumber": "2001"},
        {"customer": "{customer}", "name": "x", "dtype": "", "dnumber": "1", "validation": "1"},
    ],
    "bulk/destinations/create": [
        {"campaign": "{campaign}", "dnumbers": "5551234"},
        {"campaign": "{campaign}", "dnumbers": "{dnumber}", "validation": "1"},
    ],
    "bulk/destinations/update": [
        {"campaign": "{campaign}", "status": "failed", "all": "1"},
        {"campaign": "{campaign}", "status": "failed", "dnumbers": "{dnumber}"},
        {"campaign": "{campaign}", "status": "failed", "dnumbers": "1", "validation": "1"},
    ],
    "bulk/destinations/delete": [
        {"campaign": "{campaign}", "all": "1"},
        {"campaign": "{campaign}", "dnumber": "{dnumber}"},
        {"campaign": "{campaign}", "dnumber": "1"},
        {"campaign": "{campaign}", "all": "1", "validation": "1"},
    ],
    "bulk/destinations/list": [
        {"campaign": "{campaign}"},
        {"campaign": "{campaign}", "count": "1"},
        {"campaign": "{campaign}", "limit": "1", "offset": "1", "sort": "status"},
    ],
}
# What the journal may differ in between the two calls: which call, when, what was sent.
PER_CALL = {"id", "at", "duration_ms", "params", "query", "latency_ms"}


def test_every_function_is_covered():
    assert set(VARIANTS) == set(FUNCTIONS)


async def answer(client: TestClient, function: str, user: str, params: dict[str, str]):
    """Everything a client and the journal see of one call."""
    response = await client.post(
        f"/api/json/{function}/",
        data={"auth_username": user, "auth_password": PASSWORD, **params},
    )
    body = await response.read()
    call = await (await client.get(f"/_mock/calls/{response.headers['X-Mockswitch-Call']}")).json()
    recorded = {k: v for k, v in call.items() if k not in PER_CALL}
    return (response.status, response.headers["Content-Type"], body), recorded


@pytest.mark.parametrize(("user", "campaign", "customer"), STRANGERS, ids=[s[0] for s in STRANGERS])
@pytest.mark.parametrize("function", sorted(VARIANTS))
async def test_another_customers_campaign_answers_as_one_that_does_not_exist(
    serve, tmp_path: Path, function, user, campaign, customer
):
    db = tmp_path / "isolation.sqlite3"
    client = await serve(db=str(db))
    before = dump(db)
    theirs = {
        "campaign": str(campaign),
        "customer": str(customer),
        "dnumber": some_dnumber(campaign),
    }
    nobodys = {**theirs, "campaign": str(MISSING), "customer": str(MISSING)}
    for variant in VARIANTS[function]:
        stranger = {k: v.format(**theirs) for k, v in variant.items()}
        missing = {k: v.format(**nobodys) for k, v in variant.items()}
        seen, recorded = await answer(client, function, user, stranger)
        expected, expected_record = await answer(client, function, user, missing)
        where = f"{user} {function} {stranger}"
        assert seen == expected, where
        assert recorded == expected_record, where
        # Refused, never served: a 404 for a campaign, a 400 for a customer, a 402 for a role.
        code = recorded["code"]
        assert code in ("400", "402", "404"), f"{where}: {seen}"
    assert dump(db) == before, "nothing of theirs changed"


async def test_lists_and_counts_show_the_callers_own_rows_only(client):
    own = {"user": 10, "admin": 10, "globex": 20}
    for user, customer in own.items():
        found, _ = await answer(client, "bulk/campaigns/list", user, {})
        rows = json.loads(found[2])["data"]
        assert rows, user
        assert {row["customer"] for row in rows} == {customer}, user
        assert sorted(row["id"] for row in rows) == sorted(
            i for i, c in CAMPAIGNS.items() if c["customer"] == customer
        )
        for row in rows:
            listed, _ = await answer(
                client, "bulk/destinations/list", user, {"campaign": row["id"]}
            )
            destinations = json.loads(listed[2])["data"]
            assert {d["campaign"] for d in destinations} <= {row["id"]}
            assert {d["dnumber"] for d in destinations} == set(DESTINATIONS[row["id"]])
            counted, _ = await answer(
                client, "bulk/destinations/list", user, {"campaign": row["id"], "count": "1"}
            )
            assert json.loads(counted[2])["data"] == {"count": len(destinations)}
    # A reseller sees the customers below it, one list at a time, and no one else's.
    for customer in (2, 10, 20):
        listed, _ = await answer(client, "bulk/campaigns/list", "reseller", {"customer": customer})
        rows: list[dict[str, Any]] = json.loads(listed[2])["data"]
        assert {row["customer"] for row in rows} <= {customer}
