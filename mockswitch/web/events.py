"""Server-sent events: `GET /_mock/events` streams a tenant's calls as they are committed.

    GET /_mock/events?since=<call id>        (the header Last-Event-ID, if sent, wins)

Every committed call of the tenant is one event, oldest first, shaped as `/_mock/calls/<id>`
shows it:

    id: 42
    event: call
    data: {"id": 42, "function": "bulk/campaigns/update", ...}

Without `since` the stream starts after the newest call already held (new calls only);
`since=0` replays every call held first. `event: journal` (data `{"oldest": <id or null>}`)
says that calls were removed (a reset, a clear, retention): a viewer drops those older than
`oldest`, or all of them on null. `event: gone` ends the stream when the tenant is dropped.
A comment line every HEARTBEAT_SECONDS keeps proxies from closing an idle stream and finds
clients that left.

The cursor is a call id and the calls stay in the database, read a batch at a time: a client
that reads slowly only slows its own stream (each write waits for the socket to drain), one
that stops reading for WRITE_TIMEOUT_SECONDS is dropped, and at most `max_event_streams`
(a setting) are open, so memory stays bounded whatever the clients do. A stream takes its
place in the count before its first await, so a burst of clients cannot all pass the check
before any of them is counted; one over the cap gets a 429. `install` registers an
`on_shutdown` hook that ends every stream at once, so stopping the server never waits for a
viewer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from aiohttp import web

from mockswitch.errors import ControlError
from mockswitch.store import CallFilter, Journal
from mockswitch.tenancy import Tenant

from .call_query import integer
from .declare import BAD, NO_TENANT, Answer, ControlRoutes, Query
from .keys import SWITCH
from .tenants import existing_tenant

routes = ControlRoutes("journal")

HEARTBEAT_SECONDS = 10.0
WRITE_TIMEOUT_SECONDS = 30.0
BATCH = 50  # calls read from the journal at a time, per stream
RETRY_MS = 1000  # how soon a browser reconnects after the stream ends


class _Stream:
    """One open event stream: its response, and how to end it from outside."""

    def __init__(self, request: web.Request) -> None:
        self.request = request
        self.response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",  # a proxy in front must not hold events back
            }
        )
        self.stopped = asyncio.get_running_loop().create_future()
        self.writing = False

    def stop(self) -> None:
        """End the stream now; a write blocked on a client that does not read is cut off."""
        if not self.stopped.done():
            self.stopped.set_result(None)
        if self.writing and self.request.transport is not None:
            self.request.transport.abort()

    @property
    def client_gone(self) -> bool:
        transport = self.request.transport
        return transport is None or transport.is_closing()

    async def send(self, text: str) -> None:
        """Write one event; ConnectionError when the client left, stopped reading or the
        server is stopping."""
        if self.stopped.done():
            raise ConnectionResetError("the server is stopping")
        self.writing = True
        try:
            async with asyncio.timeout(WRITE_TIMEOUT_SECONDS):
                await self.response.write(text.encode())
        except TimeoutError:
            if self.request.transport is not None:
                self.request.transport.abort()
            raise ConnectionResetError("the client stopped reading") from None
        finally:
            self.writing = False


STREAMS = web.AppKey("event_streams", set)


def install(app: web.Application) -> None:
    """Keep track of the open streams and end them all when the server stops."""
    app[STREAMS] = set()
    app.on_shutdown.append(end_streams)


async def end_streams(app: web.Application) -> None:
    """An `on_shutdown` hook: end every event stream now."""
    for stream in list(app.get(STREAMS, ())):
        stream.stop()


def call_event(call: dict[str, Any]) -> str:
    # json.dumps escapes newlines, so the data is one line, as SSE needs.
    return f"id: {call['id']}\nevent: call\ndata: {json.dumps(call, ensure_ascii=False)}\n\n"


def _since(request: web.Request) -> int | None:
    """Where the stream starts: Last-Event-ID (a reconnecting browser), else `since`."""
    for name in request.query:
        if name != "since":
            raise ControlError(400, f"unknown parameter {name!r} (known: since)", field=name)
    header = request.headers.get("Last-Event-ID")
    if header is not None and header.strip():
        return integer({"Last-Event-ID": header.strip()}, "Last-Event-ID", 0, minimum=0)
    if "since" in request.query:
        return integer(request.query, "since", 0, minimum=0)
    return None


async def _oldest(journal: Journal, tenant: int) -> int | None:
    """The id of the oldest call held, or None (one indexed look-up)."""
    async with contextlib.aclosing(journal.stream(tenant, CallFilter(), batch=1)) as calls:
        async for call in calls:
            return call["id"]
    return None


async def _newest(journal: Journal, tenant: int) -> int:
    page = await journal.page(tenant, CallFilter(), 1, newest_first=True)
    return page.calls[0]["id"] if page.calls else 0


@routes.get(
    "/_mock/events",
    "The tenant's calls as server-sent events, as they are committed",
    Answer(
        200,
        "An endless `text/event-stream`: `event: call` (data: a Call, id: its id) "
        "for each call; `event: journal` when calls were removed; `event: gone` "
        "when the tenant is dropped.",
        {"text/event-stream": {"type": "string"}},
    ),
    BAD,
    NO_TENANT,
    Answer(429, "Too many event streams are open (the `max_event_streams` setting)."),
    description="Starts after the newest call held, or after `since`; a "
    "reconnecting browser's `Last-Event-ID` header wins over `since`.",
    query=(
        Query(
            "since",
            {"type": "integer", "minimum": 0},
            "Replay the calls after this id first; 0 replays every call held.",
        ),
    ),
)
async def events(request: web.Request) -> web.StreamResponse:
    """The tenant's calls as server-sent events, from `since` on, as they are committed."""
    switch = request.app[SWITCH]
    tenant = existing_tenant(request)
    since = _since(request)
    streams: set[_Stream] = request.app[STREAMS]
    most = switch.settings.max_event_streams
    if len(streams) >= most:
        raise ControlError(
            429, f"there are already {most} event streams open (the max_event_streams setting)"
        )
    stream = _Stream(request)
    streams.add(stream)  # counted now, before any await: the check and the count are one step
    try:
        journal = switch.store.journal
        if since is None:
            since = await _newest(journal, tenant.data.id)
        await stream.response.prepare(request)
        await stream.send(f"retry: {RETRY_MS}\n\n")
        await _follow(stream, journal, tenant, since)
    except ConnectionError:
        pass  # the client left, stopped reading, or the server is stopping
    finally:
        streams.discard(stream)
    return stream.response


