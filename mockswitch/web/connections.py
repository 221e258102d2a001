"""Slow clients cut off: a cap on open connections, and a deadline for each request's head.

4,000 connections that never finished a request line stayed open (aiohttp closes a
connection that sends nothing only after its keep-alive timeout, an hour by default); with
the usual `ulimit -n` of 1024, 1,100 of them left no file descriptor for a legitimate call,
which timed out. So every connection passes through a `ConnectionGuard`:

- Its request line and headers must arrive within `header_timeout` seconds, counted from
  the connection's opening, or from the first byte after it sat idle between requests;
  otherwise it is closed. (Idle between requests, aiohttp closes it after
  `keepalive_timeout`, web/runner.py.)
- At most `max_connections` are open at once. At the cap, a new connection takes the place
  of the one waiting longest for a request (idle, or its head still arriving); if every one
  is busy with a request, the new one gets a 503 and is closed at once. The cap is lowered
  at start to what the open-file limit leaves room for (web/descriptors.py), so the server
  never runs out of file descriptors.

A connection is "busy" from the moment its request's head has arrived (the server calls the
request handler) until the handler returns: `DirectLane` tells the guard (`started`,
`ended`), two dict operations per request. The deadlines need no timer per connection: the
connections awaiting a head are kept in order of their deadlines (one timeout for all), and
one timer, set for the earliest, closes what is due.

The guard is a protocol in front of aiohttp's own (`GuardedConnection` wraps a
`RequestHandler`, which it makes only for a connection it admits), served by
`GuardedServer`, aiohttp's `Server` with each new connection guarded.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, cast

from aiohttp import web

log = logging.getLogger("mockswitch.connections")

_BUSY, _HEAD, _IDLE = 0, 1, 2  # a connection's states: a request in hand, a head due, idle


def refusal_bytes(cap: int) -> bytes:
    """The 503 a connection gets when the cap is reached and every connection is busy."""
    body = json.dumps(
        {
            "error": {
                "status": 503,
                "message": f"the server has {cap} connections open (max_connections), each "
                "busy with a request: try again shortly",
            }
        }
    ).encode()
    head = (
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


class ConnectionGuard:
    """Open connections counted and capped, and their request heads timed."""

    def __init__(self, most: int, header_timeout: float) -> None:
        self.most = most
        self.header_timeout = header_timeout
        self.open: dict[GuardedConnection, None] = {}
        # Those not busy, the longest waiting first (the first to give way at the cap).
        self._waiting: dict[GuardedConnection, None] = {}
        # Those whose head is due, earliest deadline first (the same timeout for all).
        self._heads: dict[GuardedConnection, float] = {}
        self._by_handler: dict[web.RequestHandler, GuardedConnection] = {}
        self._timer: asyncio.TimerHandle | None = None
        self.refusal = refusal_bytes(most)  # what a refused connection is sent
        self.refused = 0  # connections turned away with a 503
        self.evicted = 0  # connections closed to make room for a new one
        self.timed_out = 0  # connections closed for a head that did not arrive in time

    # -- a connection's life ---------------------------------------------------------------

    def admit(self, connection: GuardedConnection) -> bool:
        """Count a new connection in, making room if need be; False: refuse it."""
        if len(self.open) >= self.most:
            if not self._waiting:
                self.refused += 1
                log.warning(
                    "refused a connection with a 503: %d connections are open "
                    "(max_connections), each busy with a request",
                    self.most,
                )
                return False
            oldest = next(iter(self._waiting))
            self.evicted += 1
            log.warning(
                "%d connections are open (max_connections): closed the one waiting longest "
                "for a request to make room for a new one",
                self.most,
            )
            self._drop(oldest)
        self.open[connection] = None
        self._expect_head(connection)
        return True

    def made(self, connection: GuardedConnection, handler: web.RequestHandler) -> None:
        self._by_handler[handler] = connection

    def data_arrived(self, connection: GuardedConnection) -> None:
        """The first bytes after an idle spell: the next request's head is due."""
        self._expect_head(connection)

    def started(self, handler: Any) -> None:
        """A request's head has arrived: its connection is busy until `ended`."""
        connection = self._by_handler.get(handler)
        if connection is not None:
            connection.state = _BUSY
            self._waiting.pop(connection, None)
            self._heads.pop(connection, None)

    def ended(self, handler: Any) -> None:
        """The request's handler returned: its connection waits for the next one, idle."""
        connection = self._by_handler.get(handler)
        if connection is not None and connection in self.open:
            connection.state = _IDLE
            self._waiting[connection] = None

    def _drop(self, connection: GuardedConnection) -> None:
        """Close a connection and count it out now (its socket closes in a moment)."""
        connection.close()
        self.gone(connection)

    def gone(self, connection: GuardedConnection) -> None:
        self.open.pop(connection, None)
        self._waiting.pop(connection, None)
        self._heads.pop(connection, None)
        if connection.handler is not None:
            self._by_handler.pop(connection.handler, None)

    # -- the heads' deadlines --------------------------------------------------------------

    def _expect_head(self, connection: GuardedConnection) -> None:
        connection.state = _HEAD
        loop = asyncio.get_running_loop()
        self._waiting.pop(connection, None)
        self._waiting[connection] = None
        self._heads.pop(connection, None)
        self._heads[connection] = loop.time() + self.header_timeout
        if self._timer is None:
            self._timer = loop.call_at(self._heads[connection], self._close_late)

    def _close_late(self) -> None:
        """Close every connection whose head is overdue; then wait for the next deadline."""
        self._timer = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        while self._heads:
            connection, deadline = next(iter(self._heads.items()))
            if deadline > now:
                self._timer = loop.call_at(deadline, self._close_late)
                return
            self.timed_out += 1
            self._drop(connection)

    def close(self) -> None:
        """Stop timing (the server stops)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


class GuardedConnection(asyncio.Protocol):
    """One connection, in front of the aiohttp `RequestHandler` that serves it."""

    __slots__ = ("_guard", "_make", "handler", "state", "transport")

    def __init__(self, make: Any, guard: ConnectionGuard) -> None:
        self._make = make  # makes aiohttp's handler, for a connection admitted
        self._guard = guard
        self.handler: web.RequestHandler | None = None
        self.transport: asyncio.Transport | None = None
        self.state = _HEAD

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # (uvloop's transports are not asyncio.Transport's subclasses, but behave as one.)
        self.transport = transport = cast(asyncio.Transport, transport)
        if not self._guard.admit(self):
            transport.write(self._guard.refusal)
            transport.close()
            return
        self.handler = self._make()
        self._guard.made(self, self.handler)
        self.handler.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self.handler is None:
            return
        if self.state == _IDLE:
            self._guard.data_arrived(self)
        self.handler.data_received(data)

    def eof_received(self) -> None:
        if self.handler is not None:  # (aiohttp's lets the transport close: returns None)
            self.handler.eof_received()

    def pause_writing(self) -> None:
        if self.handler is not None:
            self.handler.pause_writing()

    def resume_writing(self) -> None:
        if self.handler is not None:
            self.handler.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        self._guard.gone(self)
        if self.handler is not None:
            self.handler.connection_lost(exc)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class GuardedServer(web.Server):
    """aiohttp's low-level server, each new connection through the guard."""

    def __init__(self, routed: web.Server, handler: Any, guard: ConnectionGuard) -> None:
        # The handler arguments aiohttp gathered for `routed` (the app's handler_args and the
        # runner's keywords): every connection's RequestHandler is made with them, as before.
        super().__init__(
            handler,
            request_factory=routed.request_factory,
            handler_cancellation=routed.handler_cancellation,
            **routed._kwargs,
        )
        self.guard = guard

    def __call__(self) -> GuardedConnection:  # type: ignore[override]
        return GuardedConnection(super().__call__, self.guard)
