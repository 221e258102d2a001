"""Helpers for tests that use mockswitch: a control-API client and an in-process server.

Works with or without pytest. `MockswitchClient` is synchronous (standard library only);
`AsyncMockswitchClient` has the same methods as coroutines (aiohttp). Both take the server's
base URL and, optionally, a tenant, and both explain a failed `assert_called` by listing the
near misses: calls of the same function with other parameters.

    server = ServerThread().start()          # or point at a container: MockswitchClient(url)
    client = MockswitchClient(server.url)
    ... your code calls client.api_url + "bulk/campaigns/update/" ...
    client.assert_called("bulk/campaigns/update", times=1, id=123, maximum=4)
    server.stop()
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

DEFAULT_URL = "http://127.0.0.1:8080"
API_PATH = "/api/json"
_TENANT_PATH = re.compile(r"/t/[^/]+$")
URL_VARIABLE = "MOCKSWITCH_URL"  # where the pytest plugin and `mockswitch calls` look
TOKEN_VARIABLE = "MOCKSWITCH_ADMIN_TOKEN"  # the server's admin token, read by the pytest plugin
NEAR_MISSES_SHOWN = 10


class CallAssertionError(AssertionError):
    """A verification of the journal failed; the message shows what was recorded instead."""


class ControlApiError(RuntimeError):
    """The control API answered with an error."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


def _text(value: Any) -> str:
    # The journal keeps parameters as the strings that were sent.
    return str(value)


def filters(
    function: str | None = None,
    *,
    method: str | None = None,
    code: str | int | None = None,
    username: str | None = None,
    params: Mapping[str, Any] | None = None,
    since: int | str | None = None,
    until: int | str | None = None,
    limit: int | None = None,
    offset: int | None = None,
    order: str | None = None,
) -> dict[str, str]:
    """The query parameters of a journal query; every argument is optional."""
    query = {
        "function": function,
        "method": method,
        "code": code,
        "username": username,
        "since": since,
        "until": until,
        "limit": limit,
        "offset": offset,
        "order": order,
    }
    found = {name: _text(value) for name, value in query.items() if value is not None}
    for name, value in (params or {}).items():
        found[f"param.{name}"] = _text(value)
    return found


def describe_expectation(function: str, times: int | None, params: Mapping[str, Any]) -> str:
    shown = ", ".join(f"{k}={_text(v)!r}" for k, v in params.items())
    call = f"{function}({shown})"
    if times is None:
        return f"expected {call} to be called at least once"
    return f"expected {call} to be called {times} time{'s' if times != 1 else ''}"


def server_root(url: str) -> str:
    """The server's root from a URL as a user may give it: `http://host:port`, with or
    without a trailing slash, or ending in the API's `/api/json/` (which is dropped).

    A tenant's URL (`/t/<name>`) or the control API's (`/_mock`) is refused: the tenant is
    chosen per test, under the root.
    """
    root = url.strip().rstrip("/").removesuffix(API_PATH).rstrip("/")
    parts = urllib.parse.urlsplit(root)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"set it to the server's root URL, such as {DEFAULT_URL}")
    if _TENANT_PATH.search(parts.path) or "/_mock" in parts.path:
        raise ValueError(
            f"names a tenant or the control API, not the server: set it to the server's root "
            f"URL, such as {parts.scheme}://{parts.netloc} (each test gets its own tenant)"
        )
    if parts.query or parts.fragment:
        raise ValueError(
            f"set it to the server's root URL, such as {parts.scheme}://{parts.netloc}"
        )
    return root


def elsewhere_report(
    tenant: str, api_url: str, total: int, shown: list[dict], function: str | None
) -> str:
    """Lines saying that this test's tenant got no call but the default tenant did."""
    what = f"{total} call{'s' if total != 1 else ''}" + (f" of {function}" if function else "")
    lines = [
        f"No call reached this test's tenant {tenant!r}, but the server's default tenant got "
        f"{what}; the latest:"
    ]
    lines += [f"  #{c['id']} {c['function']} {c['code']} {_params_text(c)}" for c in shown]
    lines.append(
        "The code under test was probably given the server's root URL (mockswitch_url). Give "
        f"it this test's API URL instead: mockswitch_api_url (mockswitch.api_url), {api_url}"
    )
    return "\n".join(lines)


