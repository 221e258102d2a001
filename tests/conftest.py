"""Fixtures most tests use by name: a real mockswitch behind a real socket.

Plain helpers (calling a function, envelopes) are in tests/helpers.py; the cast in tests/cast.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from mockswitch.config import Settings
from mockswitch.web import create_app
from mockswitch.web.runner import LaneRunner

Serve = Callable[..., Awaitable[TestClient]]


class LaneTestServer(TestServer):
    """aiohttp's test server, run as `mockswitch serve` runs: the direct lane in front of the
    router (mockswitch/web/direct.py), so that every test's API calls take it."""

    async def _make_runner(self, **kwargs: Any) -> LaneRunner:
        return LaneRunner(self.app, **kwargs)


@pytest.fixture
def serve(aiohttp_client) -> Serve:
    """Start a server on a fresh in-memory database; keyword arguments change its settings."""

    async def start(**settings: Any) -> TestClient:
        settings.setdefault("db", ":memory:")
        settings.setdefault("quiet", True)
        return await aiohttp_client(LaneTestServer(create_app(Settings(**settings))))

    return start


@pytest.fixture
async def client(serve: Serve) -> TestClient:
    return await serve()
