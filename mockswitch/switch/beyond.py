"""The functions mockswitch does not simulate: a tenant's stubs answer them, else the switch
behind `--proxy-to`, else no one (404 "No such function.").

Framework-free like `switch.py`, which calls `Beyond.answer` where it would run a simulated
function; the switch then renders, records and delivers the outcome as for any call.

The stub is chosen by the name the call sends, and answers once that name is authenticated
(401 otherwise), as any function does. A call no stub selects is an unknown function, with
or without stubs for its name: it authenticates no one (docs/api.md), and when the function
has stubs, the journal entry's warnings name the one that came closest.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from mockswitch.endpoints import Handled, authenticate
from mockswitch.enswitch.envelope import Reply, http_status
from mockswitch.enswitch.params import AUTH_USERNAME
from mockswitch.errors import EnswitchError, no_such_function
from mockswitch.stubs import FUNCTION_NAME, Stub, StubBook
from mockswitch.switch import calllog, proxy
from mockswitch.switch.recording import StubRecorder
from mockswitch.switch.request import ApiRequest
from mockswitch.tenancy import Generation

log = logging.getLogger("mockswitch.calls")


class Beyond:
    """The forwarder to the switch behind --proxy-to, and the stubs' answers (each tenant
    holds its own stubs: mockswitch/tenancy)."""

    def __init__(
        self,
        forwarder: proxy.Forwarder | None = None,
        recorder: StubRecorder | None = None,
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
        warnings: tuple[str, ...] = ()
        if book.stubs(call.function):
            sent = given.get(AUTH_USERNAME, "")
            stub = book.choose(call.function, given, sent)
            if stub is not None:
                return await self._stubbed(stub, given, generation)
            miss = book.near_miss(call.function, given, sent)
            warnings = (miss,) if miss else ()
        if self._forwards(call.function):
            return await self._forward(call, given, generation, warnings)
        return Handled(no_such_function(), "", warnings=warnings)

    async def _stubbed(
        self, stub: Stub, given: Mapping[str, str], generation: Generation
    ) -> Handled:
        try:  # a stub is the switch's answer: the switch authenticates first, as always
            person = authenticate(await generation.data.directory(), given)
        except EnswitchError as error:
            return Handled(error, "", warnings=error.reasons)
        status = http_status(stub.code, self._status_mode)
        reply = Reply(status, stub.body, stub.code, stub.key, warnings=stub.warnings)
        return Handled(reply, person.username, stub=stub.id)

    async def _forward(
        self,
        call: ApiRequest,
        given: Mapping[str, str],
        generation: Generation,
        warnings: tuple[str, ...],
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
            log.warning(
                "forwarding %s failed: %s",
                calllog.loggable(call.function),
                calllog.loggable(error.reason),
            )
            failed = proxy.upstream_failed(self.forwarder.upstream, error.reason)
            return Handled(failed, username, proxied=True, warnings=warnings)
        code, key = proxy.envelope_outcome(answer.body)
        if self.recorder is not None:
            warnings += await self.recorder.capture(call.function, given, answer.body)
        reply = proxy.proxied_reply(answer, code, key)
        return Handled(reply, username, proxied=True, warnings=warnings)
