"""pytest fixtures for code that talks to an Enswitch: a mockswitch for every test.

Registered through the `pytest11` entry point, so installing mockswitch is enough:

    def test_save_button_sends_one_update(mockswitch):
        my_app.save(base_url=mockswitch.api_url, campaign=123, maximum=4)
        mockswitch.assert_called("bulk/campaigns/update", times=1, id=123, maximum=4)

By default one in-process server (in-memory database) serves the whole session, and each
test starts from a reset. With `MOCKSWITCH_URL` set (a service container in CI), the
fixtures target that server instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from mockswitch.testing import URL_VARIABLE, AsyncMockswitchClient, MockswitchClient, ServerThread


@pytest.fixture(scope="session")
def mockswitch_url() -> Iterator[str]:
    """The base URL of the mockswitch the session uses (started here unless given)."""
    given = os.environ.get(URL_VARIABLE)
    if given:
        yield given.rstrip("/")
        return
    with ServerThread() as server:
        yield server.url


@pytest.fixture
def mockswitch(mockswitch_url: str) -> MockswitchClient:
    """A control-API client for a mockswitch freshly reset for this test.

    `mockswitch.api_url` is the base URL to give the code under test.
    """
    client = MockswitchClient(mockswitch_url)
    client.reset()
    return client


@pytest.fixture
def async_mockswitch(mockswitch: MockswitchClient) -> AsyncMockswitchClient:
    """The same server and reset, with coroutine methods for async tests."""
    return AsyncMockswitchClient(mockswitch.url, mockswitch.tenant)
