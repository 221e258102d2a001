"""The simulated switch: one Enswitch call in, one answer out, recorded in the journal.

This is the path every API call takes, free of any web framework so that it reads as the
sequence it is: read the parameters; ask the tenant's fault rules what to do; wait out the
latency; handle the call (holding the write lock if it changes data) unless a fault answers
instead; record the call; wait for the commit that holds both the change and its record;
hand the answer, and the fault's way of delivering it, to the web layer.

A call whose tenant is dropped while it is in flight is refused (a 404 envelope) and kept
nowhere: not in the data, not in the journal, not in the fault rules' counts. Its tenant's
id is never given again, so nothing of it can reach a tenant made later.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

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
    undecodable_body,
)
from mockswitch.faults import Action, CallFacts, Decision, FaultEngine
from mockswitch.store import CallRecord, Store, Tenant, format_time
from mockswitch.switch import calllog
from mockswitch.switch.beyond import Beyond, stub_budget
from mockswitch.switch.messages import Messages
from mockswitch.switch.metrics import Metrics
from mockswitch.switch.request import ApiRequest

log = logging.getLogger("mockswitch.calls")


@dataclass(slots=True)  # per call: not frozen (docs/architecture.md, "Per-call records")
class ApiReply:
    reply: Reply
    call_id: int  # the journal's number for the call; 0 when it could not be recorded
    fault: Action | None = None  # delivers the reply its own way; None sends it normally


class Switch:
    """The store, the settings, the functions and the fault rules, answering calls (and the
    stubs and the switch behind --proxy-to answering the rest)."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        fault_rules: Sequence[Any] = (),
        default_latency: Any = None,
        *,
        beyond: Beyond | None = None,
        messages: Messages | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self._api_version = settings.api_version_tuple
        self._start_faults = (tuple(fault_rules), default_latency)
        # By tenant, not by its id, which a reset moves; a dropped tenant's are popped.
        self._faults: dict[Tenant, FaultEngine] = {}
        # Stubs and --proxy-to: the functions this switch does not simulate.
        self.beyond = beyond or Beyond(stub_budget(settings), status_mode=settings.http_status)
        self.messages = messages or Messages()
        self.metrics = Metrics(FUNCTIONS) if settings.metrics else None

    def faults(self, tenant: Tenant) -> FaultEngine:
        """The tenant's fault rules, starting as the rules given at start."""
        engine = self._faults.get(tenant)
        if engine is None:
            rules, latency = self._start_faults
            engine = FaultEngine(rules, latency, seed=self.settings.faults_seed)
            self._faults[tenant] = engine
        return engine

    def reset_faults(self, tenant: Tenant) -> None:
        """Back to the rules given at start, with their counters and dice reset (and gone
        for good, once the tenant is dropped)."""
        self._faults.pop(tenant, None)

    async def handle(self, request: ApiRequest, tenant: Tenant) -> ApiReply:
        """Answer one call to `tenant` and record it; nothing here raises."""
        try:
            return await self._handle(request, tenant)
        except Exception:
            # A bug, not an outcome: the client gets Enswitch's own "Internal error" and the
            # log the traceback, rather than a bare HTTP 500 from the framework.
            log.exception("answering %s failed", calllog.loggable(request.function) or "-")
            return ApiReply(error_reply(internal_error(), self.settings.http_status), 0)

    async def _handle(self, request: ApiRequest, tenant: Tenant) -> ApiReply:
        started, at = time.perf_counter(), format_time()
        function = FUNCTIONS.get(request.function)
        beyond = function is None and self.beyond.serves(request.function, tenant.name)
        pairs, problem = self._read(request, function is not None or beyond)
        given = dict(pairs)  # each name's last value: what the checks and the rules read
        decision = None
        if not tenant.dropped:
            engine = self.faults(tenant)
            if engine.may_act:  # no rules, no default latency: nothing to ask
                decision = engine.decide(CallFacts(request.function, request.method, given))
        if decision is not None and decision.latency_ms > 0:
            await asyncio.sleep(decision.latency_ms / 1000)
        fault = decision.action if decision else None
        call = _Call(request, tenant, at, started, pairs, given, decision)
        if fault is not None and not fault.processed:
            recorded = self._record(call, None)  # the fault strikes before the switch looks
        elif problem is not None or (function is None and not beyond):
            refusal = problem or no_such_function()
            # An unknown function authenticates no one; a known one says who called.
            handled = (
                await refused(refusal, given, tenant)
                if function is not None or beyond
                else Handled(refusal, "")
            )
            recorded = self._record(call, handled)
        elif function is not None:
            async with self._exclusive(function):
                handled = await self._execute(function, pairs, given, tenant)
                recorded = self._record(call, handled)
        else:
            handled = await self.beyond.answer(request, given, tenant)
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
        if request.too_large:
            return (), request_too_large(self.settings.max_request_bytes)
        if request.undecodable:  # an unknown function is a 404 whatever it was sent
            return (), undecodable_body(request.undecodable) if known else no_such_function()
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
        self, function: Function, pairs: Pairs, given: Mapping[str, str], tenant: Tenant
    ) -> Handled:
        if tenant.dropped:  # a change holds the write lock here, which a drop takes too
            return Handled(tenant_dropped(), "")
        try:
            return await execute(function, pairs, given, tenant, self._api_version)
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
            warnings=(handled.warnings if handled else ()) + reply.warnings,
        )
        if dropped:
            self._ended(call.tenant.name, 0, record)
            return ApiReply(reply, 0), None
        call_id, committed = self.store.journal.record(call.tenant.id, record)
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
    at: str
    started: float
    pairs: Pairs
    given: Mapping[str, str]  # each name's last value, made once per call
    decision: Decision | None
