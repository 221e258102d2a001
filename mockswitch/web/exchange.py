"""The connection a call is answered on, as the fault actions see it (`faults.Exchange`)."""

from __future__ import annotations

import asyncio
import socket
import struct

from aiohttp import web

from mockswitch.enswitch.envelope import Reply

CALL_ID_HEADER = "X-Mockswitch-Call"
# How often a hanging call looks whether its client has given up.
HANG_POLL_SECONDS = 0.25


class AiohttpExchange:
    """Answers one aiohttp request normally, slowly, or not at all."""

    def __init__(self, request: web.Request, call_id: int) -> None:
        self.request = request
        self.headers = {CALL_ID_HEADER: str(call_id)}
        # What the handler returns; None until answered (after a reset, a close or a
        # hang, the handler returns a placeholder, of which nothing is ever sent).
        self.answered: web.StreamResponse | None = None

    @property
    def response(self) -> web.StreamResponse:
        return self.answered if self.answered is not None else web.Response(status=200)

    def _headers(self, reply: Reply) -> dict[str, str]:
        return {**self.headers, "Content-Type": reply.content_type, **dict(reply.headers)}

    async def respond(self, reply: Reply) -> None:
        self.answered = web.Response(
            body=reply.body, status=reply.status, headers=self._headers(reply)
        )

    async def respond_slowly(self, reply: Reply, seconds: float, chunks: int) -> None:
        response = web.StreamResponse(status=reply.status, headers=self._headers(reply))
        response.content_length = len(reply.body)
        size = max(1, -(-len(reply.body) // chunks))
        pieces = [reply.body[i : i + size] for i in range(0, len(reply.body), size)]
        self.answered = response
        try:
            await response.prepare(self.request)
            for piece in pieces:
                await asyncio.sleep(seconds / len(pieces))
                await response.write(piece)
            await response.write_eof()
        except ConnectionError:
            return  # the client gave up before the end: nothing more to send, nothing wrong

    def reset(self) -> None:
        transport = self.request.transport
        if transport is None:
            return
        sock = transport.get_extra_info("socket")
        if sock is not None:
            # Linger 0: closing sends a TCP RST instead of a polite FIN.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()

    def close(self) -> None:
        if self.request.transport is not None:
            self.request.transport.close()

    async def hang(self, seconds: float) -> None:
        deadline = asyncio.get_running_loop().time() + seconds
        while (remaining := deadline - asyncio.get_running_loop().time()) > 0:
            transport = self.request.transport
            if transport is None or transport.is_closing():
                return
            await asyncio.sleep(min(HANG_POLL_SECONDS, remaining))
