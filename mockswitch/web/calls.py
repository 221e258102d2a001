"""The journal's control API: `/_mock/calls`, its count, one call, a long poll, export."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping

from aiohttp import web

from mockswitch.errors import ControlError
from mockswitch.store import CallFilter, Journal, Page

from .call_query import LARGEST, integer, parse_call_query, seconds
from .keys import SWITCH
from .tenants import existing_tenant, tenant_for_change

routes = web.RouteTableDef()
NDJSON = "application/x-ndjson"
DEFAULT_WAIT = 10.0  # seconds a long poll waits when the query names no timeout
NOW = "now"


def _query(request: web.Request) -> Mapping[str, str]:
    """The request's query, with `since=now` made the newest call id numbered so far.

    So `/_mock/calls/wait?since=now&count=2` waits for two calls recorded after the wait
    began, however busy the journal was before.
    """
    if request.query.get("since") != NOW:
        return request.query
    latest = request.app[SWITCH].store.journal.last_id()
    return {**request.query, "since": str(latest)}


class _Waiting:
    """How many long polls are waiting now, server-wide."""

    def __init__(self) -> None:
        self.count = 0


WAITING = web.AppKey("long_polls_waiting", _Waiting)


def install(app: web.Application) -> None:
    """Count the long polls, and answer them all when the server stops."""
    app[WAITING] = _Waiting()
    # Stopping would otherwise wait for every open /_mock/calls/wait to time out.
    app.on_shutdown.append(end_long_polls)


def _wants_ndjson(request: web.Request) -> bool:
    if "format" in request.query:
        if request.query["format"] not in ("json", "ndjson"):
            raise ControlError(400, "must be json or ndjson", field="format")
        return request.query["format"] == "ndjson"
    return NDJSON in request.headers.get("Accept", "")


@routes.get("/_mock/calls")
async def list_calls(request: web.Request) -> web.StreamResponse:
    """A page of calls with the total that match, or every match as NDJSON."""
    switch = request.app[SWITCH]
    tenant = existing_tenant(request)
    query = parse_call_query(_query(request), page_max=switch.settings.calls_page_max)
    if _wants_ndjson(request):
        return await _export(request, tenant.id, query.where)
    page = await switch.store.journal.page(
        tenant.id, query.where, query.limit, query.offset, query.newest_first
    )
    return web.json_response(
        {
            "calls": page.calls,
            "total": page.total,
            "evicted": page.evicted,
            "limit": query.limit,
            "offset": query.offset,
        }
    )


async def _export(request: web.Request, tenant: int, where) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": NDJSON})
    await response.prepare(request)
    async for call in request.app[SWITCH].store.journal.stream(tenant, where):
        await response.write(json.dumps(call, ensure_ascii=False).encode() + b"\n")
    await response.write_eof()
    return response


@routes.get("/_mock/calls/count")
async def count_calls(request: web.Request) -> web.Response:
    switch = request.app[SWITCH]
    tenant = existing_tenant(request)
    query = parse_call_query(_query(request), page_max=switch.settings.calls_page_max)
    journal = switch.store.journal
    return web.json_response(
        {
            "count": await journal.count(tenant.id, query.where),
            "evicted": await journal.evicted(tenant.id),
        }
    )


@routes.get("/_mock/calls/wait")
async def wait_for_calls(request: web.Request) -> web.Response:
    """Long poll: answer as soon as `count` calls match, or 408 with what did by `timeout`."""
    switch = request.app[SWITCH]
    tenant = existing_tenant(request)
    query = parse_call_query(
        _query(request), page_max=switch.settings.calls_page_max, extra=("count", "timeout")
    )
    wanted = integer(request.query, "count", 1, minimum=1)
    if wanted > switch.settings.calls_page_max:
        raise ControlError(400, f"must be at most {switch.settings.calls_page_max}", field="count")
    longest = switch.settings.wait_timeout_max
    # The default, too, is bounded by wait_timeout_max.
    timeout = seconds(request.query, "timeout", min(DEFAULT_WAIT, longest), maximum=longest)
    journal = switch.store.journal
    waiting, most = request.app[WAITING], switch.settings.max_long_polls
    if waiting.count >= most:
        raise ControlError(
            429, f"there are already {most} long polls waiting (the max_long_polls setting)"
        )
    waiting.count += 1  # before any await: the check and the count are one step
    try:
        matched, page = await _wait(
            journal,
            tenant.id,
            query.where,
            wanted,
            asyncio.get_running_loop().time() + timeout,
            switch.settings.calls_page_max,
        )
    finally:
        waiting.count -= 1
    timed_out = matched < wanted
    return web.json_response(
        {"timed_out": timed_out, "wanted": wanted, "count": matched, "calls": page.calls},
        status=200 if not timed_out else 503 if journal.closing else 408,
    )


async def _wait(
    journal: Journal, tenant: int, where: CallFilter, wanted: int, deadline: float, page_max: int
) -> tuple[int, Page]:
    """How many calls match once `wanted` do or the loop's clock passes `deadline`, and a
    page of them."""
    while True:
        next_commit = journal.next_commit()  # taken before looking: no commit slips by
        matched = await journal.count(tenant, where)
        remaining = deadline - asyncio.get_running_loop().time()
        if matched >= wanted or remaining <= 0 or journal.closing:
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(next_commit, remaining)
    return matched, await journal.page(tenant, where, page_max)


async def end_long_polls(app: web.Application) -> None:
    """An `on_shutdown` hook: answer every long poll now, or stopping waits for them all."""
    app[SWITCH].store.journal.end_waits()


@routes.get(r"/_mock/calls/{id}")
async def one_call(request: web.Request) -> web.Response:
    tenant = existing_tenant(request)
    text = request.match_info["id"]
    if not (text.isascii() and text.isdigit()):
        raise ControlError(400, "a call id is an integer", field="id")
    digits = text.lstrip("0") or "0"  # int() refuses 4300 digits, leading zeros included
    call_id = int(digits) if len(digits) <= len(str(LARGEST)) else LARGEST + 1
    call = None
    if call_id <= LARGEST:  # SQLite ids are 64-bit: asking for more fails instead of missing
        call = await request.app[SWITCH].store.journal.get(tenant.id, call_id)
    if call is None:
        raise ControlError(404, f"no call {text} in this tenant's journal", field="id")
    return web.json_response(call)


@routes.delete("/_mock/calls")
async def clear_calls(request: web.Request) -> web.Response:
    tenant = await tenant_for_change(request)
    await request.app[SWITCH].store.clear_journal(tenant)
    return web.json_response({"status": "cleared", "tenant": tenant.name})
