"""The default data set's destinations, and a way to read a campaign's back.

Written out by hand from fixtures/campaigns.json, not read from it, so a test also notices
when the seed drifts.
"""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import call, envelope

DESTINATIONS: dict[int, dict[str, str]] = {
    123: {
        "2125550111": "pending",
        "2125550112": "pending",
        "2125550113": "success",
        "2125550114": "failed",
        "2125550115": "cancelled",
    },
    124: {
        "2125550121": "pending",
        "2125550122": "success",
        "+442071230123": "pending",
        "2125550124": "failed",
    },
    125: {"2125550131": "pending", "2125550132": "cancelled"},
    200: {"3125550201": "pending", "3125550202": "success", "3125550203": "failed"},
    201: {"3125550211": "pending", "3125550212": "pending"},
    300: {"4155550301": "pending", "4155550302": "success"},
}

OK_200 = envelope(("200", "", "OK"))["responses"]


def destinations(campaign_id: int, changes: dict[str, str | None] | None = None) -> dict[str, str]:
    """A seeded campaign's destinations as {dnumber: status}, some changed (None: removed)."""
    found = {**DESTINATIONS[campaign_id], **(changes or {})}
    return {dnumber: status for dnumber, status in found.items() if status is not None}


def rows(campaign_id: int, found: dict[str, str]) -> list[dict[str, Any]]:
    """{dnumber: status} as bulk/destinations/list shows it by default: sorted by dnumber."""
    return [
        {"campaign": campaign_id, "dtype": "", "dnumber": dnumber, "status": status}
        for dnumber, status in sorted(found.items())
    ]


async def read_destinations(client: TestClient, campaign_id: int) -> dict[str, str]:
    """A campaign's destinations as {dnumber: status}, listed as the system owner."""
    status, body = await call(client, "bulk/destinations/list", user="owner", campaign=campaign_id)
    assert (status, body["responses"]) == (200, OK_200), body
    return {row["dnumber"]: row["status"] for row in body["data"]}


async def every_destination(client: TestClient) -> dict[int, dict[str, str]]:
    """Every seeded campaign's destinations: to check that a call changed nothing else."""
    return {
        campaign_id: await read_destinations(client, campaign_id) for campaign_id in DESTINATIONS
    }
