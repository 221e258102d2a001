"""The fault rules' control API: `/_mock/faults`, one rule, the default latency."""

from __future__ import annotations

from aiohttp import web

from mockswitch.errors import ControlError
from mockswitch.faults import FaultEngine, RuleError

from .bodies import json_body
from .call_query import LARGEST
from .keys import SWITCH
from .tenants import existing_tenant, tenant_for_change

routes = web.RouteTableDef()


async def _engine(request: web.Request, *, changing: bool) -> FaultEngine:
    tenant = await tenant_for_change(request) if changing else existing_tenant(request)
    return request.app[SWITCH].faults(tenant)


def _rule_id(request: web.Request) -> int:
    text = request.match_info["id"]
    if not (text.isascii() and text.isdigit()):
        raise ControlError(400, "a rule id is an integer", field="id")
    digits = text.lstrip("0") or "0"  # int() refuses 4300 digits, leading zeros included
    return int(digits) if len(digits) <= len(str(LARGEST)) else LARGEST + 1  # no such rule


@routes.post("/_mock/faults")
async def add_rules(request: web.Request) -> web.Response:
    """Add one rule (an object) or several (an array), all or none; answer what was added."""
    document = await json_body(request)
    batch = document if isinstance(document, list) else [document]
    check = FaultEngine()
    for position, rule in enumerate(batch):  # check every rule before adding any
        try:
            check.add(rule)
        except RuleError as error:
            # In an array, the path starts with the rule's index: `[1].probability`.
            field = f"[{position}].{error.field}" if document is batch else error.field
            raise ControlError(400, error.message, field=field) from None
    engine = await _engine(request, changing=True)  # a tenant is made for good rules only
    # No await from the check to the adding: two batches cannot both pass it.
    most = request.app[SWITCH].settings.max_fault_rules
    if len(engine.rules) + len(batch) > most:
        raise ControlError(
            429,
            f"the tenant holds {len(engine.rules)} fault rules and {len(batch)} more would pass "
            f"the max_fault_rules setting ({most}): remove some first",
        )
    added = [engine.add(rule).as_json() for rule in batch]
    return web.json_response(added if isinstance(document, list) else added[0], status=201)


@routes.get("/_mock/faults")
async def list_rules(request: web.Request) -> web.Response:
    return web.json_response((await _engine(request, changing=False)).as_json())


@routes.delete("/_mock/faults")
async def clear_rules(request: web.Request) -> web.Response:
    (await _engine(request, changing=True)).clear()
    return web.json_response({"status": "cleared"})


@routes.put("/_mock/faults/default-latency")
async def set_default_latency(request: web.Request) -> web.Response:
    """Delay every call no rule fires for; `null` turns it off."""
    document = await json_body(request)
    try:
        FaultEngine().set_default_latency(document)  # checked before a tenant is made
    except RuleError as error:
        raise ControlError(400, error.message, field=error.field) from None
    engine = await _engine(request, changing=True)
    engine.set_default_latency(document)
    return web.json_response(engine.as_json())


@routes.get(r"/_mock/faults/{id}")
async def one_rule(request: web.Request) -> web.Response:
    rule_id = _rule_id(request)
    rule = (await _engine(request, changing=False)).get(rule_id)
    if rule is None:
        raise ControlError(404, f"no fault rule {rule_id}", field="id")
    return web.json_response(rule.as_json())


@routes.delete(r"/_mock/faults/{id}")
async def delete_rule(request: web.Request) -> web.Response:
    rule_id = _rule_id(request)
    if not (await _engine(request, changing=True)).remove(rule_id):
        raise ControlError(404, f"no fault rule {rule_id}", field="id")
    return web.json_response({"status": "deleted", "id": rule_id})
