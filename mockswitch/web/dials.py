"""The dialler's outcome rules (`/_mock/outcomes`) and its attempts (`GET /_mock/dials`)."""

from __future__ import annotations

from aiohttp import web

from mockswitch.errors import ControlError
from mockswitch.simulator import OutcomeError, OutcomeRules

from .call_query import integer
from .faults import _json_body as json_body
from .keys import SIMULATOR, SWITCH
from .tenants import existing_tenant, tenant_for_change

routes = web.RouteTableDef()

DIAL_FILTERS = ("campaign", "dnumber", "limit", "offset")


@routes.get("/_mock/outcomes")
async def get_outcomes(request: web.Request) -> web.Response:
    tenant = existing_tenant(request)
    return web.json_response(request.app[SIMULATOR].rules(tenant.name).as_json())


@routes.put("/_mock/outcomes")
async def set_outcomes(request: web.Request) -> web.Response:
    """Replace the rules and the seed; the attempts that start from now on follow them."""
    try:
        rules = OutcomeRules.from_json(await json_body(request))
    except OutcomeError as error:
        raise ControlError(400, error.message, field=error.field) from None
    tenant = await tenant_for_change(request)
    request.app[SIMULATOR].set_rules(tenant.name, rules)
    return web.json_response(rules.as_json())


@routes.get("/_mock/dials")
async def list_dials(request: web.Request) -> web.Response:
    """The dialler's attempts, oldest first: `?campaign=&dnumber=&limit=&offset=`."""
    # `?campaign=&limit=` (empty values, as a form or a URL template sends them) means unset.
    query = {name: value for name, value in request.rel_url.query.items() if value != ""}
    unknown = sorted(set(query) - set(DIAL_FILTERS))
    if unknown:
        raise ControlError(
            400, f"unknown parameter (use {', '.join(DIAL_FILTERS)})", field=unknown[0]
        )
    page_max = request.app[SWITCH].settings.calls_page_max
    limit = integer(query, "limit", page_max, minimum=0)
    if limit > page_max:
        raise ControlError(400, f"must be at most {page_max} (calls_page_max)", field="limit")
    offset = integer(query, "offset", 0, minimum=0)
    campaign = integer(query, "campaign", None, minimum=0) if "campaign" in query else None
    dnumber = query.get("dnumber")
    tenant = existing_tenant(request)
    page = await tenant.dials.page(campaign, dnumber, limit, offset)
    return web.json_response({"dials": page.dials, "total": page.total, "evicted": page.evicted})
