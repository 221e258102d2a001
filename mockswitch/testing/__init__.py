"""Helpers for tests that use mockswitch: a control-API client and an in-process server.

Works with or without pytest. `MockswitchClient` is synchronous (standard library only);
`AsyncMockswitchClient` has the same methods as coroutines (aiohttp): both run one
implementation (`client.py`). Both take the server's base URL and, optionally, a tenant, and
both explain a failed `assert_called` by listing the near misses: calls of the same function
with other parameters (`reports.py`).

    server = ServerThread().start()          # or point at a container: MockswitchClient(url)
    client = MockswitchClient(server.url)
    ... your code calls client.api_url + "bulk/campaigns/update/" ...
    client.assert_called("bulk/campaigns/update", times=1, id=123, maximum=4)
    server.stop()
"""

from .client import (
    AsyncMockswitchClient,
    ControlApiError,
    MockswitchClient,
    clock_body,
    dial_filters,
    filters,
)
from .reports import (
    NEAR_MISSES_SHOWN,
    CallAssertionError,
    describe_expectation,
    elsewhere_report,
    near_miss_report,
)
from .server import ServerThread
from .urls import API_PATH, DEFAULT_URL, TOKEN_VARIABLE, URL_VARIABLE, server_root

__all__ = [
    "API_PATH",
    "DEFAULT_URL",
    "NEAR_MISSES_SHOWN",
    "TOKEN_VARIABLE",
    "URL_VARIABLE",
    "AsyncMockswitchClient",
    "CallAssertionError",
    "ControlApiError",
    "MockswitchClient",
    "ServerThread",
    "clock_body",
    "describe_expectation",
    "dial_filters",
    "elsewhere_report",
    "filters",
    "near_miss_report",
    "server_root",
]