def near_miss_report(
    function: str,
    params: Mapping[str, Any],
    same_function: list[dict],
    latest: list[dict],
    elsewhere: str = "",
) -> str:
    """Lines listing the calls closest to what was expected, and how each differs; for an
    empty journal, `elsewhere` says where the calls went instead, if known."""
    wanted = {k: _text(v) for k, v in params.items()}
    if same_function:
        lines = [f"Near misses ({function} with other parameters):"]
        for call in same_function[:NEAR_MISSES_SHOWN]:
            differences = [
                f"{name}: {call['params'].get(name, '<missing>')!r} != {value!r}"
                for name, value in wanted.items()
                if call["params"].get(name) != value
            ]
            lines.append(f"  #{call['id']} {call['code']} {_params_text(call)}")
            if differences:
                lines.append(f"      differs: {'; '.join(differences)}")
            if call["unknown"]:
                lines.append(f"      unknown parameters: {', '.join(call['unknown'])}")
        return "\n".join(lines)
    if not latest:
        return elsewhere or "The journal is empty: no call reached mockswitch."
    lines = [f"No call of {function} at all. The latest calls were:"]
    lines += [f"  #{c['id']} {c['function']} {c['code']} {_params_text(c)}" for c in latest]
    return "\n".join(lines)


def _waited(
    found: dict[str, Any], matching: Mapping[str, str], timeout: float, elsewhere: str = ""
) -> list[dict]:
    """The calls a long poll found; raises, listing what did arrive, if it timed out.

    `matching` holds only the filters: `count` and `timeout` are said in words.
    """
    if not found["timed_out"]:
        return found["calls"]
    wanted, arrived = found["wanted"], found["count"]
    shown = ", ".join(f"{name}={value!r}" for name, value in matching.items()) or "any call"
    lines = [
        f"waited {timeout:g}s for {wanted} call{'s' if wanted != 1 else ''} matching {shown}, "
        f"but {arrived or 'none'} arrived{':' if found['calls'] else '.'}"
    ]
    lines += [f"  #{c['id']} {c['function']} {c['code']} {_params_text(c)}" for c in found["calls"]]
    if elsewhere:
        lines.append(elsewhere)
    raise CallAssertionError("\n".join(lines))


def _called_as_expected(matching: list[dict], times: int | None) -> bool:
    return len(matching) >= 1 if times is None else len(matching) == times


def _not_called_as_expected(
    function: str,
    times: int | None,
    params: Mapping[str, Any],
    matching: list[dict],
    same_function: list[dict],
    latest: list[dict],
    elsewhere: str = "",
) -> CallAssertionError:
    plural = "s" if len(matching) != 1 else ""
    misses = [c for c in same_function if c not in matching]
    lines = [
        f"{describe_expectation(function, times, params)}, but it was called "
        f"{len(matching)} time{plural}."
    ]
    if matching:  # called, but not the expected number of times: show those calls
        lines.append("Matching calls:")
        lines += [f"  #{c['id']} {c['code']} {_params_text(c)}" for c in matching]
    if misses or not matching:
        lines.append(near_miss_report(function, params, misses, latest, elsewhere))
    return CallAssertionError("\n".join(lines))


def _document(status: int, payload: bytes, ok: tuple[int, ...]) -> Any:
    """The control API's JSON answer, or a ControlApiError for an error or for what is not
    JSON at all (another server on that port, a proxy's error page)."""
    try:
        document = json.loads(payload) if payload else None
    except ValueError:
        raise ControlApiError(status, payload[:200].decode("utf-8", "replace")) from None
    if status not in ok:
        raise ControlApiError(status, document)
    return document


def _wait_query(matching: Mapping[str, str], count: int, timeout: float) -> dict[str, str]:
    return {**matching, "count": str(count), "timeout": str(timeout)}


def _params_text(call: Mapping[str, Any]) -> str:
    return " ".join(f"{k}={v!r}" for k, v in call["params"].items() if not k.startswith("auth_"))


class _Endpoints:
    """Where a server's APIs are, for one tenant (or the default one), and the admin token
    that a server with `admin_token` set wants on changes (sent with every call)."""

    def __init__(
        self, url: str = DEFAULT_URL, tenant: str | None = None, token: str | None = None
    ) -> None:
        self.url = url.rstrip("/")
        self.tenant = tenant
        self.token = token
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        scope = f"{self.url}/t/{tenant}" if tenant else self.url
        self.control_url = f"{scope}/_mock"
        self.api_url = f"{scope}/api/json/"

    def _control(self, path: str, query: Mapping[str, str] | None = None) -> str:
        suffix = f"?{urllib.parse.urlencode(query)}" if query else ""
        return f"{self.control_url}{path}{suffix}"


