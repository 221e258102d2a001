"""pytest fixtures for code that talks to an Enswitch: a mockswitch for every test.

Registered through the `pytest11` entry point, so installing mockswitch is enough:

    def test_save_button_sends_one_update(mockswitch):
        my_app.save(base_url=mockswitch.api_url, campaign=123, maximum=4)
        mockswitch.assert_called("bulk/campaigns/update", times=1, id=123, maximum=4)

One in-process server (in-memory database) serves the whole session; with `MOCKSWITCH_URL`
set (a service container in CI), the fixtures use that server instead. Each test gets its
own tenant, a fresh copy of the data set with its own journal and fault rules, so tests run
in parallel (pytest-xdist) against one server never see each other. Choose the isolation
with `--mockswitch-isolation` or the `mockswitch_isolation` ini setting:
  test   (default) a new tenant per test, dropped afterwards;
  worker one tenant per xdist worker, reset before each test;
  none   the default tenant, reset before each test (one test at a time only).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator

import pytest

from mockswitch.testing import (
    TOKEN_VARIABLE,
    URL_VARIABLE,
    AsyncMockswitchClient,
    MockswitchClient,
    ServerThread,
)

ISOLATIONS = ("test", "worker", "none")
# Tenants of different runs against one shared server must not collide either.
RUN = uuid.uuid4().hex[:8]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockswitch")
    group.addoption(
        "--mockswitch-isolation",
        choices=ISOLATIONS,
        default=None,
        help="what gets its own mockswitch tenant: each test (default), each xdist worker, "
        "or nothing",
    )
    parser.addini(
        "mockswitch_isolation", "test, worker or none (see --mockswitch-isolation)", default="test"
    )


@pytest.fixture(scope="session")
def mockswitch_url() -> Iterator[str]:
    """The base URL of the mockswitch the session uses (started here unless given)."""
    given = os.environ.get(URL_VARIABLE)
    if given:
        yield given.rstrip("/")
        return
    with ServerThread() as server:
        yield server.url


def _isolation(config: pytest.Config) -> str:
    chosen = config.getoption("mockswitch_isolation") or config.getini("mockswitch_isolation")
    if chosen not in ISOLATIONS:
        raise pytest.UsageError(f"mockswitch_isolation must be one of {ISOLATIONS}: {chosen!r}")
    return chosen


def _tenant_for(request: pytest.FixtureRequest, isolation: str) -> str | None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if isolation == "none":
        return None
    if isolation == "worker":
        return f"{RUN}-{worker}"
    test = hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:12]
    return f"{RUN}-{worker}-{test}"


@pytest.fixture
def mockswitch(mockswitch_url: str, request: pytest.FixtureRequest) -> Iterator[MockswitchClient]:
    """A control-API client for this test's own, freshly seeded mockswitch tenant.

    `mockswitch.api_url` is the base URL to give the code under test.
    """
    isolation = _isolation(request.config)
    # A shared server with an admin token (MOCKSWITCH_ADMIN_TOKEN) wants it on resets.
    token = os.environ.get(TOKEN_VARIABLE, "").strip() or None
    client = MockswitchClient(mockswitch_url, _tenant_for(request, isolation), token=token)
    client.reset()  # creates the tenant on first use
    yield client
    if isolation == "test":
        client.drop_tenant()


@pytest.fixture
def async_mockswitch(mockswitch: MockswitchClient) -> AsyncMockswitchClient:
    """The same tenant, with coroutine methods for async tests."""
    return AsyncMockswitchClient(mockswitch.url, mockswitch.tenant, token=mockswitch.token)
