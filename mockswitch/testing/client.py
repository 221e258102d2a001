"""The control-API client, written once and run two ways.

Each method is written once, as steps: a generator that yields the requests it needs and is
sent each answer's JSON document. `MockswitchClient` runs the steps over urllib (standard
library only) and returns the result; `AsyncMockswitchClient` runs the same steps over
aiohttp (`web/client.py`) as a coroutine. One implementation behind two faces, as httpx
does, so the two clients cannot drift apart.
"""

from __future__ import annotations

import functools
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Coroutine, Generator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from .reports import (
    NEAR_MISSES_SHOWN,
    as_sent,
    called_as_expected,
    elsewhere_report,
    not_called_as_expected,
    waited,
)
from .urls import DEFAULT_URL, Endpoints

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Request:
    """One call of the control API, as the steps of a method ask for it."""

    method: str
    url: str
    body: Any = None
    ok: tuple[int, ...] = (200,)  # the statuses that are an answer, not an error


# A method's steps: yields requests, is sent each answer's JSON document, returns the result.
Steps = Generator[Request, Any, T]


class ControlApiError(RuntimeError):
    """The control API answered with an error."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


def answer(status: int, payload: bytes, ok: tuple[int, ...]) -> Any:
    """The control API's JSON answer, or a ControlApiError for an error or for what is not
    JSON at all (another server on that port, a proxy's error page)."""
    try:
        document = json.loads(payload) if payload else None
    except ValueError:
        raise ControlApiError(status, payload[:200].decode("utf-8", "replace")) from None
    if status not in ok:
        raise ControlApiError(status, document)
    return document


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
    found = {name: as_sent(value) for name, value in query.items() if value is not None}
    for name, value in (params or {}).items():
        found[f"param.{name}"] = as_sent(value)
    return found


def clock_body(
    mode: str | None = None, now: str | datetime | None = None, speed: float | None = None
) -> dict[str, Any]:
    """The body of `PUT /_mock/clock`: only what is given; a datetime is sent in ISO 8601."""
    body: dict[str, Any] = {}
    if mode is not None:
        body["mode"] = mode
    if now is not None:
        body["now"] = now.isoformat() if isinstance(now, datetime) else now
    if speed is not None:
        body["speed"] = speed
    return body


def dial_filters(
    campaign: int | None = None,
    dnumber: str | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> dict[str, str]:
    """The query parameters of `GET /_mock/dials`; every argument is optional."""
    query = {"campaign": campaign, "dnumber": dnumber, "limit": limit, "offset": offset}
    return {name: str(value) for name, value in query.items() if value is not None}


class operation(Generic[P, T]):  # used as a decorator, like `property`
    """A client method written once as steps; read on a client, it runs them that client's
    way: a plain call on `MockswitchClient`, a coroutine on `AsyncMockswitchClient`."""

    def __init__(self, steps: Callable[Concatenate[Any, P], Steps[T]]) -> None:
        self.steps = steps
        self.__doc__ = steps.__doc__  # help(MockswitchClient.calls) shows the steps' docstring
        self.__wrapped__ = steps

    @overload
    def __get__(self, client: None, owner: type | None = None) -> operation[P, T]: ...
    @overload
    def __get__(self, client: MockswitchClient, owner: type | None = None) -> Callable[P, T]: ...
    @overload
    def __get__(
        self, client: AsyncMockswitchClient, owner: type | None = None
    ) -> Callable[P, Coroutine[Any, Any, T]]: ...
    def __get__(self, client: Any, owner: type | None = None) -> Any:
        if client is None:
            return self
        return functools.partial(self, client)

    def __call__(self, client: Any, *args: P.args, **kwargs: P.kwargs) -> Any:
        """Run the steps on `client`, its way (as an unbound method would)."""
        return client._run(self.steps(client, *args, **kwargs))


def _bare(
    method: str,
    path: str,
    doc: str | None = None,
    returns: Callable[[Any], Any] = lambda document: None,
) -> operation[[], Any]:
    """An operation that is one request sending nothing; `returns` picks the result."""

    def steps(client: _Client) -> Steps[Any]:
        return returns((yield client._ask(method, path)))

    steps.__doc__ = doc
    return operation(steps)


def _whole(document: Any) -> Any:
    return document


class _Client(Endpoints):
    """What both clients do, each method as the steps of `operation`."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        tenant: str | None = None,
        timeout: float = 30.0,
        token: str | None = None,
    ) -> None:
        super().__init__(url, tenant, token)
        self.timeout = timeout

    def _ask(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        body: Any = None,
        ok: tuple[int, ...] = (200,),
    ) -> Request:
        return Request(method, self._control(path, query), body, ok)

    # The calls that send nothing: one request each, and its answer, a part of it or None.
    health: operation[[], dict[str, Any]] = _bare("GET", "/health", returns=_whole)
    reset: operation[[], None] = _bare(
        "POST", "/reset", "Put the data back to the seed and clear the journal."
    )
    clear_calls: operation[[], None] = _bare("DELETE", "/calls")
    drop_tenant: operation[[], None] = _bare(
        "DELETE", "", "Delete this client's tenant (its data, journal and rules) from the server."
    )
    faults: operation[[], dict[str, Any]] = _bare(
        "GET",
        "/faults",
        "The rules, with how often each matched and fired, and the default latency.",
        returns=_whole,
    )
    clear_faults: operation[[], None] = _bare("DELETE", "/faults")
    stubs: operation[[], list[dict[str, Any]]] = _bare("GET", "/stubs", returns=itemgetter("stubs"))
    clear_stubs: operation[[], None] = _bare("DELETE", "/stubs")
    clock: operation[[], dict[str, Any]] = _bare(
        "GET", "/clock", 'The clock: {"now": ..., "mode": ..., "speed": ...}.', returns=_whole
    )
    outcomes: operation[[], dict[str, Any]] = _bare("GET", "/outcomes", returns=_whole)

    @operation
    def set_clock(
        self, mode: str | None = None, now: str | datetime | None = None, speed: float | None = None
    ) -> Steps[dict[str, Any]]:
        """Set the clock's mode, time (forward only) and speed; returns the clock."""
        return (yield self._ask("PUT", "/clock", body=clock_body(mode, now, speed)))

    @operation
    def advance(self, seconds: float) -> Steps[dict[str, Any]]:
        """Move a virtual clock forward; returns once the dialler has caught up."""
        return (yield self._ask("POST", "/clock/advance", body={"seconds": seconds}))

    @operation
    def set_outcomes(
        self, rules: Sequence[Mapping[str, Any]] = (), seed: int = 0
    ) -> Steps[dict[str, Any]]:
        """Replace the dialler's outcome rules, e.g. [{"dnumber": "44*", "outcome": "busy"}]."""
        return (yield self._ask("PUT", "/outcomes", body={"rules": list(rules), "seed": seed}))

    @operation
    def dials(
        self,
        campaign: int | None = None,
        dnumber: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> Steps[list[dict[str, Any]]]:
        """The dialler's attempts, oldest first (see GET /_mock/dials)."""
        query = dial_filters(campaign, dnumber, limit, offset)
        return (yield self._ask("GET", "/dials", query))["dials"]

    @operation
    def add_fault(
        self, rule: Mapping[str, Any] | None = None, **fields: Any
    ) -> Steps[dict[str, Any]]:
        """Add a fault rule (a dict, or its fields as keywords); returns it with its id.

        client.add_fault(match={"function": "bulk/campaigns/update"},
                         action={"type": "envelope", "code": "500"}, times=2)
        """
        return (yield self._ask("POST", "/faults", body={**(rule or {}), **fields}, ok=(201,)))

    @operation
    def add_stub(
        self, stub: Mapping[str, Any] | None = None, **fields: Any
    ) -> Steps[dict[str, Any]]:
        """Stub a function mockswitch does not simulate; returns the stub with its id.

        client.add_stub(function="people/list", data=[{"id": 100, "username": "user"}])
        """
        return (yield self._ask("POST", "/stubs", body={**(stub or {}), **fields}, ok=(201,)))

    @operation
    def calls(self, function: str | None = None, **options: Any) -> Steps[list[dict[str, Any]]]:
        """The recorded calls matching the filters (see `filters`), oldest first."""
        return (yield self._ask("GET", "/calls", filters(function, **options)))["calls"]

    @operation
    def count(self, function: str | None = None, **options: Any) -> Steps[int]:
        return (yield self._ask("GET", "/calls/count", filters(function, **options)))["count"]

    @operation
    def call(self, call_id: int) -> Steps[dict[str, Any]]:
        return (yield self._ask("GET", f"/calls/{call_id}"))

    @operation
    def wait(
        self, function: str | None = None, *, count: int = 1, timeout: float = 5.0, **options: Any
    ) -> Steps[dict[str, Any]]:
        """Long-poll until `count` calls match or `timeout` passes; the server's answer:
        `timed_out`, `wanted`, `count` and the matching `calls`."""
        query = {**filters(function, **options), "count": str(count), "timeout": str(timeout)}
        return (yield self._ask("GET", "/calls/wait", query, ok=(200, 408)))

    @operation
    def wait_for(
        self, function: str | None = None, *, count: int = 1, timeout: float = 5.0, **options: Any
    ) -> Steps[list[dict[str, Any]]]:
        """Wait until `count` calls match (the server long-polls), else raise, saying what
        did arrive. The timeout is the server's long-poll bound, sent with the query."""
        found = yield from _Client.wait.steps(
            self, function, count=count, timeout=timeout, **options
        )
        if not found["timed_out"]:
            return found["calls"]
        empty = not (yield from _Client.count.steps(self))
        elsewhere = (yield from self._elsewhere(function)) if empty else ""
        return waited(found, filters(function, **options), timeout, elsewhere)

    @operation
    def assert_called(
        self, function: str, times: int | None = None, **params: Any
    ) -> Steps[list[dict[str, Any]]]:
        """Assert that `function` was called with these parameters (`times` times, if given).

        Returns the matching calls; the failure message lists the near misses.
        """
        calls = _Client.calls.steps
        matching = yield from calls(self, function, params=params, limit=1000)
        if called_as_expected(matching, times):
            return matching
        same = yield from calls(self, function, limit=NEAR_MISSES_SHOWN, order="desc")
        latest = [] if same else (yield from calls(self, limit=5, order="desc"))
        elsewhere = "" if same or latest else (yield from self._elsewhere(function))
        raise not_called_as_expected(function, times, params, matching, same, latest, elsewhere)

    def _elsewhere(self, function: str | None) -> Steps[str]:
        """For a tenant whose journal is empty: the calls the default tenant got instead."""
        if self.tenant is None:
            return ""
        root = _Client(self.url, timeout=self.timeout, token=self.token)
        total = yield from _Client.count.steps(root, function)
        if not total and function is not None:
            function, total = None, (yield from _Client.count.steps(root))
        if not total:
            return ""
        shown = yield from _Client.calls.steps(root, function, limit=5, order="desc")
        return elsewhere_report(self.tenant, self.api_url, total, shown, function)


class MockswitchClient(_Client):
    """A synchronous client for the control API (standard library only)."""

    def _run(self, steps: Steps[T]) -> T:
        document = None
        try:
            while True:
                document = self._send(steps.send(document))
        except StopIteration as done:  # the steps returned their result
            return done.value

    def _send(self, request: Request) -> Any:
        data = None if request.body is None else json.dumps(request.body).encode()
        sent = urllib.request.Request(
            request.url, data=data, method=request.method, headers=self._headers
        )
        if data is not None:
            sent.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(sent, timeout=self.timeout) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, payload = error.code, error.read()
        return answer(status, payload, request.ok)


class AsyncMockswitchClient(_Client):
    """The same client, for async tests: every method is a coroutine (aiohttp)."""

    async def _run(self, steps: Steps[T]) -> T:
        from mockswitch.web.client import exchange

        document = None
        try:
            while True:
                request = steps.send(document)
                sent = await exchange(
                    request.method, request.url, request.body, self._headers, self.timeout
                )
                document = answer(*sent, request.ok)
        except StopIteration as done:  # the steps returned their result
            return done.value
