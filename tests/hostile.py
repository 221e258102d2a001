"""A small hostile "switch" on 127.0.0.1, for the proxy's and verify's tests.

It serves `/api/json/<function>/` over plain asyncio sockets (not aiohttp's server, which
would tidy what it sends), on a thread of its own, so that both async tests (the proxy) and
sync ones (verify) can use it. What it answers is a `Behaviour` chosen by the function
called: any status, content type and bytes, written in pieces of any size, with pauses, or
without a Content-Length (then the end of the answer is the connection's close).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

OK = {"code": "200", "key": "", "message": "OK"}


@dataclass(frozen=True)
class Sent:
    """A call as the hostile switch received it."""

    method: str
    function: str
    params: dict[str, str]


@dataclass(frozen=True)
class Answer:
    body: bytes
    status: int = 200
    content_type: str = "application/json"
    piece: int = 0  # bytes per write; 0 writes the body at once
    pause: float = 0.0  # seconds between pieces (a slow switch)
    length: bool = True  # send Content-Length; False ends the body with the connection
    headers: tuple[tuple[str, str], ...] = ()


Behaviour = Callable[[Sent], Answer]


def envelope(data: Any = None, *, first: dict[str, Any] | None = None) -> bytes:
    """An envelope's bytes: `first` as its one response (OK by default), then `data`."""
    document: dict[str, Any] = {"responses": [first or OK]}
    if data is not None:
        document["data"] = data
    return json.dumps(document, separators=(",", ":")).encode()


def answering(body: bytes, **how: Any) -> Behaviour:
    return lambda _sent: Answer(body, **how)


def ordinary(sent: Sent) -> Answer:
    """What a well-behaved switch would answer: OK, with the call's function and id."""
    return Answer(envelope({"function": sent.function, "id": sent.params.get("id", "")}))


class HostileSwitch:
    """Answers each function by its behaviour (`ordinary` for the others) and keeps what it
    was sent."""

    def __init__(self, behaviours: dict[str, Behaviour], default: Behaviour = ordinary) -> None:
        self.behaviours = behaviours
        self.default = default
        self.sent: list[Sent] = []
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._server: asyncio.AbstractServer | None = None

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", 0)
        )
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self._ready.set()
        self._loop.run_forever()

    def start(self) -> HostileSwitch:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        async def close() -> None:
            assert self._server is not None
            self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            sent = await _read_request(reader)
            self.sent.append(sent)
            behaviour = self.behaviours.get(sent.function, self.default)
            await _write_answer(writer, behaviour(sent))
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client gave up, or the switch stops: nothing more to send
        finally:
            writer.close()


async def _read_request(reader: asyncio.StreamReader) -> Sent:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    request_line, *header_lines = head.split("\r\n")
    method, target, _ = request_line.split(" ", 2)
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in header_lines if line)
    }
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    path, _, query = target.partition("?")
    function = path.removeprefix("/api/json/").strip("/")
    params = {}
    for text in (query, body.decode("latin-1")):
        params.update(parse_qsl(text.replace(";", "&"), keep_blank_values=True))
    return Sent(method, function, params)


async def _write_answer(writer: asyncio.StreamWriter, answer: Answer) -> None:
    lines = [
        f"HTTP/1.1 {answer.status} Whatever",
        f"Content-Type: {answer.content_type}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in answer.headers),
    ]
    if answer.length:
        lines.append(f"Content-Length: {len(answer.body)}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    await writer.drain()
    size = answer.piece or max(1, len(answer.body))
    for start in range(0, len(answer.body), size):
        writer.write(answer.body[start : start + size])
        await writer.drain()
        # Each piece its own segment: the reader sees the answer arrive a piece at a time.
        await asyncio.sleep(answer.pause)
    await writer.drain()


@contextmanager
def hostile_switch(
    behaviours: dict[str, Behaviour], default: Behaviour = ordinary
) -> Iterator[HostileSwitch]:
    switch = HostileSwitch(behaviours, default).start()
    try:
        yield switch
    finally:
        switch.stop()