async def _follow(
    stream: _Stream,
    journal: Journal,
    tenant: Tenant,
    cursor: int,
) -> None:
    """Send the calls after `cursor`, then each new one as it is committed, until stopped;
    the tenant's journal of the moment (a reset gives it a new one)."""
    oldest = await _oldest(journal, tenant.data.id)
    while not stream.stopped.done():
        commit = journal.next_commit()  # taken before looking: no commit slips by
        try:
            if tenant.dropped:
                await stream.send("event: gone\ndata: {}\n\n")
                return
            sent = 0
            after = CallFilter(since_id=cursor)
            journal_id = tenant.data.id
            async with contextlib.aclosing(journal.stream(journal_id, after, BATCH)) as calls:
                async for call in calls:
                    await stream.send(call_event(call))
                    cursor = call["id"]
                    sent += 1
                    if sent == BATCH:
                        break  # let the others have the reader; the rest comes next turn
            now_oldest = await _oldest(journal, tenant.data.id)
            # Calls only leave from the oldest end (retention) or all at once (a reset or a
            # clear), so the oldest id changing, other than from nothing, means removals.
            if now_oldest != oldest and not (oldest is None and sent):
                await stream.send(f"event: journal\ndata: {json.dumps({'oldest': now_oldest})}\n\n")
            oldest = now_oldest
            if sent == BATCH:
                continue
            await _wait(stream, commit)
        finally:
            commit.cancel()  # only the shield: frees its hold on the shared future


async def _wait(stream: _Stream, commit: asyncio.Future[None]) -> None:
    """Until the next commit or the stream's end; a heartbeat every HEARTBEAT_SECONDS."""
    while True:
        done, _ = await asyncio.wait(
            (commit, stream.stopped), timeout=HEARTBEAT_SECONDS, return_when="FIRST_COMPLETED"
        )
        if done:
            return
        if stream.client_gone:
            raise ConnectionResetError("the client left")
        await stream.send(": heartbeat\n\n")
