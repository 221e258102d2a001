"""Fixtures most tests use by name: a real mockswitch behind a real socket.

Plain helpers (calling a function, envelopes) are in tests/helpers.py; the cast in tests/cast.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockswitch.config import Settings
from mockswitch.web import create_app

Serve = Callable[..., Awaitable[TestClient]]


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
