"""The simulated switch: one Enswitch call in, one answer out, recorded in the journal.

This is the path every API call takes, free of any web framework so that it reads as the
sequence it is: read the parameters, find the function, run it (holding the write lock if it
changes data), render the envelope, record the call, wait for the commit that holds both
the change and its record, answer.
"""

from __future__ import annotations

import logging
import time
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass

from .config import Settings
from .endpoints import FUNCTIONS, Executed, Function, execute
from .enswitch.envelope import CONTENT_TYPE, Success, error_body, success_body
from .enswitch.request import Pairs, masked_parameters, masked_query, parse_parameters
from .errors import EnswitchError, internal_error, no_such_function, request_too_large
from .store import CallRecord, Store, Tenant, format_time

log = logging.getLogger("mockswitch.calls")


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """An Enswitch call as it arrived, before anything was made of it."""

    method: str
    path: str
    function: str
    query: bytes
    body: bytes = b""
    content_type: str = ""
    tenant: str = "default"
    too_large: bool = False


@dataclass(frozen=True, slots=True)
class ApiReply:
    status: int
    body: bytes
    code: str
    call_id: int  # the journal's number for the call; 0 when it could not be recorded
    content_type: str = CONTENT_TYPE


def http_status(code: str, mode: str) -> int:
    """The HTTP status for an envelope code: always 200 like the real switch, or mirrored.

    A mirrored 204 stays 200, because an HTTP 204 may not carry the body clients parse.
    """
    if mode != "mirror" or code == "204":
        return 200
    return int(code)


class Switch:
    """The store, the settings, and the functions, put together to answer calls."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._api_version = settings.api_version_tuple

    async def handle(self, request: ApiRequest, tenant: Tenant | None = None) -> ApiReply:
        """Answer one call and record it; nothing here raises."""
        started, at = time.perf_counter(), format_time()
        tenant = tenant or await self.store.tenant(request.tenant)
        function = FUNCTIONS.get(request.function)
        pairs: Pairs = ()
        try:
            if request.too_large:
                raise request_too_large(self.settings.max_request_bytes)
            pairs = parse_parameters(request.query, request.body, request.content_type)
            if function is None:
                raise no_such_function()
        except EnswitchError as error:
            if function is None and error.code == "400":
                error = no_such_function()  # an unknown function is a 404, whatever it was sent
            reply, committed = self._record(
                request, tenant, at, started, pairs, Executed(error, "", ())
            )
        else:
            async with self._exclusive(function):
                executed = await self._execute(function, pairs, tenant)
                reply, committed = self._record(request, tenant, at, started, pairs, executed)
        try:
            await committed
        except Exception:
            # The commit failed (disk full, say): the call was not kept, so it did not happen.
            body = error_body(internal_error())
            return ApiReply(http_status("500", self.settings.http_status), body, "500", 0)
        return reply

    def _exclusive(self, function: Function) -> AbstractAsyncContextManager[object]:
        # A change reads, checks and writes; the lock keeps two changes from interleaving,
        # and holding it until the call is recorded keeps the journal in the order of writes.
        return self.store.db.lock if function.changes_data else nullcontext()

    async def _execute(self, function: Function, pairs: Pairs, tenant: Tenant) -> Executed:
        try:
            return await execute(function, pairs, tenant, self._api_version)
        except Exception:
            log.exception("%s failed", function.name)
            return Executed(internal_error(), "", ())

    def _record(
        self,
        request: ApiRequest,
        tenant: Tenant,
        at: str,
        started: float,
        pairs: Pairs,
        executed: Executed,
    ):
        outcome = executed.outcome
        if isinstance(outcome, Success):
            body, code, key = success_body(outcome), outcome.code, ""
        else:
            body, code, key = error_body(outcome), outcome.code, outcome.key
        status = http_status(code, self.settings.http_status)
        duration_ms = (time.perf_counter() - started) * 1000
        record = CallRecord(
            at=at,
            method=request.method,
            path=request.path,
            function=request.function,
            query=masked_query(request.query),
            params=masked_parameters(pairs),
            unknown=executed.unknown,
            username=executed.username,
            code=code,
            key=key,
            http_status=status,
            body=body.decode(),
            fault=None,
            latency_ms=0.0,
            duration_ms=round(duration_ms, 3),
        )
        call_id, committed = self.store.journal.record(tenant.id, record)
        if not self.settings.quiet:
            log.info(
                "%s %s %s %s %.1fms",
                request.method,
                request.function or "-",
                code,
                executed.username or "-",
                duration_ms,
            )
        return ApiReply(status, body, code, call_id), committed
