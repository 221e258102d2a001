"""What most tests need: a real mockswitch behind a real socket, and a way to call it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockswitch.config import Settings
from mockswitch.web import create_app

Serve = Callable[..., Awaitable[TestClient]]

PASSWORD = "password"


@pytest.fixture
def serve(aiohttp_client) -> Serve:
    """Start a server on a fresh in-memory database; keyword arguments change its settings."""

    async def start(**settings: Any) -> TestClient:
        settings.setdefault("db", ":memory:")
        settings.setdefault("quiet", True)
        return await aiohttp_client(create_app(Settings(**settings)))

    return start


@pytest.fixture
async def client(serve: Serve) -> TestClient:
    return await serve()


def envelope(*entries: tuple[str, str, str], data: Any = None) -> dict[str, Any]:
    """The whole envelope a test expects: entries of (code, key, message)."""
    document: dict[str, Any] = {
        "responses": [{"code": c, "key": k, "message": m} for c, k, m in entries]
    }
    if data is not None:
        document["data"] = data
    return document


OK_204 = envelope(("204", "", "OK"))


async def call(
    client: TestClient,
    function: str,
    *,
    user: str | None = "user",
    method: str = "GET",
    **params: Any,
) -> tuple[int, dict[str, Any]]:
    """Call an Enswitch function as `user` (with the cast's password); the status and JSON."""
    query: dict[str, str] = {}
    if user is not None:
        query = {"auth_username": user, "auth_password": PASSWORD}
    query.update({name: str(value) for name, value in params.items()})
    path = f"/api/json/{function}/"
    if method == "GET":
        response = await client.get(path, params=query)
    else:
        response = await client.post(path, data=query)
    return response.status, await response.json()
