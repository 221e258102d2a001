"""The functions mockswitch does not simulate: a tenant's stubs answer them, else the switch
behind `--proxy-to`, else no one (404 "No such function.").

Framework-free like `switch.py`, which calls `Beyond.answer` where it would run a simulated
function; the switch then renders, records and delivers the outcome as for any call.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from mockswitch.endpoints import Handled, authenticate
from mockswitch.enswitch.envelope import Reply, http_status
from mockswitch.enswitch.params import AUTH_USERNAME
from mockswitch.errors import EnswitchError, no_such_function
from mockswitch.stubs import FUNCTION_NAME, StubBook
from mockswitch.switch import proxy
from mockswitch.switch.request import ApiRequest
from mockswitch.tenancy import Generation

log = logging.getLogger("mockswitch.calls")


class Beyond:
    """The forwarder to the switch behind --proxy-to, and the stubs' answers (each tenant
    holds its own stubs: mockswitch/tenancy)."""

    def __init__(
        self,
        forwarder: proxy.Forwarder | None = None,
        recorder: proxy.StubRecorder | None = None,
        status_mode: str = "enswitch",
    ) -> None:
        self.forwarder = forwarder
        self.recorder = recorder
        self._status_mode = status_mode

    def serves(self, function: str, stubs: StubBook) -> bool:
        """Whether a stub or the switch answers `function` (else it does not exist)."""
        return stubs.stubs(function) or self._forwards(function)

    def _forwards(self, function: str) -> bool:
        return self.forwarder is not None and FUNCTION_NAME.fullmatch(function) is not None

    async def answer(
        self, call: ApiRequest, given: Mapping[str, str], generation: Generation
    ) -> Handled:
        """A stub's answer, else the switch's, else 404, as a `Reply` ready to send or an
        Enswitch error for the switch to render (in the wording of a messages file); never
        raises one, but `GenerationEnded` if the tenant was reset before anything was
        forwarded. `given` is the call's parameters, each name's last value."""
        book = generation.stubs
        if book.stubs(call.function):
            try:  # a stub is the switch's answer: the switch authenticates first, as always
                person = authenticate(await generation.data.directory(), given)
            except EnswitchError as error:
                return Handled(error, "")
            stub = book.choose(call.function, given, person.username)
            if stub is not None:
                first = stub.first
                status = http_status(first.code, self._status_mode)
                reply = Reply(status, stub.body(), first.code, first.key)
                return Handled(reply, person.username, stub=stub.id)
            if not self._forwards(call.function):
                return Handled(no_such_function(), person.username)
        if self._forwards(call.function):
            return await self._forward(call, given, generation)
        return Handled(no_such_function(), "")

    async def _forward(
        self, call: ApiRequest, given: Mapping[str, str], generation: Generation
    ) -> Handled:
        assert self.forwarder is not None
        username = given.get(AUTH_USERNAME, "")
        # The last moment before the switch runs it: a call of a tenant reset (or dropped)
        # meanwhile is not sent, and starts again in the fresh tenant (or is refused).
        generation.check()
        try:
            answer = await self.forwarder.forward(
                call.method, call.function, call.query, call.body, call.content_type
            )
        except proxy.UpstreamError as error:
            log.warning("forwarding %s failed: %s", call.function, error.reason)
            failed = proxy.upstream_failed(self.forwarder.upstream, error.reason)
            return Handled(failed, username, proxied=True)
        code, key = proxy.envelope_outcome(answer.body)
        if self.recorder is not None and code:
            self.recorder.capture(call.function, given, answer.body)
        reply = Reply(answer.status, answer.body, code, key, answer.content_type)
        return Handled(reply, username, proxied=True)