class MockswitchClient(_Endpoints):
    """A synchronous client for the control API (standard library only)."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        tenant: str | None = None,
        timeout: float = 30.0,
        token: str | None = None,
    ) -> None:
        super().__init__(url, tenant, token)
        self.timeout = timeout

    def _request(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        body: Any = None,
        ok: tuple[int, ...] = (200,),
    ) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self._control(path, query), data=data, method=method, headers=self._headers
        )
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, payload = error.code, error.read()
        return _document(status, payload, ok)

    def health(self) -> dict[str, Any]:
        return self._request("GET", "/health")

    def reset(self) -> None:
        """Put the data back to the seed and clear the journal."""
        self._request("POST", "/reset")

    def clear_calls(self) -> None:
        self._request("DELETE", "/calls")

    def drop_tenant(self) -> None:
        """Delete this client's tenant (its data, journal and rules) from the server."""
        self._request("DELETE", "")

    def add_fault(self, rule: Mapping[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        """Add a fault rule (a dict, or its fields as keywords); returns it with its id.

        client.add_fault(match={"function": "bulk/campaigns/update"},
                         action={"type": "envelope", "code": "500"}, times=2)
        """
        return self._request("POST", "/faults", body={**(rule or {}), **fields}, ok=(201,))

    def faults(self) -> dict[str, Any]:
        """The rules, with how often each matched and fired, and the default latency."""
        return self._request("GET", "/faults")

    def clear_faults(self) -> None:
        self._request("DELETE", "/faults")

    def add_stub(self, stub: Mapping[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        """Stub a function mockswitch does not simulate; returns the stub with its id.

        client.add_stub(function="people/list", data=[{"id": 100, "username": "user"}])
        """
        return self._request("POST", "/stubs", body={**(stub or {}), **fields}, ok=(201,))

    def stubs(self) -> list[dict[str, Any]]:
        return self._request("GET", "/stubs")["stubs"]

    def clear_stubs(self) -> None:
        self._request("DELETE", "/stubs")

    def calls(self, function: str | None = None, **options: Any) -> list[dict[str, Any]]:
        """The recorded calls matching the filters (see `filters`), oldest first."""
        return self._request("GET", "/calls", filters(function, **options))["calls"]

    def count(self, function: str | None = None, **options: Any) -> int:
        return self._request("GET", "/calls/count", filters(function, **options))["count"]

    def call(self, call_id: int) -> dict[str, Any]:
        return self._request("GET", f"/calls/{call_id}")

    def wait(
        self, function: str | None = None, *, count: int = 1, timeout: float = 5.0, **options: Any
    ) -> dict[str, Any]:
        """Long-poll until `count` calls match or `timeout` passes; the server's answer:
        `timed_out`, `wanted`, `count` and the matching `calls`."""
        query = _wait_query(filters(function, **options), count, timeout)
        return self._request("GET", "/calls/wait", query, ok=(200, 408))

    def wait_for(
        self, function: str | None = None, *, count: int = 1, timeout: float = 5.0, **options: Any
    ) -> list[dict[str, Any]]:
        """Block until `count` calls match (the server long-polls), else raise."""
        found = self.wait(function, count=count, timeout=timeout, **options)
        if not found["timed_out"]:
            return found["calls"]
        elsewhere = "" if self.count() else self._elsewhere(function)
        return _waited(found, filters(function, **options), timeout, elsewhere)

    def assert_called(
        self, function: str, times: int | None = None, **params: Any
    ) -> list[dict[str, Any]]:
        """Assert that `function` was called with these parameters (`times` times, if given).

        Returns the matching calls; the failure message lists the near misses.
        """
        matching = self.calls(function, params=params, limit=1000)
        if _called_as_expected(matching, times):
            return matching
        same = self.calls(function, limit=NEAR_MISSES_SHOWN, order="desc")
        latest = [] if same else self.calls(limit=5, order="desc")
        elsewhere = "" if same or latest else self._elsewhere(function)
        raise _not_called_as_expected(function, times, params, matching, same, latest, elsewhere)

    def _elsewhere(self, function: str | None) -> str:
        """For a tenant whose journal is empty: the calls the default tenant got instead."""
        if self.tenant is None:
            return ""
        root = MockswitchClient(self.url, timeout=self.timeout, token=self.token)
        total = root.count(function)
        if not total and function is not None:
            function, total = None, root.count()
        if not total:
            return ""
        shown = root.calls(function, limit=5, order="desc")
        return elsewhere_report(self.tenant, self.api_url, total, shown, function)


class AsyncMockswitchClient(_Endpoints):
    """The same client, for async tests: every method is a coroutine (aiohttp)."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        tenant: str | None = None,
        timeout: float = 30.0,
        token: str | None = None,
    ) -> None:
        super().__init__(url, tenant, token)
        self.timeout = timeout

    async def _request(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        body: Any = None,
        ok: tuple[int, ...] = (200,),
    ) -> Any:
        import aiohttp

        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.request(
                method, self._control(path, query), json=body, headers=self._headers
            ) as response,
        ):
            payload = await response.read()
            status = response.status
        return _document(status, payload, ok)

    async def health(self) -> dict[str, Any]:
        return await self._request("GET", "/health")

    async def reset(self) -> None:
        await self._request("POST", "/reset")

    async def clear_calls(self) -> None:
        await self._request("DELETE", "/calls")

    async def drop_tenant(self) -> None:
        await self._request("DELETE", "")

    async def add_fault(
        self, rule: Mapping[str, Any] | None = None, **fields: Any
    ) -> dict[str, Any]:
        return await self._request("POST", "/faults", body={**(rule or {}), **fields}, ok=(201,))

    async def faults(self) -> dict[str, Any]:
        return await self._request("GET", "/faults")

    async def clear_faults(self) -> None:
        await self._request("DELETE", "/faults")

    async def add_stub(
        self, stub: Mapping[str, Any] | None = None, **fields: Any
    ) -> dict[str, Any]:
        return await self._request("POST", "/stubs", body={**(stub or {}), **fields}, ok=(201,))

    async def stubs(self) -> list[dict[str, Any]]:
        return (await self._request("GET", "/stubs"))["stubs"]

    async def clear_stubs(self) -> None:
        await self._request("DELETE", "/stubs")

    async def calls(self, function: str | None = None, **options: Any) -> list[dict[str, Any]]:
        return (await self._request("GET", "/calls", filters(function, **options)))["calls"]

    async def count(self, function: str | None = None, **options: Any) -> int:
        found = await self._request("GET", "/calls/count", filters(function, **options))
        return found["count"]

    async def call(self, call_id: int) -> dict[str, Any]:
        return await self._request("GET", f"/calls/{call_id}")

    # The timeout is the server's long-poll bound, sent with the query, not a local one.
    async def wait_for(
        self,
        function: str | None = None,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
        **options: Any,
    ) -> list[dict[str, Any]]:
        matching = filters(function, **options)
        query = _wait_query(matching, count, timeout)
        found = await self._request("GET", "/calls/wait", query, ok=(200, 408))
        if not found["timed_out"]:
            return found["calls"]
        elsewhere = "" if await self.count() else await self._elsewhere(function)
        return _waited(found, matching, timeout, elsewhere)

    async def assert_called(
        self, function: str, times: int | None = None, **params: Any
    ) -> list[dict[str, Any]]:
        matching = await self.calls(function, params=params, limit=1000)
        if _called_as_expected(matching, times):
            return matching
        same = await self.calls(function, limit=NEAR_MISSES_SHOWN, order="desc")
        latest = [] if same else await self.calls(limit=5, order="desc")
        elsewhere = "" if same or latest else await self._elsewhere(function)
        raise _not_called_as_expected(function, times, params, matching, same, latest, elsewhere)

    async def _elsewhere(self, function: str | None) -> str:
        if self.tenant is None:
            return ""
        root = AsyncMockswitchClient(self.url, timeout=self.timeout, token=self.token)
        total = await root.count(function)
        if not total and function is not None:
            function, total = None, await root.count()
        if not total:
            return ""
        shown = await root.calls(function, limit=5, order="desc")
        return elsewhere_report(self.tenant, self.api_url, total, shown, function)


class ServerThread:
    """A real mockswitch on a free port of 127.0.0.1, served from a background thread.

    Use it where the code under test is synchronous, or needs a URL rather than an app.
    """

    def __init__(self, **settings: Any) -> None:
        from mockswitch.config import Settings

        settings.setdefault("db", ":memory:")
        settings.setdefault("port", 0)
        settings.setdefault("quiet", True)
        self.settings = Settings(**settings)
        self.url = ""
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(self, timeout: float = 30.0) -> ServerThread:
        self._thread = threading.Thread(target=self._run, name="mockswitch", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError(f"mockswitch did not start within {timeout}s")
        if self._error is not None:
            raise RuntimeError("mockswitch failed to start") from self._error
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server; stopping one that was stopped, or never started, does nothing."""
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def client(self, tenant: str | None = None) -> MockswitchClient:
        return MockswitchClient(self.url, tenant, token=self.settings.admin_token or None)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._serve())
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        from aiohttp import web

        from mockswitch.web import create_app

        self._stop = asyncio.Event()
        runner = web.AppRunner(
            create_app(self.settings),
            handle_signals=False,
            access_log=None,
            shutdown_timeout=self.settings.shutdown_timeout,
        )
        try:
            await runner.setup()
            site = web.TCPSite(
                runner, self.settings.host, self.settings.port, backlog=self.settings.backlog
            )
            await site.start()
            host, port = runner.addresses[0][:2]
            self.url = f"http://{host}:{port}"
        except BaseException as error:
            self._error = error
            self._ready.set()
            await runner.cleanup()
            return
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await runner.cleanup()
