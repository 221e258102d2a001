"""The fault rules' control API: `/_mock/faults`, one rule, the default latency."""

from __future__ import annotations

from aiohttp import web

from mockswitch.errors import ControlError
from mockswitch.faults import FaultEngine, RuleError
from mockswitch.faults.rules import schemas as rule_schemas
from mockswitch.faults.spec import ref

from .batches import added, batch_of, check_room, field_at
from .bodies import json_body
from .declare import (
    BAD,
    NO_TENANT,
    STATUS,
    TOO_MANY,
    Answer,
    ControlRoutes,
    object_of,
    ok,
)
from .ids import delete_by_id, get_by_id, path_id, removed, shown
from .keys import SWITCH
from .tenants import existing_tenant, tenant_for_change

routes = ControlRoutes("faults")
# The rule documents' schemas come from the parsers themselves (`faults/`).
routes.schemas_from(rule_schemas)
RULE = ref("FaultRule")
RULES = ref("FaultRules")
routes.schema(
    "Deleted",
    object_of({"status": {"const": "deleted"}, "id": {"type": "integer"}}, "status", "id"),
)


async def _engine(request: web.Request, *, changing: bool) -> FaultEngine:
    tenant = await tenant_for_change(request) if changing else existing_tenant(request)
    return tenant.faults


@routes.post(
    "/_mock/faults",
    "Add a fault rule (an object) or several (an array), all or none",
    ok(
        "The rule, or the rules, as added, with their ids.",
        {"oneOf": [RULE, {"type": "array", "items": RULE}]},
        status=201,
    ),
    BAD,
    Answer(
        429,
        "The rules would pass the `max_fault_rules` setting (none is added), or a "
        "new tenant the `max_tenants` setting.",
    ),
    body={"oneOf": [ref("FaultRuleInput"), {"type": "array", "items": ref("FaultRuleInput")}]},
    example={
        "name": "update fails twice",
        "match": {"function": "bulk/campaigns/update", "params": {"id": "123"}},
        "action": {"type": "envelope", "code": "500"},
        "times": 2,
    },
)
async def add_rules(request: web.Request) -> web.Response:
    """Add one rule (an object) or several (an array), all or none; answer what was added."""
    document = await json_body(request)
    batch = batch_of(document)
    check = FaultEngine()
    for position, rule in enumerate(batch):  # check every rule before adding any
        try:
            check.add(rule)
        except RuleError as error:
            field = field_at(document, position, error.field)
            raise ControlError(400, error.message, field=field) from None
    engine = await _engine(request, changing=True)  # a tenant is made for good rules only
    # No await from the check to the adding: two batches cannot both pass it.
    settings = request.app[SWITCH].settings
    check_room(
        len(engine.rules), len(batch), settings.max_fault_rules, "fault rules", "max_fault_rules"
    )
    return added(document, [engine.add(rule).as_json() for rule in batch])


@routes.get(
    "/_mock/faults",
    "The tenant's fault rules, in order, and the default latency",
    ok("The rules.", RULES),
    NO_TENANT,
)
async def list_rules(request: web.Request) -> web.Response:
    return web.json_response((await _engine(request, changing=False)).as_json())


@routes.delete(
    "/_mock/faults", "Remove every fault rule of the tenant", ok("Cleared.", STATUS), BAD, TOO_MANY
)
async def clear_rules(request: web.Request) -> web.Response:
    (await _engine(request, changing=True)).clear()
    return web.json_response({"status": "cleared"})


@routes.put(
    "/_mock/faults/default-latency",
    "Delay every call that no rule fires for; null turns it off",
    ok("The rules.", RULES),
    BAD,
    TOO_MANY,
    body={"oneOf": [ref("Latency"), {"type": "null"}]},
    example={"uniform_ms": [5, 20]},
)
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


@get_by_id(
    routes,
    "/_mock/faults/{id}",
    "One fault rule, with its counters",
    ok("The rule.", RULE),
    "No such rule, or no such tenant.",
)
async def one_rule(request: web.Request) -> web.Response:
    rule_id = path_id(request, "a rule id")
    return shown(await _engine(request, changing=False), rule_id, "fault rule")


@delete_by_id(routes, "/_mock/faults/{id}", "Remove one fault rule", "No such rule.")
async def delete_rule(request: web.Request) -> web.Response:
    rule_id = path_id(request, "a rule id")
    return removed(await _engine(request, changing=True), rule_id, "fault rule")
