"""The simulated switch: one Enswitch call in, one answer out, recorded in the journal.

This is the path every API call takes, free of any web framework so that it reads as the
sequence it is: read the parameters; ask the tenant's fault rules what to do; wait out the
latency; handle the call (holding the write lock if it changes data) unless a fault answers
instead; record the call; wait for the commit that holds both the change and its record;
hand the answer, and the fault's way of delivering it, to the web layer.

A call belongs to the tenant's generation it began in (mockswitch/tenancy). If a reset ends
that generation before the call did anything that lasts, the call starts again in the next
one: no old fault rule, stub or data reaches the fresh tenant. A call the switch behind
--proxy-to already ran belongs before the reset, and is wiped with the journal it would
have gone to. A call whose tenant is dropped while it is in flight is refused (a 404
envelope) and kept nowhere.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass

from mockswitch.config import Settings
from mockswitch.endpoints import FUNCTIONS, Function, Handled, execute, refused
from mockswitch.enswitch.envelope import Reply, Success, error_reply, success_reply
from mockswitch.enswitch.masking import masked_echoes, secret_values
from mockswitch.enswitch.params import AUTH_USERNAME
from mockswitch.enswitch.request import Pairs, masked_parameters, masked_query, read_parameters
from mockswitch.errors import (
    EnswitchError,
    internal_error,
    no_such_function,
    request_too_large,
    tenant_dropped,
)
from mockswitch.faults import Action, CallFacts, Decision
from mockswitch.store import CallRecord, Store, format_time
from mockswitch.switch import calllog
from mockswitch.switch.beyond import Beyond
from mockswitch.switch.known import why_unknown
from mockswitch.switch.messages import Messages
from mockswitch.switch.metrics import Metrics
from mockswitch.switch.request import ApiRequest
from mockswitch.tenancy import Generation, GenerationEnded, Tenant

log = logging.getLogger("mockswitch.calls")


@dataclass(slots=True)  # per call: not frozen (docs/architecture.md, "Per-call records")
class ApiReply:
    reply: Reply
    call_id: int  # the journal's number for the call; 0 when it could not be recorded
    fault: Action | None = None  # delivers the reply its own way; None sends it normally


class Switch:
    """The store, the settings and the functions, answering calls with each tenant's fault
    rules (and the stubs and the switch behind --proxy-to answering the rest)."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        beyond: Beyond | None = None,
        messages: Messages | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self._api_version = settings.api_version_tuple
        # Stubs and --proxy-to: the functions this switch does not simulate.
        self.beyond = beyond or Beyond(status_mode=settings.http_status)
        self.messages = messages or Messages()
        self.metrics = Metrics(FUNCTIONS) if settings.metrics else None

    async def handle(self, request: ApiRequest, tenant: Tenant) -> ApiReply:
        """Answer one call to `tenant` and record it; nothing here raises."""
        try:
            started, at = time.perf_counter(), format_time()
            while True:
                try:
                    return await self._handle(request, tenant, tenant.current, started, at)
                except GenerationEnded:
                    if tenant.dropped:  # dropped before the call did anything: kept nowhere
                        return ApiReply(error_reply(tenant_dropped(), self.settings.http_status), 0)
                    # Reset before the call did anything: the fresh tenant answers it.
        except Exception:
            # A bug, not an outcome: the client gets Enswitch's own "Internal error" and the
            # log the traceback, rather than a bare HTTP 500 from the framework.
            log.exception("answering %s failed", calllog.loggable(request.function) or "-")
            return ApiReply(error_reply(internal_error(), self.settings.http_status), 0)

    async def _handle(
        self, request: ApiRequest, tenant: Tenant, generation: Generation, started: float, at: str
    ) -> ApiReply:
        function = FUNCTIONS.get(request.function)
        beyond = function is None and self.beyond.serves(request.function, generation.stubs)
        pairs, problem = self._read(request, function is not None or beyond)
        given = dict(pairs)  # each name's last value: what the checks and the rules read
        decision = None
        if not tenant.dropped and request.refused is None:
            engine = generation.faults
            if engine.may_act:  # no rules, no default latency: nothing to ask
                decision = engine.decide(CallFacts(request.function, request.method, given))
        if decision is not None and decision.latency_ms > 0:
            await asyncio.sleep(decision.latency_ms / 1000)
        fault = decision.action if decision else None
        call = _Call(request, tenant, generation, at, started, pairs, given, decision)
        if fault is not None and not fault.processed:
            recorded = self._record(call, None)  # the fault strikes before the switch looks
        elif problem is not None or (function is None and not beyond):
            # (A call refused before the switch looked lands here too, named or not.)
            refusal = problem or no_such_function()
            # An unknown function authenticates no one; a known one says who called.
            handled = (
                await refused(refusal, given, generation.data)
                if function is not None or beyond
                else Handled(
                    refusal,
                    "",
                    warnings=why_unknown(request.function, generation.stubs.functions()),
                )
            )
            recorded = self._record(call, handled)
        elif function is not None:
            async with self._exclusive(function):
                handled = await self._execute(function, pairs, given, call)
                recorded = self._record(call, handled)
        else:
            handled = await self.beyond.answer(request, given, generation)
            recorded = self._record(call, handled)
        answer, committed = recorded
        if committed is None:
            return answer
        try:
            await committed
        except Exception:
            # The commit failed (disk full, say): the call was not kept, so it did not happen.
            return ApiReply(error_reply(internal_error(), self.settings.http_status), 0)
        return answer

    def _read(self, request: ApiRequest, known: bool) -> tuple[Pairs, EnswitchError | None]:
        """The parameters that could be read, and the error that reading them raised, if any.

        Even a refused call keeps what was readable, for the journal and the fault rules."""
        if request.refused is not None:  # the body is not read; the query, if not too large
            pairs = () if request.too_large else read_parameters(request.query, b"", "")[0]
            # A body that does not decode is the body's problem: an unknown function is a 404
            # whatever it was sent. A refusal with its own status (a host: 421) is not.
            known = known or request.refused.status is not None
            return pairs, request.refused if known else no_such_function()
        if request.too_large:
            return (), request_too_large(self.settings.max_request_bytes)
        pairs, problems = read_parameters(request.query, request.body, request.content_type)
        if not problems:
            return pairs, None
        # An unknown function is a 404 whatever it was sent.
        return pairs, EnswitchError(*problems) if known else no_such_function()

    def _exclusive(self, function: Function) -> AbstractAsyncContextManager[object]:
        # A change reads, checks and writes; the lock keeps two changes from interleaving,
        # and holding it until the call is recorded keeps the journal in the order of writes.
        return self.store.lock if function.changes_data else nullcontext()

    async def _execute(
        self, function: Function, pairs: Pairs, given: Mapping[str, str], call: _Call
    ) -> Handled:
        # A change holds the write lock here, which a reset and a drop take too.
        if call.tenant.dropped:
            return Handled(tenant_dropped(), "")
        call.generation.check()
        try:
            return await execute(function, pairs, given, call.generation.data, self._api_version)
        except Exception:
            log.exception("%s failed", function.name)
            return Handled(internal_error(), "")

    def _render(self, handled: Handled, function: str) -> Reply:
        """The answer's bytes: every Enswitch error is rendered here, in the wording of a
        messages file if any."""
        answer = handled.answer
        if isinstance(answer, Success):
            return success_reply(answer, self.settings.http_status)
        if isinstance(answer, EnswitchError):
            return error_reply(self.messages.rewrite(answer, function), self.settings.http_status)
        return answer  # a stub's or the upstream's, ready to send

    def _record(
        self, call: _Call, handled: Handled | None
    ) -> tuple[ApiReply, asyncio.Future[None] | None]:
        """Render the answer (as a fault may change it) and queue the call's journal row;
        the future is done once the row is committed (None: the call is kept nowhere)."""
        mode = self.settings.http_status
        dropped = call.tenant.dropped
        # Reset while the call was answered: unless the switch behind --proxy-to has run it
        # (then it belongs before the reset, wiped with its journal), it starts again.
        gone = not dropped and call.generation.ended
        if gone and not (handled is not None and handled.proxied):
            raise GenerationEnded()
        fault = call.decision.action if call.decision and not dropped else None
        reply: Reply | None
        if dropped:
            # Whatever the rules or the function made of it: refused, and recorded nowhere.
            reply = error_reply(tenant_dropped(), mode)
        else:
            answered = self._render(handled, call.request.function) if handled is not None else None
            reply = fault.answer(answered, mode) if fault is not None else answered
        assert reply is not None
        request = call.request
        duration_ms = (time.perf_counter() - call.started) * 1000
        record = CallRecord(
            at=call.at,
            method=request.method,
            path=request.path,
            function=request.function,
            query=masked_query(request.query),
            params=masked_parameters(call.pairs),
            unknown=handled.unknown if handled else (),
            # A fault that struck before the switch looked authenticated no one: keep the
            # name that was sent, so filters by username still find the call.
            username=handled.username if handled else call.given.get(AUTH_USERNAME, ""),
            code=reply.code,
            key=reply.key,
            http_status=reply.status,
            body=_journal_body(reply, handled, call.given),
            fault=call.decision.as_json() if call.decision else None,
            latency_ms=round(call.decision.latency_ms, 3) if call.decision else 0.0,
            duration_ms=round(duration_ms, 3),
            stub=handled.stub if handled else None,
            proxied=handled.proxied if handled else False,
            warnings=(handled.warnings if handled else ())
            + (call.decision.warnings if call.decision else ())
            + reply.warnings,
        )
        if dropped or gone:
            self._ended(call.tenant.name, 0, record)
            return ApiReply(reply, 0), None
        call_id, committed = self.store.journal.record(call.generation.data.id, record)
        self._ended(call.tenant.name, call_id, record)
        return ApiReply(reply, call_id, fault), committed

    def _ended(self, tenant: str, call_id: int, record: CallRecord) -> None:
        """Where every call ends: count it for the metrics, and log its one line."""
        if self.metrics is not None:
            self.metrics.observe(record)
        if not self.settings.quiet and log.isEnabledFor(logging.INFO):
            fields = calllog.call_fields(tenant, call_id, record)
            log.info("%s", calllog.human_line(fields), extra={calllog.CALL: fields})


def _journal_body(reply: Reply, handled: Handled | None, given: Mapping[str, str]) -> str:
    """The answer as the journal keeps it: a switch behind --proxy-to may echo the secrets
    the call sent (a password in a message), which the journal masks (masking.py)."""
    body = reply.body.decode("utf-8", "replace")
    if handled is not None and handled.proxied:
        body = masked_echoes(body, secret_values(given))
    return body


@dataclass(slots=True)  # per call: not frozen (docs/architecture.md, "Per-call records")
class _Call:
    """What is known of a call while it is being answered."""

    request: ApiRequest
    tenant: Tenant
    generation: Generation  # the tenant's generation the call began in
    at: str
    started: float
    pairs: Pairs
    given: Mapping[str, str]  # each name's last value, made once per call
    decision: Decision | None
