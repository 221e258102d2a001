"""Helpers for the simulator's tests: the clock, the rules, the dials, campaigns set up."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp.test_utils import TestClient

from tests.helpers import OK_204, call, envelope

MONDAY_9 = "2026-12-07T09:00:00Z"  # 7 December 2026 is a Monday


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def control(
    client: TestClient, method: str, path: str, body: Any = None, status: int = 200, **query: Any
) -> Any:
    response = await client.request(
        method, path, json=body, params={k: str(v) for k, v in query.items()}
    )
    document = await response.json()
    assert response.status == status, document
    return document


async def advance(client: TestClient, seconds: float, prefix: str = "") -> dict[str, Any]:
    return await control(client, "POST", f"{prefix}/_mock/clock/advance", {"seconds": seconds})


async def set_outcomes(client: TestClient, *rules: dict[str, Any], seed: int = 0) -> None:
    await control(client, "PUT", "/_mock/outcomes", {"rules": list(rules), "seed": seed})


async def dials(client: TestClient, prefix: str = "", **query: Any) -> list[dict[str, Any]]:
    found = await control(client, "GET", f"{prefix}/_mock/dials", **query)
    assert found["total"] == len(found["dials"])
    return found["dials"]


async def update_campaign(client: TestClient, campaign: int, **fields: Any) -> None:
    assert await call(client, "bulk/campaigns/update", id=campaign, **fields) == (200, OK_204)


async def add_destinations(
    client: TestClient, campaign: int, dnumbers: list[str], user: str = "user"
) -> None:
    status, body = await call(
        client,
        "bulk/destinations/create",
        user=user,
        campaign=campaign,
        dnumbers=",".join(dnumbers),
    )
    # The count in `data` is of the numbers new to the campaign: the caller knows best.
    assert (status, body["responses"]) == (200, envelope(("200", "", "OK"))["responses"]), body


async def only_these(
    client: TestClient, campaign: int, dnumbers: list[str], user: str = "user"
) -> None:
    """Make the campaign's destinations exactly these, all pending."""
    deleted = await call(client, "bulk/destinations/delete", user=user, campaign=campaign, all=1)
    assert deleted == (200, OK_204)
    await add_destinations(client, campaign, dnumbers, user)


def peak_in_progress(found: list[dict[str, Any]]) -> int:
    """The most attempts in progress at once, from the dials' intervals (an attempt that
    ends at the instant another starts does not overlap it; one not ended is open)."""
    edges = []
    for dial in found:
        edges.append((at(dial["started"]), 1))
        if dial["ended"] is not None:
            edges.append((at(dial["ended"]), -1))
    running = peak = 0
    for _, step in sorted(edges, key=lambda edge: (edge[0], edge[1])):
        running += step
        peak = max(peak, running)
    return peak
