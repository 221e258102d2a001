"""pytest fixtures for code that talks to an Enswitch: a mockswitch for every test.

Registered through the `pytest11` entry point, so installing mockswitch is enough:

    def test_save_button_sends_one_update(mockswitch, mockswitch_api_url):
        my_app.save(base_url=mockswitch_api_url, campaign=123, maximum=4)
        mockswitch.assert_called("bulk/campaigns/update", times=1, id=123, maximum=4)

Give the code under test `mockswitch_api_url` (the same as `mockswitch.api_url`): this
test's own `.../t/<tenant>/api/json/`. `mockswitch_url` is the server's root, for tools
that need it; calls sent under it reach the shared default tenant, not this test's.

One in-process server (in-memory database) serves the whole session; with `MOCKSWITCH_URL`
set (a service container in CI: the server's root, http://host:port), the fixtures use that
server instead. Each test gets its own tenant, a fresh copy of the data set with its own
journal and fault rules, so tests run in parallel (pytest-xdist) against one server never
see each other. Choose the isolation with `--mockswitch-isolation` or the
`mockswitch_isolation` ini setting:
  test   (default) a new tenant per test, dropped afterwards;
  worker one tenant per xdist worker, reset before each test;
  none   the default tenant, reset before each test (refused with more than one worker).

`async_mockswitch` is a plain fixture whose client has coroutine methods (aiohttp, so an
asyncio loop): it works under any runner of async tests on asyncio, e.g. pytest-asyncio in
strict mode (mark tests `@pytest.mark.asyncio`) or auto mode, or anyio's plugin with its
asyncio backend (`@pytest.mark.anyio`, and an `anyio_backend` fixture returning "asyncio").
"""

from __future__ import annotations

import hashlib
import os
import uuid
import warnings
from collections.abc import Iterator

import pytest

from mockswitch.testing import (
    TOKEN_VARIABLE,
    URL_VARIABLE,
    AsyncMockswitchClient,
    MockswitchClient,
    ServerThread,
    server_root,
)
from mockswitch.testing.reach import server_problem

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


# pytest-asyncio (0.24 and later, 1.x too) warns at start when this ini setting is unset;
# mockswitch's fixtures are synchronous and do not depend on it, so a project that installs
# mockswitch for them should not see a warning it did not cause. Setting it is still the
# project's choice (see docs/testing.md).
_ASYNCIO_LOOP_SCOPE = "asyncio_default_fixture_loop_scope"
_ASYNCIO_LOOP_SCOPE_UNSET = f'The configuration option "{_ASYNCIO_LOOP_SCOPE}" is unset'


@pytest.hookimpl(tryfirst=True)  # before pytest-asyncio's pytest_configure, which warns
def pytest_configure(config: pytest.Config) -> None:
    _isolation(config)  # a bad choice stops the run before any test
    _refuse_shared_tenant_under_xdist(config)
    _given_url()  # a MOCKSWITCH_URL that cannot work stops the run with what to set
    warnings.filterwarnings(
        "ignore", message=_ASYNCIO_LOOP_SCOPE_UNSET, category=pytest.PytestDeprecationWarning
    )


@pytest.hookimpl(tryfirst=True)  # before xdist starts its workers
def pytest_sessionstart(session: pytest.Session) -> None:
    """A server named by `MOCKSWITCH_URL` that cannot serve the session (not up, or not
    taking the token) stops it here, once, in one line: not with a traceback per test."""
    config = session.config
    if hasattr(config, "workerinput") or config.option.collectonly:
        return  # a worker: its controller has asked already; nothing runs when collecting
    given = _given_url()
    if given is None:
        return
    problem = server_problem(given, _token())
    if problem is not None:
        raise pytest.UsageError(problem)


def _token() -> str | None:
    """The admin token the fixtures send (`MOCKSWITCH_ADMIN_TOKEN`), if set."""
    return os.environ.get(TOKEN_VARIABLE, "").strip() or None


def _given_url() -> str | None:
    """The server root `MOCKSWITCH_URL` names, if set; a usage error if it cannot work."""
    given = os.environ.get(URL_VARIABLE, "").strip()
    if not given:
        return None
    try:
        return server_root(given)
    except ValueError as error:
        raise pytest.UsageError(f"{URL_VARIABLE}={given}: {error}") from None


def _workers(config: pytest.Config) -> int:
    """How many xdist workers this run starts (0 without xdist or with -n 0)."""
    if config.getoption("dist", default="no") == "no":
        return 0
    return len(config.getoption("tx", default=None) or [])


def _refuse_shared_tenant_under_xdist(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):  # a worker: its controller has checked already
        return
    workers = _workers(config)
    if _isolation(config) == "none" and workers > 1:
        raise pytest.UsageError(
            f"--mockswitch-isolation none shares the default tenant, so only one test may run "
            f"at a time, but xdist starts {workers} workers: use --mockswitch-isolation worker "
            "(a tenant per worker) or test (the default), or run with -n 0"
        )


@pytest.fixture(scope="session")
def mockswitch_url() -> Iterator[str]:
    """The root URL of the mockswitch server the session uses (started here unless
    `MOCKSWITCH_URL` names one), such as http://127.0.0.1:PORT.

    Not the URL for the code under test: calls sent under it reach the server's shared
    default tenant, not this test's. Give your code `mockswitch_api_url`.
    """
    given = _given_url()
    if given:
        yield given
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

    `mockswitch.api_url` (also the `mockswitch_api_url` fixture) is the base URL to give
    the code under test: this tenant's `.../api/json/`.
    """
    isolation = _isolation(request.config)
    # A shared server with an admin token (MOCKSWITCH_ADMIN_TOKEN) wants it on resets.
    client = MockswitchClient(mockswitch_url, _tenant_for(request, isolation), token=_token())
    client.reset()  # creates the tenant on first use
    yield client
    if isolation == "test":
        client.drop_tenant()


@pytest.fixture
def mockswitch_api_url(mockswitch: MockswitchClient) -> str:
    """The URL to give the code under test: this test's tenant's Enswitch API,
    `http://HOST:PORT/t/<tenant>/api/json/` (ends in a slash; append `bulk/campaigns/get/`)."""
    return mockswitch.api_url


@pytest.fixture
def async_mockswitch(mockswitch: MockswitchClient) -> AsyncMockswitchClient:
    """The same tenant, with coroutine methods for async tests (any asyncio runner:
    pytest-asyncio in strict mode with `@pytest.mark.asyncio`, or in auto mode; anyio's
    plugin with the asyncio backend, not trio)."""
    return AsyncMockswitchClient(mockswitch.url, mockswitch.tenant, token=mockswitch.token)
